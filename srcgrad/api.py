"""The public transforms: ``grad``, ``value_and_grad``, ``vjp``, ``source``, ``show``.

A derivative made here is a thin dispatcher: on each call it looks up the
generated function specialized for the *types* of the arguments (a Python
float takes the scalar path with no ``unbroadcast`` calls, an ndarray the
general path) and calls it. The first call with new argument types
transforms ``f`` (or reuses a cached unit); later calls cost one dict lookup.
"""

from __future__ import annotations

import functools
import inspect
import threading

import numpy as np

from . import pipeline
from .analyses import kinds as K
from .compile import register_source
from .errors import NonDifferentiableArgumentError, SourceUnavailableError, SrcgradError, WrtError
from .source import unwrap
from .transforms import batch_backward


def _location(fn):
    code = fn.__code__
    import linecache
    line = linecache.getline(code.co_filename, code.co_firstlineno).rstrip("\n") or None
    return dict(filename=code.co_filename, lineno=code.co_firstlineno, line=line)


def resolve_wrt(fn, wrt):
    """Parameter names for ``wrt`` (positions or names); and whether it was a tuple."""
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    names = [p.name for p in params]
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                       p.POSITIONAL_OR_KEYWORD)]
    is_tuple = isinstance(wrt, (tuple, list))
    items = list(wrt) if is_tuple else [wrt]
    if is_tuple and not items:
        raise WrtError("wrt=() names no argument to differentiate with respect to",
                       **_location(fn), hint="pass a position or a parameter name")
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise WrtError(f"wrt must be a position, a parameter name or a tuple of them, "
                           f"not {item!r}", **_location(fn),
                           hint="e.g. wrt=0, wrt='x' or wrt=(0, 'y')")
        if isinstance(item, int):
            index = item if item >= 0 else len(positional) + item
            if not 0 <= index < len(positional):
                raise WrtError(f"wrt={item} is out of range: {fn.__qualname__} has "
                               f"{len(positional)} positional parameter(s) "
                               f"({', '.join(positional)})", **_location(fn),
                               hint=f"use a position from 0 to {len(positional) - 1} or a name")
            out.append(positional[index])
        else:
            if item not in names:
                raise WrtError(f"wrt={item!r} names no parameter of {fn.__qualname__}"
                               f"({', '.join(names)})", **_location(fn),
                               hint=f"use one of: {', '.join(names)}")
            out.append(item)
    if len(set(out)) != len(out):
        raise WrtError(f"wrt={wrt!r} names the same parameter twice", **_location(fn),
                       hint="name each parameter once")
    return out, is_tuple


def _check_wrt_value(fn, name, value):
    if isinstance(value, (bool, np.bool_)) or isinstance(value, (int, np.integer)):
        kind = type(value).__name__
        raise NonDifferentiableArgumentError(
            f"cannot differentiate {fn.__qualname__} with respect to '{name}': it is an "
            f"{kind} ({value!r}), which has no derivative", **_location(fn),
            hint=f"pass a float (e.g. {float(value)!r}) or exclude '{name}' from wrt")
    if isinstance(value, np.ndarray):
        if np.issubdtype(value.dtype, np.complexfloating):
            raise NonDifferentiableArgumentError(
                f"cannot differentiate {fn.__qualname__} with respect to '{name}': complex "
                "arrays are not supported", **_location(fn),
                hint="split the value into real and imaginary float arrays")
        if not np.issubdtype(value.dtype, np.floating):
            raise NonDifferentiableArgumentError(
                f"cannot differentiate {fn.__qualname__} with respect to '{name}': it is an "
                f"array of {value.dtype}, which has no derivative", **_location(fn),
                hint=f"pass {name}.astype(float) or exclude '{name}' from wrt")
        return
    if isinstance(value, complex):
        raise NonDifferentiableArgumentError(
            f"cannot differentiate {fn.__qualname__} with respect to '{name}': complex "
            "numbers are not supported", **_location(fn),
            hint="split the value into real and imaginary floats")
    if isinstance(value, (float, np.floating)):
        return
    if isinstance(value, (list, tuple, dict)):
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            _check_wrt_value(fn, name, item)
        return
    raise NonDifferentiableArgumentError(
        f"cannot differentiate {fn.__qualname__} with respect to '{name}': a "
        f"{type(value).__name__} has no derivative", **_location(fn),
        hint="differentiate with respect to float or ndarray arguments")


