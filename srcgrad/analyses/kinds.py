"""What kind of value each name holds: ``scalar``, ``array``, ``seq:<kind>``, ``unknown``.

A flow-insensitive fixpoint from the kinds of the arguments. Generated code
uses it to drop ``unbroadcast`` between scalars, to pick scalar rule variants
(``math.log`` over ``np.log``) and to add sequence cotangents elementwise.

>>> join('scalar', None), join('scalar', 'scalar'), join('scalar', 'array')
('scalar', 'scalar', 'unknown')
"""

from __future__ import annotations

import builtins
import math
import numbers

import gast
import numpy as np

from .. import runtime
from ..astutil import anno_get, statements

SCALAR, ARRAY, UNKNOWN = "scalar", "array", "unknown"


def seq(elt):
    return f"seq:{elt}"


def mapping(elt):
    return f"map:{elt}"


def is_seq(kind):
    return kind is not None and kind.startswith("seq:")


def is_map(kind):
    return kind is not None and kind.startswith("map:")


def elt(kind):
    return kind[4:] if is_seq(kind) or is_map(kind) else UNKNOWN


BOTTOM = "bottom"  # the element kind of an empty list: no information yet


def join(a, b):
    if a is None or a == BOTTOM:
        return b
    if b is None or b == BOTTOM or a == b:
        return a
    if is_seq(a) and is_seq(b):
        return seq(join(elt(a), elt(b)))
    if is_map(a) and is_map(b):
        return mapping(join(elt(a), elt(b)))
    return UNKNOWN


