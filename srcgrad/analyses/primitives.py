"""Classify each ANF assignment: what primitive it computes and what it calls.

``classify(ctx)`` annotates every ``name = prim`` statement with a
:class:`Prim` (key ``"prim"``) and returns the list of those statements.
Callees are resolved statically: dotted names through the function's
globals, closure cells and builtins (``np.sin`` -> the ``numpy.sin`` object).
"""

from __future__ import annotations

import builtins
import operator
from dataclasses import dataclass, field

import gast

from .. import runtime
from ..astutil import anno_set, names_stored, statements

BINOPS = {
    gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
    gast.Div: operator.truediv, gast.Pow: operator.pow, gast.FloorDiv: operator.floordiv,
    gast.Mod: operator.mod, gast.MatMult: operator.matmul,
    gast.BitAnd: operator.and_, gast.BitOr: operator.or_, gast.BitXor: operator.xor,
    gast.LShift: operator.lshift, gast.RShift: operator.rshift,
}
UNARYOPS = {gast.USub: operator.neg, gast.UAdd: operator.pos, gast.Not: operator.not_,
            gast.Invert: operator.invert}
_UNRESOLVED = object()
SPECIAL = {"__srcgrad_setitem__": runtime.setitem}  # names normalization passes introduce


@dataclass
class Prim:
    kind: str   # copy, const, op, call, method, subscript, literal, dict, attribute, compare,
    #             other
    target: str
    args: list = field(default_factory=list)       # atom nodes, positional
    keywords: dict = field(default_factory=dict)   # name -> atom node
    callee: object = None   # resolved callable for op / call
    callee_name: str = ""   # how the source spells it
    resolved: bool = True
    node: object = None     # the expression node (for error positions)


def local_names(fn_node):
    names = set(names_stored(fn_node))
    return names


def resolve(ctx, node):
    """The object a dotted name refers to at transform time, or ``_UNRESOLVED``."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, gast.Name):
        return _UNRESOLVED
    root = node.id
    if root in ctx.facts.setdefault("locals", local_names(ctx.node)):
        return _UNRESOLVED
    fn = ctx.fn
    code = fn.__code__
    if root in code.co_freevars and fn.__closure__:
        try:
            obj = fn.__closure__[code.co_freevars.index(root)].cell_contents
        except ValueError:
            return _UNRESOLVED
    elif root in fn.__globals__:
        obj = fn.__globals__[root]
    elif hasattr(builtins, root):
        obj = getattr(builtins, root)
    else:
        return _UNRESOLVED
    for attr in reversed(parts):
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            return _UNRESOLVED
    return obj


def classify(ctx):
    stmts = []
    for stmt in statements(ctx.node):
        if isinstance(stmt, gast.Assign):
            prim = _classify(ctx, stmt.targets[0].id, stmt.value)
            prim.node = _position(stmt.value) or stmt
            anno_set(stmt, "prim", prim)
            stmts.append(stmt)
    return stmts


def _classify(ctx, target, value):
    if isinstance(value, gast.Name):
        return Prim("copy", target, [value])
    if isinstance(value, gast.Constant):
        return Prim("const", target)
    if isinstance(value, gast.BinOp):
        return Prim("op", target, [value.left, value.right], callee=BINOPS[type(value.op)],
                    callee_name=type(value.op).__name__)
    if isinstance(value, gast.UnaryOp):
        return Prim("op", target, [value.operand], callee=UNARYOPS[type(value.op)],
                    callee_name=type(value.op).__name__)
    if isinstance(value, gast.Compare):
        return Prim("compare", target, [value.left] + list(value.comparators))
    if isinstance(value, gast.Call):
        callee = resolve(ctx, value.func)
        name = _spell(value.func)
        keywords = {kw.arg: kw.value for kw in value.keywords if kw.arg is not None}
        if callee is _UNRESOLVED and isinstance(value.func, gast.Attribute) \
                and isinstance(value.func.value, gast.Name):
            # x.method(...): the receiver is the first argument; which method it is
            # depends on x's kind (resolved by the kinds analysis)
            return Prim("method", target, [value.func.value] + list(value.args), keywords,
                        callee_name=value.func.attr, resolved=False)
        special = SPECIAL.get(getattr(value.func, "id", None))
        if special is not None:
            callee = special
        return Prim("call", target, list(value.args), keywords,
                    callee=None if callee is _UNRESOLVED else callee, callee_name=name,
                    resolved=callee is not _UNRESOLVED)
    if isinstance(value, gast.Subscript):
        return Prim("subscript", target, [value.value])
    if isinstance(value, (gast.Tuple, gast.List)):
        return Prim("literal", target, list(value.elts))
    if isinstance(value, gast.Dict) and all(k is not None for k in value.keys):
        prim = Prim("dict", target, list(value.values))
        prim.keys = list(value.keys)
        return prim
    if isinstance(value, gast.Attribute):
        obj = resolve(ctx, value)
        if obj is not _UNRESOLVED:
            return Prim("const", target)  # e.g. math.pi, np.newaxis
        return Prim("attribute", target, [value.value], callee_name=value.attr)
    return Prim("other", target)


@dataclass
class Position:
    lineno: int
    col_offset: int


def _position(value):
    """Where to point for ``value``: a call points at its function's name."""
    if getattr(value, "lineno", None) is None:
        return None
    if isinstance(value, gast.Call):
        func = value.func
        if isinstance(func, gast.Attribute) and getattr(func, "end_col_offset", None) is not None:
            return Position(func.end_lineno, func.end_col_offset - len(func.attr))
        if getattr(func, "lineno", None) is not None:
            return Position(func.lineno, func.col_offset)
    return value


def _spell(func):
    parts = []
    while isinstance(func, gast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, gast.Name):
        parts.append(func.id)
        return ".".join(reversed(parts))
    return "<expression>"
