"""srcgrad's derivatives at a point against central differences, as a table (``srcgrad check``).

``parse_point("[1.0, 2.0], 3.0")`` reads the point (Python literals; lists
become float arrays); ``prepare`` binds it to the function's parameters and
picks what to differentiate; ``compare`` returns one :class:`Section` of
:class:`Row` s per order; ``report`` formats them.

Order ``k`` of a float argument is ``d^k f / dx^k`` (``grad`` applied ``k``
times), checked against the central difference of order ``k - 1``. For an
array argument, order 1 is the gradient, checked element by element; order 2
is the gradient's derivative along a random direction ``v`` (a
Hessian-vector product: srcgrad's ``vjp`` of its own gradient), checked
against the central difference of the gradient along ``v``. Higher orders of
array arguments are not offered.
"""

from __future__ import annotations

import ast
import inspect
import math
from dataclasses import dataclass, field

import numpy as np

MACHINE_EPS = np.finfo(float).eps
MAX_ROWS = 30   # rows per order shown; the largest errors are kept


class PointError(ValueError):
    """A ``--at`` value that cannot be used."""


@dataclass
class Row:
    label: str
    analytic: float
    numeric: float
    allowed: float

    @property
    def error(self):
        return abs(self.analytic - self.numeric)

    @property
    def ok(self):
        return bool(np.isfinite(self.analytic) and np.isfinite(self.numeric)
                    and self.error <= self.allowed)


@dataclass
class Section:
    order: int
    title: str
    rows: list = field(default_factory=list)