def kind_of_value(value):
    """The kind of a runtime value (used for arguments and constants)."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, numbers.Real) and \
            not isinstance(value, np.ndarray):
        return SCALAR
    if isinstance(value, np.ndarray):
        return ARRAY
    if isinstance(value, (list, tuple)):
        return seq(_container_elt(value))
    if isinstance(value, dict):
        return mapping(_container_elt(value.values()))
    if value is None:
        return None
    return UNKNOWN


def _container_elt(values):
    """Arrays if every element is an array; never 'scalar' (the cache keys on type only)."""
    values = list(values)
    if values and all(isinstance(v, np.ndarray) for v in values):
        return ARRAY
    return UNKNOWN


def kind_of_type(tp):
    """The kind for values of type ``tp`` (the API keys its cache on types)."""
    if issubclass(tp, (bool, int, float, np.floating, np.integer, np.bool_)):
        return SCALAR
    if issubclass(tp, np.ndarray):
        return ARRAY
    if issubclass(tp, (list, tuple)):
        return seq(UNKNOWN)
    if tp is type(None):
        return None
    return UNKNOWN


_FOLLOW_ARGS = {builtins.abs, builtins.float, builtins.round, builtins.pow}
_ALWAYS_SCALAR = {builtins.len, builtins.int, builtins.bool, builtins.float}


def infer(ctx, param_kinds, call_result_kind):
    """Kinds of all names; ``call_result_kind(prim, arg_kinds)`` answers for user calls."""
    kinds = dict(param_kinds)
    stmts = [s for s in statements(ctx.node) if isinstance(s, gast.Assign)]
    loops = [s for s in statements(ctx.node) if isinstance(s, gast.For)]
    for loop in loops:
        kinds[loop.target.id] = SCALAR
    for _ in range(20):
        changed = False
        for stmt in stmts:
            prim = anno_get(stmt, "prim")
            new = join(kinds.get(prim.target), _prim_kind(prim, stmt.value, kinds,
                                                         call_result_kind))
            if new != kinds.get(prim.target):
                kinds[prim.target] = new
                changed = True
        if not changed:
            break
    return kinds


def _atom_kind(node, kinds):
    if isinstance(node, gast.Constant):
        return kind_of_value(node.value)
    if isinstance(node, gast.Name):
        return kinds.get(node.id, UNKNOWN if node.id not in kinds else None)
    return UNKNOWN


def _combine(arg_kinds):
    result = None
    for k in arg_kinds:
        if k is None:
            continue
        if k == UNKNOWN:
            return UNKNOWN
        if result is None:
            result = k
        elif result != k:
            if ARRAY in (result, k) and SCALAR in (result, k):
                result = ARRAY
            elif is_seq(result) or is_seq(k):
                result = join(result, k) if is_seq(result) and is_seq(k) else UNKNOWN
            else:
                return UNKNOWN
    return result


def _prim_kind(prim, value, kinds, call_result_kind):
    args = [_atom_kind(a, kinds) for a in prim.args]
    if prim.kind == "copy":
        return args[0]
    if prim.kind == "const":
        if isinstance(value, gast.Constant):
            return kind_of_value(value.value)
        return UNKNOWN
    if prim.kind == "op":
        if any(is_seq(a) for a in args):
            return _combine(a for a in args if is_seq(a)) if all(
                is_seq(a) or a == SCALAR for a in args) else UNKNOWN
        return _combine(args)
    if prim.kind == "compare":
        c = _combine(args)
        return SCALAR if c == SCALAR else (ARRAY if c == ARRAY else UNKNOWN)
    if prim.kind == "literal":
        e = BOTTOM if not args else None
        for a in args:
            e = join(e, a)
        return seq(e or UNKNOWN)
    if prim.kind == "dict":
        e = BOTTOM if not args else None
        for a in args:
            e = join(e, a)
        return mapping(e or UNKNOWN)
    if prim.kind == "subscript":
        if isinstance(value.slice, gast.Slice):
            return args[0] if is_seq(args[0]) or args[0] == ARRAY else UNKNOWN
        if args[0] == ARRAY:
            return ARRAY  # an element or a sub-array; ARRAY code handles both
        e = elt(args[0]) if is_seq(args[0]) or is_map(args[0]) else UNKNOWN
        return None if e == BOTTOM else e
    if prim.kind in ("method", "attribute"):
        return _member_kind(prim, args)
    if prim.kind == "call":
        callee = prim.callee
        kw = [_atom_kind(v, kinds) for v in prim.keywords.values()]
        if callee is None:
            return UNKNOWN
        if callee in (builtins.range,):
            return seq(SCALAR)
        if callee in (builtins.list, builtins.tuple) and args and is_seq(args[0]):
            return args[0]
        if callee in (builtins.sum, builtins.max, builtins.min) and len(args) == 1:
            return elt(args[0]) if is_seq(args[0]) else UNKNOWN
        if callee in (builtins.max, builtins.min) and len(args) > 1:
            return _combine(args)
        if callee in _ALWAYS_SCALAR and callee is not builtins.float:
            return SCALAR
        if callee in _FOLLOW_ARGS:
            return _combine(args) if _combine(args) in (SCALAR, ARRAY) else UNKNOWN
        if getattr(callee, "__module__", None) == "math" or _is_math(callee):
            return SCALAR
        if isinstance(callee, np.ufunc):
            return _combine(args + kw)
        if callee is runtime.setitem:
            return args[0]
        if callee in _FULL_REDUCTIONS and len(prim.args) == 1 and not prim.keywords \
                and args[0] in (ARRAY, SCALAR):
            return SCALAR  # np.sum(x) and friends without axis/keepdims: a NumPy scalar
        if _is_numpy(callee):
            return ARRAY  # arrays, or NumPy scalars, which ARRAY code handles too
        result = call_result_kind(prim, args + kw)
        return result if result is not None else UNKNOWN
    return UNKNOWN


def _is_numpy(callee):
    module = getattr(callee, "__module__", None) or ""
    return module == "numpy" or module.startswith("numpy.")


_FULL_REDUCTIONS = {np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin, np.var,
                    np.std, np.linalg.norm, np.trace, np.vdot}
_REDUCTION_METHODS = {"sum", "mean", "prod", "max", "min", "var", "std", "trace"}
_ARRAY_NONDIFF_ATTRS = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides"}


def _member_kind(prim, args):
    """Kind of ``x.attr`` / ``x.method(...)``; also resolves which member it is."""
    receiver = args[0]
    name = prim.callee_name
    if receiver in (ARRAY, UNKNOWN) or receiver == SCALAR:
        member = getattr(np.ndarray, name, None)
        if member is None:
            return UNKNOWN
        if receiver == ARRAY or receiver == UNKNOWN:
            prim.callee = member
            prim.resolved = True
        if name == "shape":
            return seq(SCALAR)
        if name in _ARRAY_NONDIFF_ATTRS or name in ("item",):
            return SCALAR
        if prim.kind == "method" and name in _REDUCTION_METHODS and len(prim.args) == 1 \
                and not prim.keywords:
            return SCALAR  # x.sum() and friends without arguments
        if name == "tolist":
            return UNKNOWN
        return ARRAY
    return UNKNOWN


def _is_math(callee):
    try:
        return getattr(math, callee.__name__, None) is callee
    except AttributeError:
        return False
