"""The ordered passes, and the units of generated code they produce.

The path of a function::

    source.parse_function -> NORMALIZE passes (this list, in this order)
      -> analyses (primitives, activity, kinds)
      -> ReverseMode -> Simplify -> SpecializeShapes -> NameTemporaries
      -> codegen -> compile

A *unit* is the generated code for one (function, mode, wrt, argument kinds,
and -- for derivatives called with arrays -- argument shapes):
a fused ``grad``/``value_and_grad`` function, or the ``fwd``/``bwd`` pair used
for helpers and ``vjp``. Units are cached (keyed by the function's code, the
identities of the callables its closure captures, mode, wrt, kinds, shapes) under a
lock, so threads share them safely.
"""

from __future__ import annotations

import inspect
import linecache
import os
import threading
from dataclasses import dataclass, field

import gast
import numpy as np

from . import (
    adjoints,  # noqa: F401  (registers the rules)
    codegen,
    options,
)
from .adjoints import registry
from .analyses import activity, primitives
from .analyses import kinds as K
from .astutil import anno_get, anno_set, statements
from .compile import CompiledUnit, late_cell, late_ref
from .context import FunctionContext
from .errors import NoRuleError, SourceUnavailableError, SrcgradError, UnsupportedSyntaxError
from .runtime import Where
from .source import parse_function, unwrap
from .transforms.check_supported import CheckSupported
from .transforms.lower_loops import LowerLoops
from .transforms.lower_returns import LowerReturns
from .transforms.name_temporaries import NameTemporaries
from .transforms.normalize_assignments import NormalizeAssignments
from .transforms.reverse_mode import ReverseMode
from .transforms.simplify import Simplify
from .transforms.specialize_shapes import SpecializeShapes
from .transforms.to_anf import ToANF
from .transforms.to_ssa import ToSSA

# Pass classes, in order; each run makes fresh instances (passes keep per-run state).
NORMALIZE = [CheckSupported, LowerReturns, LowerLoops, NormalizeAssignments, ToANF, ToSSA]
DIFFERENTIATE = [ReverseMode, Simplify, SpecializeShapes, NameTemporaries]
STAGES = ["parsed"] + [p.name for p in NORMALIZE] + [p.name for p in DIFFERENTIATE] + ["final"]

_lock = threading.RLock()
_units: dict = {}


def normalize(fn, stop_after=None):
    """Run the normalization passes on ``fn``; returns the FunctionContext."""
    parsed = parse_function(fn)
    ctx = FunctionContext(parsed, parsed.node)
    if stop_after == "parsed":
        return ctx
    for p in NORMALIZE:
        p()(ctx)
        if p.name == stop_after:
            break
    return ctx


@dataclass
class HelperInfo:
    fwd_ref: object
    bwd_ref: object
    fwd_name: str
    bwd_name: str
    active_params: list
    bound: dict = field(default_factory=dict)


@dataclass
class Unit:
    key: tuple
    fn: object
    mode: str
    names: dict
    result_kind: str = None
    functions: list = None
    compiled: CompiledUnit = None
    deps: list = field(default_factory=list)
    done: bool = False
    all_scalar: bool = False   # every value is a scalar: gradients are floats already
    param_shapes: dict = None  # the argument shapes the code is specialized on
    param_kinds: dict = None
    batched_backward: object = None  # see batch_backward.batched_backward (built on demand)


def closure_signature(fn):
    """Identities of the callables and modules ``fn``'s closure captures."""
    if not fn.__closure__:
        return ()
    sig = []
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__):
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if callable(value) or inspect.ismodule(value):
            sig.append((name, id(value)))
    return tuple(sig)


def unit_key(fn, mode, wrt_names, param_kinds, wrt_tuple, param_shapes=None,
             value_needed=True):
    return (fn.__code__, closure_signature(fn), mode, tuple(wrt_names),
            tuple(sorted(param_kinds.items(), key=lambda kv: kv[0])), wrt_tuple,
            tuple(sorted(param_shapes.items())) if param_shapes else None, options.optimize,
            value_needed)


def get_unit(fn, mode, wrt_names, param_kinds, wrt_tuple, stop_after=None, param_shapes=None,
             value_needed=True):
    """The (cached) unit; builds and compiles it and the helpers it calls.

    ``value_needed=False`` (split mode) makes a forward function that returns
    ``(None, tape)``, for callers that only want the pullback (``hvp``).
    ``param_shapes`` (name -> shape of each array argument) specializes the
    generated code on those shapes too (see SpecializeShapes).
    """
    fn = unwrap(fn)
    key = unit_key(fn, mode, wrt_names, param_kinds, wrt_tuple, param_shapes, value_needed)
    with _lock:
        unit = _units.get(key)
        if unit is not None and stop_after is None:
            return unit
        return _build(fn, key, mode, list(wrt_names), param_kinds, wrt_tuple, stop_after,
                      param_shapes, value_needed)