def _shape_like(grad, value):
    """Give a zero or scalar cotangent the type/shape of the primal ``value``."""
    if type(value) is np.ndarray and type(grad) is np.ndarray \
            and grad.shape == value.shape and grad.dtype == value.dtype:
        return grad
    if isinstance(value, np.ndarray):
        if not isinstance(grad, np.ndarray) or grad.shape != value.shape:
            return np.broadcast_to(np.asarray(grad, dtype=value.dtype), value.shape).copy()
        if grad.dtype != value.dtype:
            return grad.astype(value.dtype)
        return grad
    if isinstance(value, (list, tuple)):
        if grad is None or (isinstance(grad, (float, int)) and grad == 0):
            grad = [0.0] * len(value)
        return type(value)(_shape_like(g, v) for g, v in zip(grad, value))
    if isinstance(value, dict):
        if grad is None or not isinstance(grad, dict):
            grad = {}
        return {key: _shape_like(grad.get(key, 0.0), v) for key, v in value.items()}
    if isinstance(grad, np.ndarray) and grad.ndim == 0:
        return float(grad)
    return grad


def _shapes_of(values):
    """What generated code is specialized on: each array argument's shape, and the
    shapes of the arrays in a dict, list or tuple argument of arrays only."""
    shapes = {}
    for name, value in values.items():
        if type(value) is np.ndarray:
            shapes[name] = value.shape
        elif isinstance(value, dict) and value and all(
                type(v) is np.ndarray for v in value.values()) and all(
                type(k) in (str, int) for k in value):
            shapes[name] = ("items",) + tuple(sorted(
                ((k, v.shape) for k, v in value.items()), key=repr))
        elif isinstance(value, (list, tuple)) and value and all(
                type(v) is np.ndarray for v in value):
            shapes[name] = ("items",) + tuple(enumerate(v.shape for v in value))
    return shapes


def _replayable(tape):
    """The tape with its stack copied: the backward code pops it, and a pullback may be
    called more than once."""
    return tuple(list(entry) if type(entry) is list else entry for entry in tape)


def _cotangent_like(cotangent, value):
    """The cotangent as the generated backward function expects it: the value's shape."""
    if type(value) is np.ndarray:
        if type(cotangent) is np.ndarray and cotangent.shape == value.shape:
            return cotangent
        return np.broadcast_to(np.asarray(cotangent, dtype=np.result_type(value, float)),
                               value.shape)
    if isinstance(value, (float, np.floating)) and isinstance(cotangent, np.ndarray) \
            and cotangent.size == 1:
        return float(cotangent.reshape(()))
    return cotangent


def specialized_target(fn, args, kwargs):
    """What to read for ``fn`` called with ``args``.

    A derivative srcgrad made is a dispatcher; what it runs for these
    argument types is a generated function with readable source, and that is
    what gets differentiated (so ``grad(grad(f))`` differentiates code).
    """
    d = getattr(fn, "__srcgrad_derivative__", None)
    while d is not None:
        generated = d.specialize(args, kwargs)
        fn = getattr(generated, "__srcgrad_generated__", generated)
        d = getattr(fn, "__srcgrad_derivative__", None)
    return fn


SHAPE_SPECIALIZATIONS = 8  # shape combinations per derivative before going shape-generic