def _leaves_are_numbers(value):
    if isinstance(value, (list, tuple)):
        return all(_leaves_are_numbers(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _convert(index, value):
    if isinstance(value, str):
        raise PointError(f"--at value {index + 1} is the string {value!r}: give numbers "
                         "and (nested) lists of numbers, e.g. --at \"[1.0, 2.0], 3.0\"")
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        if not _leaves_are_numbers(value):
            raise PointError(f"--at value {index + 1} ({value!r}) is not a list of numbers")
        try:
            return np.array(value, dtype=float)
        except ValueError:
            raise PointError(f"--at value {index + 1} ({value!r}) is ragged: its rows must "
                             "have equal lengths") from None
    raise PointError(f"--at value {index + 1} is {value!r} (a {type(value).__name__}): give "
                     "numbers and (nested) lists of numbers")


def parse_point(text):
    """The arguments written in ``text``, comma-separated Python literals.

    >>> parse_point("[1.0, 2.0], 3")
    (array([1., 2.]), 3)
    """
    stripped = text.strip().rstrip(",").strip()
    if not stripped:
        raise PointError("--at is empty: give the point, e.g. --at \"1.0, 2.0\"")
    try:
        values = ast.literal_eval(f"({stripped},)")
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError) as exc:
        reason = getattr(exc, "msg", None) or str(exc).split("\n")[0] or type(exc).__name__
        raise PointError(f"--at \"{text}\" is not a comma-separated list of Python numbers "
                         f"and lists ({reason})") from None
    return tuple(_convert(i, v) for i, v in enumerate(values))


def _arity_text(sig):
    params = list(sig.parameters.values())
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return "at least " + str(sum(1 for p in params if p.kind in (
            p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty))
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    low = sum(1 for p in positional if p.default is p.empty)
    return str(low) if low == len(positional) else f"{low} to {len(positional)}"


def prepare(fn, values, wrt=None):
    """Bind ``values`` to ``fn``'s parameters; returns ``(args, kwargs, names)``.

    ``names`` are the parameters to differentiate: ``wrt`` (positions or
    names; their int values become floats), or by default every parameter
    given a float or an array.
    """
    from .api import resolve_wrt
    from .source import unwrap

    target = unwrap(fn)
    sig = inspect.signature(target)
    try:
        bound = sig.bind(*values)
    except TypeError:
        count = len(values)
        raise PointError(f"--at gives {count} value{'s' if count != 1 else ''} but "
                         f"{target.__name__}{sig} takes {_arity_text(sig)}") from None
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    if wrt is None:
        names = [name for name, value in arguments.items()
                 if isinstance(value, float) or (isinstance(value, np.ndarray)
                                                 and value.dtype.kind == "f")]
        if not names:
            raise PointError("no argument to differentiate: --at gives no float (write 1.0 "
                             "rather than 1) and --wrt names none")
    else:
        names, _ = resolve_wrt(target, wrt)
        for name in names:
            value = arguments[name]
            if isinstance(value, int) and not isinstance(value, bool):
                arguments[name] = float(value)
    args, kwargs = [], {}
    for name, param in sig.parameters.items():
        if param.kind is param.VAR_POSITIONAL:
            args.extend(arguments.get(name, ()))
        elif param.kind is param.VAR_KEYWORD:
            kwargs.update(arguments.get(name, {}))
        elif param.kind is param.KEYWORD_ONLY:
            kwargs[name] = arguments[name]
        else:
            args.append(arguments[name])
    return tuple(args), kwargs, list(names)


def _scalar(value, what):
    array = np.asarray(value, dtype=float)
    if array.size != 1:
        raise PointError(f"{what} is not a scalar (shape {array.shape}): srcgrad check "
                         "compares derivatives of functions with a scalar output")
    return float(array.reshape(()))


def _with(args, kwargs, name, value, sig_names):
    """``args``/``kwargs`` with parameter ``name`` replaced by ``value``."""
    if name in kwargs:
        return args, {**kwargs, name: value}
    index = sig_names.index(name)
    return args[:index] + (value,) + args[index + 1:], kwargs


def _allowed(rtol, atol, analytic, numeric, f_up, f_down, step):
    """Tolerance: relative and absolute, plus the rounding error of the difference quotient."""
    rounding = 16 * MACHINE_EPS * (np.abs(f_up) + np.abs(f_down)) / (2 * step)
    return atol + rtol * max(abs(analytic), abs(numeric)) + float(np.max(rounding))


def compare(fn, args, kwargs, names, order=1, eps=1e-6, rtol=1e-4, atol=1e-6, seed=0):
    """One :class:`Section` per order (1 .. ``order``): analytic against numeric values."""
    from .api import grad, vjp
    from .source import unwrap

    sig_names = list(inspect.signature(unwrap(fn)).parameters)
    # the function itself first: an error at this point is then reported in the user's code
    _scalar(fn(*args, **kwargs), f"the value of {getattr(fn, '__name__', 'the function')}")
    any_array = any(isinstance(kwargs[n] if n in kwargs else args[sig_names.index(n)],
                               np.ndarray) for n in names)
    sections = [Section(k, _section_title(k, any_array)) for k in range(1, order + 1)]
    for name in names:
        value = args[sig_names.index(name)] if name not in kwargs else kwargs[name]
        is_array = isinstance(value, np.ndarray)
        if is_array and order > 2:
            raise PointError(f"--order {order} with the array argument '{name}': srcgrad check "
                             "compares arrays up to order 2")
        derivatives = [fn]   # derivatives[k]: the k-th derivative with respect to name
        for _ in range(order):
            derivatives.append(grad(derivatives[-1], wrt=name))
        for k in range(1, order + 1):
            if not is_array:
                rows = _float_rows(derivatives[k - 1], derivatives[k], args, kwargs, name,
                                   value, sig_names, eps, rtol, atol, k)
            elif k == 1:
                rows = _gradient_rows(fn, derivatives[1], args, kwargs, name, value, sig_names,
                                      eps, rtol, atol)
            else:
                rows = _hvp_rows(derivatives[1], args, kwargs, name, value, sig_names, eps, rtol,
                                 atol, np.random.default_rng(seed), vjp)
            sections[k - 1].rows.extend(rows)
    return sections


def _section_title(k, any_array):
    if k == 1:
        return "order 1: df/dargument, against central differences of f"
    title = f"order {k}: d^{k}f/dargument^{k}, against central differences of order {k - 1}"
    if any_array:
        title += "; for an array, (H v): the gradient's derivative along a random direction v"
    return title


def _float_rows(lower, derivative, args, kwargs, name, x, sig_names, eps, rtol, atol, k):
    analytic = _scalar(derivative(*args, **kwargs), f"derivative {k} with respect to {name}")
    step = eps * max(1.0, abs(x))
    what = "the function" if k == 1 else f"derivative {k - 1} with respect to {name}"
    up = _scalar(_call_at(lower, args, kwargs, name, x + step, sig_names), what)
    down = _scalar(_call_at(lower, args, kwargs, name, x - step, sig_names), what)
    numeric = (up - down) / (2 * step)
    return [Row(name, analytic, numeric, _allowed(rtol, atol, analytic, numeric, up, down,
                                                  step))]


def _call_at(f, args, kwargs, name, value, sig_names):
    new_args, new_kwargs = _with(args, kwargs, name, value, sig_names)
    return f(*new_args, **new_kwargs)


def _gradient_rows(fn, derivative, args, kwargs, name, x, sig_names, eps, rtol, atol):
    gradient = np.asarray(derivative(*args, **kwargs), dtype=float)
    rows = []
    for index in np.ndindex(x.shape):
        step = eps * max(1.0, abs(float(x[index])))
        shifted = []
        for sign in (1.0, -1.0):
            point = x.copy()
            point[index] += sign * step
            shifted.append(_scalar(_call_at(fn, args, kwargs, name, point, sig_names),
                                   "the function"))
        numeric = (shifted[0] - shifted[1]) / (2 * step)
        analytic = float(gradient[index])
        label = f"{name}[{', '.join(map(str, index))}]"
        rows.append(Row(label, analytic, numeric,
                        _allowed(rtol, atol, analytic, numeric, *shifted, step)))
    return rows


def _hvp_rows(gradient_fn, args, kwargs, name, x, sig_names, eps, rtol, atol, rng, vjp):
    v = rng.standard_normal(x.shape)
    step = eps * max(1.0, float(np.max(np.abs(x))) if x.size else 1.0)
    new_args, new_kwargs = _with(args, kwargs, name, x, sig_names)
    _, pullback = vjp(gradient_fn, wrt=name)(*new_args, **new_kwargs)
    analytic = np.asarray(pullback(v), dtype=float)   # v^T H = (H v)^T: H is symmetric
    up = np.asarray(_call_at(gradient_fn, args, kwargs, name, x + step * v, sig_names), float)
    down = np.asarray(_call_at(gradient_fn, args, kwargs, name, x - step * v, sig_names), float)
    numeric = (up - down) / (2 * step)
    rows = []
    for index in np.ndindex(x.shape):
        label = f"(H v)[{', '.join(map(str, index))}] for {name}"
        rows.append(Row(label, float(analytic[index]), float(numeric[index]),
                        _allowed(rtol, atol, float(analytic[index]), float(numeric[index]),
                                 up[index], down[index], step)))
    return rows


def _number(value):
    if isinstance(value, float) and math.isfinite(value) and value == int(value) \
            and abs(value) < 1e15:
        return f"{value:.1f}"
    return f"{value:.12g}"


def report(sections, heading, rtol, atol, max_rows=MAX_ROWS):
    """The table text and whether every row agrees."""
    lines = [heading]
    total = bad = 0
    for section in sections:
        rows = section.rows
        total += len(rows)
        bad += sum(not r.ok for r in rows)
        shown = rows
        if len(rows) > max_rows:
            keep = sorted(range(len(rows)), key=lambda i: -rows[i].error
                          if np.isfinite(rows[i].error) else -np.inf)[:max_rows]
            shown = [rows[i] for i in sorted(keep)]
        lines.append("")
        lines.append(section.title)
        table = [("argument", "analytic", "numeric", "abs error", "")]
        for r in shown:
            table.append((r.label, _number(r.analytic), _number(r.numeric), f"{r.error:.2g}",
                          "" if r.ok else "MISMATCH"))
        widths = [max(len(row[i]) for row in table) for i in range(4)]
        for row in table:
            cells = [row[i].ljust(widths[i]) for i in range(4)] + [row[4]]
            lines.append("  " + "  ".join(cells).rstrip())
        if len(shown) < len(rows):
            lines.append(f"  ({len(rows) - len(shown)} more rows with smaller errors not shown)")
    lines.append("")
    tolerance = f"(rtol {rtol:g}, atol {atol:g})"
    if bad:
        lines.append(f"MISMATCH: {bad} of {total} derivatives disagree with central "
                     f"differences {tolerance}")
    else:
        counted = "the 1 derivative agrees" if total == 1 else f"all {total} derivatives agree"
        lines.append(f"ok: {counted} with central differences {tolerance}")
    return "\n".join(lines) + "\n", bad == 0