def _unit_names(fn, mode):
    base = fn.__name__ if fn.__name__.isidentifier() else "f"
    if mode == "split":
        return {"fwd": f"{base}_fwd", "bwd": f"{base}_bwd"}
    return {"main": f"{mode}_{base}" if mode != "grad" else f"grad_{base}"}


def _build(fn, key, mode, wrt_names, param_kinds, wrt_tuple, stop_after, param_shapes=None,
           value_needed=True):
    names = _unit_names(fn, mode)
    unit = Unit(key, fn, mode, names)
    if stop_after is None:
        _units[key] = unit  # visible to recursive calls while it is being built
    try:
        ctx = normalize(fn, stop_after=stop_after if stop_after in
                        ["parsed"] + [p.name for p in NORMALIZE] else None)
        if stop_after in ["parsed"] + [p.name for p in NORMALIZE]:
            return ctx
        _differentiate(ctx, unit, wrt_names, param_kinds, wrt_tuple, stop_after, param_shapes,
                       value_needed)
        if stop_after is not None:
            return ctx
        return unit
    except BaseException:
        if _units.get(key) is unit:
            del _units[key]
        raise


def _differentiate(ctx, unit, wrt_names, param_kinds, wrt_tuple, stop_after,
                   param_shapes=None, value_needed=True):
    fn = ctx.fn
    node = ctx.node
    primitives.classify(ctx)
    output = node.body[-1].value.id
    active = activity.analyse(ctx, wrt_names, output)
    helpers = {}

    def call_result_kind(prim, arg_kinds):
        info = _helper_for(ctx, prim, active, arg_kinds, unit)
        if info is None:
            return None
        helpers[id(prim)] = info
        return info[1]

    unit.param_shapes, unit.param_kinds = param_shapes, param_kinds
    kinds = K.infer(ctx, param_kinds, call_result_kind)
    unit.result_kind = kinds.get(output)
    unit.all_scalar = all(k in (K.SCALAR, None) for k in kinds.values())
    ret = node.body[-1]
    ctx.facts.update(
        wrt_names=wrt_names, mode=unit.mode, active=active, kinds=kinds, output=output,
        helpers=helpers, locals=primitives.local_names(node), wrt_tuple=wrt_tuple,
        names=unit.names, param_shapes=param_shapes, value_needed=value_needed,
        where=Where(fn.__qualname__, ctx.parsed.filename, ret.lineno,
                    getattr(ret, "col_offset", None), ctx.parsed.line(ret.lineno)))
    for stmt in statements(node):
        if isinstance(stmt, gast.Assign):
            prim = anno_get(stmt, "prim")
            info = helpers.get(id(prim))
            if info is not None and prim.target in active:
                anno_set(prim, "helper", info[0])
                anno_set(stmt, "tape", ctx.namer.fresh(f"{prim.callee_name.split('.')[-1]}_tape"))
    for p in DIFFERENTIATE:
        p()(ctx)
        if p.name == stop_after:
            return
    unit.functions = ctx.facts["generated"]
    text = codegen.to_source(unit.functions)
    injected = ctx.facts["injector"].injected
    label = f"{fn.__module__}.{fn.__qualname__} {unit.mode}"
    unit.compiled = CompiledUnit(text, unit.names, injected, fn, label)
    unit.deps = [obj for obj in injected.values() if hasattr(obj, "part")]
    if unit.mode == "split":
        for part in ("fwd", "bwd"):
            late_cell(late_ref(unit.key, part)).cell_contents = unit.compiled.bind(
                fn, unit.names[part], with_defaults=(part == "fwd"))
    unit.done = True


_LIBRARY_ROOTS = {"numpy", "scipy", "math", "builtins", "operator", "functools", "srcgrad",
                  "statistics", "random", "itertools", "collections"}


def _is_library(fn):
    """Functions of NumPy, the standard library and srcgrad need rules; we never read them."""
    module = (getattr(fn, "__module__", None) or "").split(".")[0]
    if module in _LIBRARY_ROOTS and not getattr(fn, "__srcgrad_unit__", None):
        return True
    filename = getattr(getattr(fn, "__code__", None), "co_filename", "")
    return "site-packages" in filename or filename.startswith(_STDLIB)


_STDLIB = os.path.dirname(os.__file__)


def _is_user_function(callee):
    fn = unwrap(callee)
    return (inspect.isfunction(fn) and not _is_library(fn) and not registry.has_rule(callee)
            and not registry.is_nondifferentiable(callee))