class _Derivative:
    """Shared machinery of the dispatching wrappers."""

    def __init__(self, f, wrt, mode):
        self.f = f
        self.fn = unwrap(f)
        if not inspect.isfunction(self.fn):
            raise SourceUnavailableError(
                f"srcgrad cannot differentiate {f!r}: it is not a Python function with "
                "readable source", hint="differentiate a Python function that calls it, and "
                "register a rule for it with @srcgrad.adjoint")
        self.mode = mode
        self.wrt_names, self.wrt_tuple = resolve_wrt(self.fn, wrt)
        self.signature = inspect.signature(self.fn)
        self.cache = {}
        self.shape_signatures = set()
        self.last = None
        self.lock = threading.Lock()

    def specialize(self, args, kwargs, shaped=True):
        """The generated function for these arguments' types (and array shapes).

        Array shapes are part of the specialization (so broadcasting is decided
        once, in the text) for the first ``SHAPE_SPECIALIZATIONS`` shape
        combinations; a function called with ever new shapes then shares one
        shape-generic unit, so it is not transformed again and again.
        """
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = bound.arguments
        for name in self.wrt_names:
            _check_wrt_value(self.fn, name, values[name])
        param_kinds = {name: K.kind_of_value(value) for name, value in values.items()}
        param_shapes = _shapes_of(values)
        if param_shapes and shaped:
            signature = (tuple(sorted(param_kinds.items(), key=lambda kv: kv[0])),
                         tuple(sorted(param_shapes.items())))
            if signature not in self.shape_signatures:
                if len(self.shape_signatures) >= SHAPE_SPECIALIZATIONS:
                    param_shapes = None
                else:
                    self.shape_signatures.add(signature)
        else:
            param_shapes = None
        target = specialized_target(self.fn, args, kwargs)
        unit = pipeline.get_unit(target, self.mode, self.wrt_names, param_kinds,
                                 self.wrt_tuple, param_shapes=param_shapes)
        generated = unit.compiled.bind(target, unit.names["main"])
        needs_fix = not unit.all_scalar or any(
            not isinstance(values[n], (float, np.floating)) for n in self.wrt_names)
        if needs_fix:
            generated = self._fixing(generated, values)
        self.last = unit
        return generated

    def _fixing(self, generated, example):
        """Wrap ``generated`` so each gradient has its argument's type, shape and dtype."""
        is_tuple, mode = self.wrt_tuple, self.mode
        params = list(self.signature.parameters.values())
        # where each wrt argument is found in a call: (position or None, name, default)
        where = []
        for name in self.wrt_names:
            index = next(i for i, p in enumerate(params) if p.name == name)
            positional = params[index].kind in (params[index].POSITIONAL_ONLY,
                                                params[index].POSITIONAL_OR_KEYWORD)
            where.append((index if positional else None, name, params[index].default))

        def value_of(spot, args, kwargs):
            index, name, default = spot
            if index is not None and index < len(args):
                return args[index]
            return kwargs.get(name, default)

        def fixed(*args, **kwargs):
            result = generated(*args, **kwargs)
            grads = result if mode == "grad" else result[1]
            if is_tuple:
                grads = tuple(_shape_like(g, value_of(spot, args, kwargs))
                              for g, spot in zip(grads, where))
            else:
                grads = _shape_like(grads, value_of(where[0], args, kwargs))
            return grads if mode == "grad" else (result[0], grads)

        fixed.__srcgrad_unit__ = generated.__srcgrad_unit__
        fixed.__srcgrad_generated__ = generated
        return fixed

    def default_unit(self):
        """The unit last used, or (before any call) the one for float arguments."""
        if self.last is None:
            args = [1.0 if p.default is p.empty or p.name in self.wrt_names else p.default
                    for p in self.signature.parameters.values()
                    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            kwargs = {p.name: 1.0 if p.default is p.empty else p.default
                      for p in self.signature.parameters.values() if p.kind is p.KEYWORD_ONLY}
            self.specialize(tuple(args), kwargs)
        return self.last


def _dispatcher_text(name, signature):
    """Source of a dispatcher with exactly ``signature``'s parameters.

    Python binds the arguments itself (no ``*args`` packing); the generated
    function for the argument types is one dict lookup away.
    """
    params, call, key = [], [], []
    saw_posonly = saw_star = False
    for p in signature.parameters.values():
        if p.kind is p.POSITIONAL_ONLY:
            saw_posonly = True
        elif saw_posonly:
            params.append("/")
            saw_posonly = False
        if p.kind is p.VAR_POSITIONAL:
            params.append(f"*{p.name}")
            call.append(f"*{p.name}")
            key.append(f"tuple(map(type, {p.name}))")
            saw_star = True
            continue
        if p.kind is p.VAR_KEYWORD:
            params.append(f"**{p.name}")
            call.append(f"**{p.name}")
            key.append(f"tuple((k, type(v)) for k, v in {p.name}.items())")
            continue
        if p.kind is p.KEYWORD_ONLY and not saw_star:
            params.append("*")
            saw_star = True
        params.append(p.name)
        call.append(f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else p.name)
        key.append(f"({p.name}.shape if type({p.name}) is ndarray else type({p.name}) "
                   f"if type({p.name}) is float else key_of({p.name}))")
    if not key:
        key.append("None")
    if saw_posonly:
        params.append("/")
    key_text = f"({key[0]},)" if len(key) == 1 else f"({', '.join(key)})"
    args = ", ".join(call)
    return (f"def {name}({', '.join(params)}):\n"
            f"    fn = cache_get({key_text})\n"
            f"    if fn is None:\n"
            f"        fn = miss({args})\n"
            f"    return fn({args})\n")


def _key_part(value):
    """What the dispatcher keys a value on: an array's shape; for a dict, list or tuple,
    the shapes of its arrays (code is specialized on them, see ``_shapes_of``); any
    other value's type."""
    kind = type(value)
    if kind is np.ndarray:
        return value.shape
    if kind is dict:
        return (dict,) + tuple((k, v.shape if type(v) is np.ndarray else type(v))
                               for k, v in value.items())
    if kind is list or kind is tuple:
        return (kind,) + tuple(v.shape if type(v) is np.ndarray else type(v) for v in value)
    return kind


def _make(f, wrt, mode):
    d = _Derivative(f, wrt, mode)
    cache = d.cache
    names = list(d.signature.parameters)

    def miss(*args, **kwargs):
        key = tuple(_key_part(v) for v in args) + tuple(_key_part(v) for v in kwargs.values())
        with d.lock:
            generated = cache.get(key)
            if generated is None:
                generated = cache[key] = d.specialize(args, kwargs)
        return generated

    name = f"{mode}_{d.fn.__name__}" if d.fn.__name__.isidentifier() else mode
    text = _dispatcher_text(name, d.signature)
    filename = register_source(f"dispatch {d.fn.__qualname__}", text)
    namespace = {"cache_get": cache.get, "miss": miss, "ndarray": np.ndarray,
                 "key_of": _key_part}
    exec(compile(text, filename, "exec"), namespace)
    derivative = namespace[name]
    derivative.__defaults__ = d.fn.__defaults__
    derivative.__kwdefaults__ = d.fn.__kwdefaults__
    functools.update_wrapper(derivative, d.fn)
    derivative.__srcgrad_derivative__ = d
    derivative.__name__ = name
    derivative.__qualname__ = f"{mode}({d.fn.__qualname__})"
    del names
    return derivative


def grad(f=None, wrt=0):
    """The gradient of ``f``'s scalar output.

    Args:
        f: a Python function with a scalar (float, 0-d or size-1 array) output.
        wrt: a position, a parameter name, or a tuple of them.

    Returns:
        A function with ``f``'s signature returning the gradient (a tuple of
        gradients when ``wrt`` is a tuple), each shaped like its argument.

    Example::

        >>> import srcgrad
        >>> def f(x, y):
        ...     return x * x * y
        >>> srcgrad.grad(f)(3.0, 2.0)
        12.0
        >>> srcgrad.grad(f, wrt=(0, 'y'))(3.0, 2.0)
        (12.0, 9.0)

    ``@srcgrad.grad`` and ``@srcgrad.grad(wrt=...)`` work as decorators.
    """
    if f is None:
        return lambda fn: grad(fn, wrt)
    if not callable(f):
        raise TypeError(f"grad expects a function, got {f!r}; use grad(wrt=...) as a decorator")
    return _make(f, wrt, "grad")


def value_and_grad(f=None, wrt=0):
    """Like :func:`grad`, but the function returns ``(value, gradient)``.

    Example::

        >>> import srcgrad
        >>> srcgrad.value_and_grad(lambda x: x ** 3)(2.0)
        (8.0, 12.0)
    """
    if f is None:
        return lambda fn: value_and_grad(fn, wrt)
    return _make(f, wrt, "value_and_grad")


def vjp(f, wrt=0, *, _value=True, _parts=False):
    """A function returning ``(value, pullback)``; ``pullback(ct)`` is the VJP.

    Works for any output (scalar, array, tuple); ``ct`` has the output's shape.

    Example::

        >>> import srcgrad
        >>> value, pullback = srcgrad.vjp(lambda x: x * x)(3.0)
        >>> value, pullback(1.0)
        (9.0, 6.0)
    """
    fn = unwrap(f)
    wrt_names, wrt_tuple = resolve_wrt(fn, wrt)
    signature = inspect.signature(fn)
    cache = {}

    shape_signatures = set()

    positional = [p.name for p in signature.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    simple = len(positional) == len(signature.parameters)

    @functools.wraps(fn)
    def with_pullback(*args, **kwargs):
        if simple and not kwargs and len(args) == len(positional):
            values = dict(zip(positional, args))  # the common case, without bind()
        else:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            values = bound.arguments
        key = tuple(map(_key_part, values.values()))
        pair = cache.get(key)
        if pair is None:
            for name in wrt_names:
                _check_wrt_value(fn, name, values[name])
            kinds = {k: K.kind_of_value(v) for k, v in values.items()}
            shapes = _shapes_of(values)
            if shapes and len(shape_signatures) < SHAPE_SPECIALIZATIONS:
                shape_signatures.add(key)
            else:
                shapes = None
            target = specialized_target(fn, args, kwargs)
            unit = pipeline.get_unit(target, "split", wrt_names, kinds, wrt_tuple,
                                     param_shapes=shapes, value_needed=_value)
            pair = cache[key] = [unit.compiled.bind(target, unit.names["fwd"]),
                                 unit.compiled.bind(target, unit.names["bwd"],
                                                    with_defaults=False), unit, target, None]
        fwd, bwd, unit, target, lists = pair
        value, tape = fwd(*args, **kwargs)
        if lists is None:  # where the tape holds lists (the stack): copied per pullback
            lists = pair[4] = [i for i, entry in enumerate(tape) if type(entry) is list]
        if _parts:
            return value, tape, bwd, unit, target, values

        def pullback(cotangent):
            replay = tape
            if lists:
                replay = list(tape)
                for i in lists:
                    replay[i] = list(replay[i])
            grads = bwd(replay, _cotangent_like(cotangent, value))
            if wrt_tuple:
                return tuple(_shape_like(g, values[n]) for g, n in zip(grads, wrt_names))
            return _shape_like(grads, values[wrt_names[0]])

        return value, pullback

    return with_pullback


def _units_of(g, args=None, kwargs=None):
    d = getattr(g, "__srcgrad_derivative__", None)
    if d is not None:
        if args or kwargs:
            d.specialize(tuple(args or ()), dict(kwargs or {}))
            return d.last.compiled
        unit = d.default_unit()
        return unit.compiled
    unit = getattr(g, "__srcgrad_unit__", None)
    if unit is None:
        raise SrcgradError(f"{g!r} was not made by srcgrad",
                           hint="pass a function returned by srcgrad.grad, value_and_grad, ...")
    return unit


def source(g, *args, **kwargs):
    """The generated Python source of a function srcgrad made (helpers included).

    srcgrad specializes generated code on the argument types; ``source(g)``
    shows the code of ``g``'s last call (float arguments if it was never
    called), ``source(g, *args)`` the code for arguments like ``args``.
    """
    first = _units_of(g, args, kwargs)
    seen, order, todo = set(), [], [first]
    while todo:
        unit = todo.pop(0)
        if id(unit) in seen:
            continue
        seen.add(id(unit))
        order.append(unit)
        for obj in unit.injected.values():
            if hasattr(obj, "part"):
                dep = pipeline._units.get(obj.key)
                if dep is not None and dep.compiled is not None:
                    todo.append(dep.compiled)
    return "\n\n".join(u.body_text.rstrip("\n") + "\n" for u in order)


def show(f, wrt=0, order=1):
    """Print the generated source of ``f``'s derivative of the given order."""
    g = f
    for _ in range(order):
        g = grad(g, wrt)
    print(source(g), end="")


def hvp(f, wrt=0):
    """A function ``(x, v, *rest)`` returning the Hessian-vector product ``H(x) v``.

    Reverse over reverse: the pullback of srcgrad's generated gradient, applied
    to ``v``; the Hessian is never formed.

    Example::

        >>> import numpy as np, srcgrad
        >>> def f(x):
        ...     return np.sum(x ** 2)
        >>> srcgrad.hvp(f)(np.array([1.0, 2.0]), np.array([4.0, 5.0]))
        array([ 8., 10.])
    """
    fn = unwrap(f)
    names, is_tuple = resolve_wrt(fn, wrt)
    if is_tuple:
        raise WrtError("hvp takes a single wrt argument", **_location(fn),
                       hint="call hvp once per argument, or pack them into one array")
    position = list(inspect.signature(fn).parameters).index(names[0])
    gradient = vjp(grad(f, wrt=wrt), wrt=wrt, _value=False)  # the gradient itself is unused

    def hessian_vector_product(*args):
        if len(args) < 2:
            raise TypeError("hvp(f)(x, v, *rest): give the point and the vector")
        rest = list(args[2:])
        point = rest[:position] + [args[0]] + rest[position:]
        v = _cotangent_like(args[1], args[0])
        _, pullback = gradient(*point)
        return pullback(v)

    return hessian_vector_product


def jacobian(f, wrt=0):
    """The Jacobian of ``f``: shape ``out.shape + in.shape``.

    All rows come from one pass of the backward code over a stack of seeds
    (see ``transforms.batch_backward``); where that code has an operation with
    no batched form, one pullback per output element.

    Example::

        >>> import numpy as np, srcgrad
        >>> def f(x):
        ...     return x ** 2
        >>> srcgrad.jacobian(f)(np.array([1.0, 3.0]))
        array([[2., 0.],
               [0., 6.]])
    """
    parts_of = vjp(f, wrt=wrt, _parts=True)
    fn = unwrap(f)
    names, _ = resolve_wrt(fn, wrt)

    def jacobian_of(*args, **kwargs):
        value, tape, bwd, unit, target, values = parts_of(*args, **kwargs)
        x = values[names[0]]
        x_shape = np.shape(x)
        value_shape = np.shape(value)
        batched = batch_backward.compile_batched_backward(unit, target)
        if batched is not None:
            # every row of the identity at once: one pass of the batched backward code
            seeds = np.eye(max(int(np.prod(value_shape)), 1)).reshape((-1,) + value_shape)
            if not isinstance(value, np.ndarray):
                seeds = seeds.reshape(-1)
            rows = np.asarray(batched(tape, seeds), dtype=float)
            if rows.shape != (len(seeds),) + x_shape:  # the same for every row (a zero)
                rows = np.broadcast_to(rows, (len(seeds),) + x_shape)
        else:
            rows = []
            for index in np.ndindex(value_shape):
                seed = np.zeros(value_shape)
                seed[index] = 1.0
                cotangent = _cotangent_like(seed if value_shape else 1.0, value)
                rows.append(np.broadcast_to(np.asarray(bwd(_replayable(tape), cotangent),
                                                       dtype=float), x_shape))
            rows = np.array(rows)
        out = np.array(rows, dtype=float).reshape(value_shape + x_shape)
        return float(out) if out.ndim == 0 else out

    return jacobian_of


def hessian(f, wrt=0):
    """The Hessian of a scalar ``f``: a float for a float input, ``x.shape + x.shape``
    for an array input (the Jacobian of srcgrad's generated gradient).

    Example::

        >>> import srcgrad
        >>> def f(x):
        ...     return x ** 4 - 2 * x ** 2
        >>> srcgrad.hessian(f)(2.0)
        44.0
    """
    return jacobian(grad(f, wrt=wrt), wrt=wrt)
