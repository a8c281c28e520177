"""The table of adjoint rules and non-differentiable functions.

A rule is an ordinary Python function ``rule(g, out, *primal_args)``: ``g`` is
the cotangent of the primal's output, ``out`` the primal output, then the
primal's own parameters under the primal's own names. It ends with ``return``
of a tuple *literal* of cotangents, one per primal parameter in order (``None``
for one that gets none; trailing ones may be left out), or of a single
expression: the cotangent of the first parameter alone. A helper that
computes several cotangents at once is unpacked first
(``ga, gb = helper(...)``, then ``return ga, gb``). Rules never accumulate;
the transform does. Because rules are plain functions they run and are
tested on their own, and ``ReverseMode`` inlines their bodies into
generated code.

Rules may have a variant for scalar (Python float) arguments, registered with
``kind="scalar"``; generated code for float arguments then uses it.
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass, field

import gast

from ..errors import SrcgradError


@dataclass
class Rule:
    target: object
    fn: object
    kind: str = "any"
    nargs: int = None
    params: list = field(default_factory=list)   # primal parameter names
    defaults: dict = field(default_factory=dict)
    _tree: object = None

    @property
    def tree(self):
        """The rule's ``FunctionDef`` (parsed once)."""
        if self._tree is None:
            src = textwrap.dedent(inspect.getsource(self.fn))
            module = gast.parse(src)
            node = module.body[0]
            node.decorator_list = []
            body = node.body
            if body and isinstance(body[0], gast.Expr) and isinstance(body[0].value, gast.Constant):
                body = body[1:]  # docstring
            node.body = body
            if not body or not isinstance(body[-1], gast.Return):
                raise SrcgradError(f"adjoint rule {self.fn.__qualname__} must end with 'return'")
            self._tree = node
        return self._tree


_RULES: dict = {}
_NONDIFF: set = set()


def _key(target):
    try:
        hash(target)
        return target
    except TypeError:
        return id(target)


def adjoint(target, *, kind="any", nargs=None):
    """Register ``fn`` as the adjoint rule of ``target``.

    Args:
        target: the primal callable (``np.sin``, ``operator.mul``, a user's C
            extension function, ...).
        kind: ``"any"``, or ``"scalar"`` for a variant used when every primal
            argument is a Python/NumPy scalar.
        nargs: register a variant used only for calls with this many
            positional arguments (``max(a, b)`` against ``max(xs)``).

    The rule's signature is ``(g, out, *primal_params)``; it returns the
    cotangents of the primal parameters, in order.

    Example::

        @srcgrad.adjoint(my_softplus)
        def my_softplus_adjoint(g, out, x):
            return g / (1.0 + np.exp(-x))
    """

    def register(fn):
        sig = inspect.signature(fn)
        names = [n for n, p in sig.parameters.items() if p.kind is not p.VAR_POSITIONAL]
        if len(names) < 2:
            raise SrcgradError(f"adjoint rule {fn.__qualname__} must take (g, out, *args)")
        params = names[2:]
        defaults = {n: p.default for n, p in sig.parameters.items()
                    if p.default is not inspect.Parameter.empty}
        rule = Rule(target, fn, kind, nargs, params, defaults)
        _RULES.setdefault(_key(target), []).append(rule)
        _NONDIFF.discard(_key(target))
        return fn

    return register


def nondifferentiable(target):
    """Mark ``target`` as carrying no gradient (its output is treated as constant).

    Usable as a plain call (``nondifferentiable(np.argmax)``) or as a
    decorator on a user's own function.
    """
    _NONDIFF.add(_key(target))
    return target


def lookup(target, nargs, scalar=False, seq=False, unknown=False):
    """The best rule for a call with ``nargs`` positional args, or None.

    ``scalar``: every argument is a scalar; ``seq``: some argument is a
    list/tuple; ``unknown``: the kind of some argument is not known statically.
    Variants registered for those cases win over general rules.
    """
    rules = _RULES.get(_key(target))
    if not rules:
        return None
    best = None
    for rule in reversed(rules):  # newest registration first
        if rule.nargs is not None and rule.nargs != nargs:
            continue
        if ((rule.kind == "scalar" and not scalar) or (rule.kind == "seq" and not seq)
                or (rule.kind == "unknown" and not unknown)):
            continue
        score = (rule.nargs is not None) + (rule.kind != "any")
        if best is None or score > best[0]:
            best = (score, rule)
    return best[1] if best else None


def is_nondifferentiable(target):
    try:
        return _key(target) in _NONDIFF
    except TypeError:
        return False


def has_rule(target):
    return _key(target) in _RULES


def all_rules():
    return [rule for rules in _RULES.values() for rule in rules]