def _example_value(kind):
    """A value of ``kind``, to pick a grad-made function's specialization.

    Containers get one element of their element kind (two of different kinds
    for 'unknown' elements): the specialization depends on kinds, not lengths.
    """
    if kind == K.SCALAR:
        return 1.0
    if kind == K.ARRAY:
        return np.zeros(1)
    if K.is_seq(kind) or K.is_map(kind):
        inner = K.elt(kind)
        items = [np.zeros(1), 1.0] if inner == K.UNKNOWN else [_example_value(inner)]
        if any(item is None for item in items):
            return None
        return {f"k{i}": v for i, v in enumerate(items)} if K.is_map(kind) else items
    return None


def _generated_behind(ctx, prim, arg_kinds):
    """The generated function a grad-made ``prim.callee`` runs for these argument kinds."""
    d = prim.callee.__srcgrad_derivative__
    n = len(prim.args)
    examples = [_example_value(k) for k in arg_kinds]
    if any(e is None for e in examples):
        raise ctx.error(
            NoRuleError,
            f"srcgrad can differentiate a call of the derivative '{prim.callee_name}' only "
            "with float, array, list, tuple or dict arguments", prim.node,
            hint="pass floats, NumPy arrays or containers of them to it")
    # the example arrays stand for any shape: ask for the shape-generic code
    generated = d.specialize(tuple(examples[:n]), dict(zip(prim.keywords, examples[n:])),
                             shaped=False)
    return getattr(generated, "__srcgrad_generated__", generated)


def _helper_for(ctx, prim, active, arg_kinds, caller_unit):
    """Build (or find) the fwd/bwd unit of a user function called with active args."""
    callee = prim.callee
    if prim.kind != "call" or callee is None:
        return None
    made_by_srcgrad = hasattr(callee, "__srcgrad_derivative__")
    if not made_by_srcgrad and not _is_user_function(callee):
        return None
    atoms = list(prim.args) + list(prim.keywords.values())
    if not any(isinstance(a, gast.Name) and a.id in active for a in atoms):
        return None
    # a grad-made function is differentiated through the code it generated (double backprop)
    target = _generated_behind(ctx, prim, arg_kinds) if made_by_srcgrad else unwrap(callee)
    sig = inspect.signature(target)
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise _variadic_error(target, p)
    try:
        placeholder = sig.bind(*range(len(prim.args)), **{k: k for k in prim.keywords})
    except TypeError as exc:
        raise ctx.error(SrcgradError, f"the call to '{prim.callee_name}' does not match its "
                        f"signature: {exc}", _stmt_of(ctx, prim),
                        hint="pass the arguments the function declares") from None
    bound = {}
    for param, ph in placeholder.arguments.items():
        bound[param] = prim.args[ph] if isinstance(ph, int) else prim.keywords[ph]
    kinds_of_args = dict(zip(list(range(len(prim.args))) + list(prim.keywords), arg_kinds))
    param_kinds = {}
    for param, p in sig.parameters.items():
        if param in bound:
            ph = placeholder.arguments[param]
            param_kinds[param] = kinds_of_args.get(ph)
        else:
            param_kinds[param] = K.kind_of_value(p.default)
    active_params = [p for p in sig.parameters if p in bound and isinstance(bound[p], gast.Name)
                     and bound[p].id in active]
    wrt_tuple = len(active_params) > 1
    key = unit_key(target, "split", active_params, param_kinds, wrt_tuple)
    unit = _units.get(key)
    if unit is None:
        try:
            unit = _build(target, key, "split", active_params, param_kinds, wrt_tuple, None)
        except SourceUnavailableError as exc:
            raise ctx.error(
                NoRuleError,
                f"srcgrad cannot differentiate the call to '{prim.callee_name}': its source "
                f"cannot be read ({exc.message.split(': ', 1)[-1]}) and it has no adjoint rule",
                prim.node, hint=f"define '{prim.callee_name}' in a .py file, or register a rule "
                f"for it with @srcgrad.adjoint({prim.callee_name})") from None
    info = HelperInfo(late_ref(key, "fwd"), late_ref(key, "bwd"), unit.names["fwd"],
                      unit.names["bwd"], active_params, bound)
    return info, unit.result_kind


def _variadic_error(fn, param):
    """Point at the ``*args`` / ``**kwargs`` in ``fn``'s definition."""
    code = fn.__code__
    star = ("*" if param.kind is param.VAR_POSITIONAL else "**") + param.name
    lineno, line = code.co_firstlineno, None
    for n in range(code.co_firstlineno, code.co_firstlineno + 30):
        text = linecache.getline(code.co_filename, n)
        if star in text:
            lineno, line = n, text.rstrip("\n")
            break
    return UnsupportedSyntaxError(
        f"srcgrad cannot differentiate '{fn.__qualname__}', which takes {star}",
        filename=code.co_filename, lineno=lineno, line=line,
        col=line.find(star) if line else None,
        hint="give the function named parameters (pass a list or tuple instead of *args)")


def _stmt_of(ctx, prim):
    for stmt in statements(ctx.node):
        if isinstance(stmt, gast.Assign) and anno_get(stmt, "prim") is prim:
            return stmt
    return None
