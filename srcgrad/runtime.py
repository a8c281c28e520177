"""The few helpers generated code calls.

Scalar (float) code calls none of them per operation: the transform drops
``unbroadcast`` when both sides are scalars. Sequences (lists and tuples of
values) have list-valued adjoints built and summed here. The cotangent "zero"
is always ``0.0``, which every helper accepts in place of a sequence.
"""

from __future__ import annotations

import numpy as np

from .errors import NonScalarOutputError

_SCALARS = (float, int, np.floating, np.integer)


def unbroadcast(g, like):
    """``g`` fitted to the shape of ``like``: summed over the axes NumPy broadcast,
    broadcast over axes it is missing. Its own transpose (with the shapes swapped)."""
    if type(g) is np.ndarray and type(like) is np.ndarray:
        gshape, lshape = g.shape, like.shape
        if gshape == lshape:
            return g
        if len(gshape) == len(lshape) + 1 and gshape[1:] == lshape:
            return g.sum(axis=0)  # a bias added to every row
    if isinstance(like, np.ndarray):
        lshape = like.shape
        if not np.ndim(g):
            return np.full(lshape, g, dtype=np.result_type(g, like.dtype))
        g = np.asarray(g)
        extra = g.ndim - len(lshape)
        if extra > 0:
            g = g.sum(axis=tuple(range(extra)))
        axes = tuple(i for i, n in enumerate(lshape)
                     if n == 1 and i >= len(lshape) - g.ndim
                     and g.shape[i - (len(lshape) - g.ndim)] != 1)
        if axes:
            offset = len(lshape) - g.ndim
            g = g.sum(axis=tuple(i - offset for i in axes), keepdims=True)
        if g.shape != lshape:
            g = np.broadcast_to(g, lshape)
        return g
    if isinstance(g, np.ndarray):
        return g.sum() if g.ndim else g[()]
    return g


def unreduce(g, like, axis, keepdims):
    """Spread the cotangent ``g`` of a reduction of ``like`` back over ``like``'s shape."""
    shape = np.shape(like)
    if not np.ndim(g):
        # a full reduction, or a number standing for every output (a zero): every element
        # gets g
        return np.full(shape, g)
    if not keepdims and axis is not None:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        ndim = len(shape)
        g = np.expand_dims(g, tuple(sorted(a % ndim for a in axes)))
    return np.broadcast_to(g, shape)


def setitem(container, index, value):
    """``container`` with ``container[index] = value``, as a new object."""
    if isinstance(container, np.ndarray):
        out = container.copy()
    elif isinstance(container, dict):
        out = dict(container)
    else:
        out = list(container)
    out[index] = value
    return out


def without(g, index):
    """The cotangent ``g`` with the positions ``index`` zeroed (they were overwritten)."""
    if is_zero(g):
        return g
    if isinstance(g, dict):
        out = dict(g)
        out.pop(index, None)
        return out
    if isinstance(g, list):
        out = list(g)
        positions = range(len(out))[index] if isinstance(index, slice) else [index]
        for pos in positions:
            out[pos] = 0.0
        return out
    out = np.array(g, copy=True)
    out[index] = 0
    return out


def take(g, index):
    """The part of the cotangent ``g`` at ``index``."""
    if is_zero(g):
        return 0.0
    if isinstance(g, dict):
        return g.get(index, 0.0)
    if isinstance(g, list):
        return g[index]
    return np.asarray(g)[index]


def matmul_grad_left(g, a, b):
    """The cotangent of ``a`` for ``a @ b``."""
    if np.ndim(a) == 2 and np.ndim(b) == 2:
        return g @ b.T
    return matmul_cotangents(g, a, b)[0]


def matmul_grad_right(g, a, b):
    """The cotangent of ``b`` for ``a @ b``."""
    if np.ndim(a) == 2 and np.ndim(b) == 2:
        return a.T @ g
    return matmul_cotangents(g, a, b)[1]


def matmul_cotangents(g, a, b):
    """Cotangents of ``a`` and ``b`` for ``a @ b`` (1-D, 2-D and batched N-D).

    Any zero argument (a zero cotangent, at higher orders) gives zeros.
    """
    if is_zero(g) or is_zero(a) or is_zero(b):
        return 0.0, 0.0
    a = np.asarray(a)
    b = np.asarray(b)
    g = np.asarray(g)
    if a.ndim == 2 and b.ndim == 2:
        return g @ b.T, a.T @ g
    if a.ndim == 1 and b.ndim == 1:
        return g * b, g * a
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = np.expand_dims(g2, -2)
    if b.ndim == 1:
        g2 = np.expand_dims(g2, -1)
    ga = g2 @ np.swapaxes(b2, -1, -2)
    gb = np.swapaxes(a2, -1, -2) @ g2
    if a.ndim == 1:
        ga = ga[..., 0, :]
    if b.ndim == 1:
        gb = gb[..., :, 0]
    return unbroadcast(ga, a), unbroadcast(gb, b)


def add_cotangents(g, a, b):
    """Cotangents of ``a`` and ``b`` for ``a + b`` when their kinds are only known at run
    time: list concatenation splits ``g``, numbers and arrays unbroadcast it."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return seq_split(g, a, b)
    return unbroadcast(g, a), unbroadcast(g, b)


def add_cotangents_transpose(gbar, g, a, b):
    """The cotangent of ``g`` for ``(ga, gb) = add_cotangents(g, a, b)``."""
    gga, ggb = (0.0, 0.0) if is_zero(gbar) else (gbar[0], gbar[1])
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return seq_concat([gga, ggb], [len(a), len(b)])
    return add_any(broadcast_like(gga, g), broadcast_like(ggb, g))


def broadcast_like(g, like):
    """``g`` broadcast to the shape of ``like`` (the transpose of ``unbroadcast``)."""
    if is_zero(g):
        return g
    return unbroadcast(g, like) if isinstance(like, np.ndarray) else (
        g.sum() if isinstance(g, np.ndarray) and np.ndim(g) else g)


def sum_to(g, like, axis, keepdims):
    """Sum ``g`` over ``axis`` to the shape of ``like`` (the transpose of ``unreduce``)."""
    if is_zero(g):
        return g
    total = np.sum(g, axis=axis, keepdims=keepdims)
    if axis is None:
        return np.reshape(total, np.shape(like)) if np.ndim(like) else total
    return total


def matmul_any(x, y):
    """``x @ y``, or zero when either is a zero cotangent."""
    if is_zero(x) or is_zero(y):
        return 0.0
    return np.matmul(x, y)


def matmul_cotangents_transpose(gbar, g, a, b):
    """Cotangents of ``g``, ``a``, ``b`` for ``(ga, gb) = matmul_cotangents(g, a, b)``."""
    gga, ggb = (0.0, 0.0) if is_zero(gbar) else (gbar[0], gbar[1])
    # a number standing for a whole cotangent (a broadcast zero or scalar) gets its shape
    if not is_zero(gga) and np.ndim(gga) == 0 and np.ndim(a) > 0:
        gga = unbroadcast(gga, np.asarray(a))
    if not is_zero(ggb) and np.ndim(ggb) == 0 and np.ndim(b) > 0:
        ggb = unbroadcast(ggb, np.asarray(b))
    dg, da, db = 0.0, 0.0, 0.0
    if not is_zero(gga):
        dg = np.matmul(gga, b)
        db = matmul_cotangents(g, gga, b)[1]
    if not is_zero(ggb):
        dg = add_any(dg, np.matmul(a, ggb))
        da = matmul_cotangents(g, a, ggb)[0]
    return dg, da, db


def seq_concat(parts, lengths):
    """Join the cotangents of consecutive slices (zeros filled in) into one list."""
    out = []
    for part, n in zip(parts, lengths):
        out += [0.0] * n if is_zero(part) else list(part)
    return out


def seq_slices(g, lengths):
    """``g`` cut into consecutive pieces of ``lengths`` (the transpose of ``seq_concat``)."""
    if is_zero(g):
        return [0.0] * len(lengths)
    pieces, start = [], 0
    for n in lengths:
        pieces.append(list(g[start:start + n]))
        start += n
    return pieces


def seq_sum(g):
    """The sum of a list of cotangents (``0.0`` for a zero cotangent)."""
    if is_zero(g):
        return 0.0
    total = 0.0
    for item in g:
        total = add_any(total, item)
    return total


def is_zero(value):
    return value is None or (isinstance(value, (float, int)) and value == 0)


def add_any(a, b):
    """``a + b`` for cotangents of any kind (sequences and dicts add elementwise)."""
    if is_zero(a):
        return b
    if is_zero(b):
        return a
    if isinstance(a, (list, tuple)):
        return [add_any(x, y) for x, y in zip(a, b)]
    if isinstance(a, dict):
        out = dict(a)
        for key, value in b.items():
            out[key] = add_any(out.get(key, 0.0), value)
        return out
    return a + b


def seq_item(g, index):
    """The cotangent of element ``index`` of a sequence whose cotangent is ``g``."""
    if is_zero(g):
        return 0.0
    return g[index]


def seq_add_at(acc, seq, index, g):
    """``acc`` (the cotangent of ``seq``) plus ``g`` at ``index``, as a new object.

    Never in place: when srcgrad differentiates generated code, cotangents are
    ordinary values that a loop may have saved on its stack.
    """
    if isinstance(seq, np.ndarray):
        return array_add_at(acc, seq, index, g)
    if isinstance(seq, dict):
        acc = {} if is_zero(acc) else dict(acc)
        acc[index] = add_any(acc.get(index, 0.0), g)
        return acc
    if is_zero(acc):
        acc = [0.0] * len(seq)
    else:
        acc = list(acc)
    if isinstance(index, slice):
        positions = range(len(seq))[index]
        for pos, item in zip(positions, g if not is_zero(g) else [0.0] * len(positions)):
            acc[pos] = add_any(acc[pos], item)
        return acc
    acc[index] = add_any(acc[index], g)
    return acc


def array_add_at(acc, array, index, g):
    """``acc`` (the cotangent of ``array``) plus ``g`` at ``index``, as a new array."""
    dtype = array.dtype if np.issubdtype(array.dtype, np.floating) else np.float64
    if is_zero(acc):
        out = np.zeros(array.shape, dtype=dtype)
        if type(index) is slice:  # names each element once: no need to add
            out[index] = g
            return out
    elif isinstance(acc, np.ndarray) and acc.shape == array.shape:
        out = acc.copy()
    else:
        out = np.zeros(array.shape, dtype=dtype) + acc
    if _is_basic_index(index):
        out[index] += g  # a basic index names each element at most once
    else:
        np.add.at(out, index, g)  # integer arrays may repeat elements: accumulate
    return out


def array_add_at_inplace(acc, array, index, g):
    """``array_add_at`` into ``acc`` itself, when ``acc`` is an array this code made and
    nothing else reads (Simplify proves that before it emits this call)."""
    if type(acc) is not np.ndarray or acc.shape != array.shape or not acc.flags.writeable \
            or acc.dtype.kind != "f":
        return array_add_at(acc, array, index, g)
    if _is_basic_index(index):
        acc[index] += g
    else:
        np.add.at(acc, index, g)
    return acc


def _is_basic_index(index):
    """Ints, slices, None and Ellipsis only (no arrays, lists or masks)."""
    kind = type(index)
    if kind is slice or kind is int:
        return True
    parts = index if kind is tuple else (index,)
    return all(type(p) in (int, slice, type(None), type(Ellipsis)) or isinstance(p, np.integer)
               for p in parts)


def seq_fill(seq, g):
    """The cotangent of every element of ``seq`` when ``sum(seq)`` has cotangent ``g``."""
    return [g] * len(seq)


def seq_onehot(seq, out, g):
    """The cotangent of ``seq`` for ``max(seq)`` / ``min(seq)`` equal to ``out``."""
    acc = [0.0] * len(seq)
    acc[list(seq).index(out)] = g
    return acc


def seq_split(g, a, b):
    """Cotangents of ``a`` and ``b`` for the concatenation ``a + b``."""
    if is_zero(g):
        return 0.0, 0.0
    n = len(a)
    return list(g[:n]), list(g[n:])


def scalar_seed(out, where):
    """1 shaped like the scalar output ``out``; a clear error if it is not a scalar."""
    if isinstance(out, _SCALARS) and not isinstance(out, bool):
        return 1.0
    if isinstance(out, np.ndarray) and out.size == 1:
        return np.ones_like(out)
    kind = type(out).__name__
    shape = f" of shape {out.shape}" if hasattr(out, "shape") else ""
    raise NonScalarOutputError(
        f"grad needs a function with a scalar output, but {where.function} "
        f"returned a {kind}{shape}",
        filename=where.filename, lineno=where.lineno, col=where.col, line=where.line,
        hint="use srcgrad.vjp or srcgrad.jacobian for non-scalar outputs, or reduce the "
             "output to a scalar (e.g. with .sum())")


class Where:
    """A source position baked into generated code for runtime error messages."""

    __slots__ = ("function", "filename", "lineno", "col", "line")

    def __init__(self, function, filename, lineno, col, line):
        self.function = function
        self.filename = filename
        self.lineno = lineno
        self.col = col
        self.line = line

    def __repr__(self):
        return f"Where({self.function!r}, {self.filename!r}, {self.lineno})"


# Helpers that only compute a value from their arguments (no effects, no errors on
# well-formed input): Simplify may drop a call of one whose result nobody reads.
PURE_HELPERS = (unbroadcast, unreduce, take, without, seq_add_at, array_add_at,
                array_add_at_inplace, seq_item,
                add_any, broadcast_like, sum_to, matmul_grad_left, matmul_grad_right,
                matmul_cotangents, matmul_any, add_cotangents, seq_fill, seq_sum, seq_concat,
                seq_slices, seq_split, seq_onehot)
