"""Rules for shape functions and the ndarray members that only move elements.

Every one is linear, so its rule is its transpose: put the cotangent back
where the elements came from. Transposes NumPy has no function for are the
helpers below (``unconcat``, ``untile``, ``unpad``, ...); each is linear in
its first argument and has a rule of its own (its transpose is the primal
again: ``untile`` <-> ``np.tile``, ``unconcat`` <-> ``concat_like``), so
generated code that calls them can be differentiated again.

Sequence arguments (``np.concatenate([a, b])``, ``np.array([[a, b], [c, d]])``)
get list cotangents shaped like the argument: a list for a list, a float for
a float, an array for an array (``unpack`` <-> ``pack``).
"""

import numpy as np

from ..runtime import is_zero, unbroadcast
from .linalg import reshape_to
from .registry import adjoint, nondifferentiable

# -- helpers: the transposes NumPy has no function for --------------------------------


def _float_dtype(like):
    """The dtype of a cotangent of ``like``: its own if floating, else float64."""
    dtype = like.dtype if isinstance(like, np.ndarray) else np.asarray(like).dtype
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def unpack(g, like):
    """The array cotangent ``g`` shaped like ``like``: a list for a list, a float for a float."""
    if is_zero(g):
        return g
    if isinstance(like, np.ndarray):
        g = np.reshape(g, like.shape)
        if np.issubdtype(like.dtype, np.inexact) and g.dtype != like.dtype:
            g = g.astype(like.dtype)
        return g
    if isinstance(like, (list, tuple)):
        g = np.asarray(g)
        return [unpack(g[i], item) for i, item in enumerate(like)]
    return np.reshape(g, ())[()]


def pack(gs, like, shape=None):
    """The array of shape ``shape`` (default ``np.shape(like)``) holding the cotangents ``gs``
    of the pieces of ``like`` (the transpose of ``unpack``; ``0.0`` stands for a zero piece)."""
    if is_zero(gs):
        out = np.zeros(np.shape(like), dtype=_float_dtype(like))
    elif isinstance(gs, (list, tuple)):
        out = np.zeros(np.shape(like), dtype=_float_dtype(like))
        for i, item in enumerate(gs):
            if not is_zero(item):
                out[i] = pack(item, like[i])
    else:
        out = gs
    return np.reshape(out, np.shape(like) if shape is None else shape)


def _promote(a, ndmin):
    return np.atleast_2d(a) if ndmin == 2 else np.atleast_1d(a) if ndmin == 1 else a


def unconcat(g, arrays, axis, ndmin):
    """Cotangents of the pieces of ``np.concatenate(arrays, axis)`` (after promoting each
    piece to ``ndmin`` dimensions, as ``hstack`` / ``vstack`` do)."""
    if is_zero(g):
        return g
    if axis is None:
        sizes = [np.size(a) for a in arrays]
        pieces = np.split(np.ravel(g), np.cumsum(sizes)[:-1])
    else:
        sizes = [np.shape(_promote(a, ndmin))[axis] for a in arrays]
        pieces = np.split(g, np.cumsum(sizes)[:-1], axis)
    return [unpack(p, a) for p, a in zip(pieces, arrays)]


def concat_like(gs, arrays, axis, ndmin):
    """The transpose of ``unconcat``: join the cotangents ``gs`` of ``arrays`` (``0.0`` for
    zero) along ``axis``."""
    zero = is_zero(gs)
    parts = [pack(0.0 if zero else item, a) for item, a in zip(gs if not zero else arrays, arrays)]
    if axis is None:
        return np.concatenate([np.ravel(p) for p in parts])
    return np.concatenate([_promote(p, ndmin) for p in parts], axis)


def unstack(g, arrays, axis):
    """Cotangents of the pieces of ``np.stack(arrays, axis)``."""
    if is_zero(g):
        return g
    g = np.moveaxis(g, axis, 0)
    return [unpack(g[i], a) for i, a in enumerate(arrays)]


def stack_like(gs, arrays, axis):
    """The transpose of ``unstack``: stack the cotangents ``gs`` of ``arrays`` (``0.0`` for
    zero) along ``axis``."""
    zero = is_zero(gs)
    return np.stack([pack(0.0 if zero else item, a)
                     for item, a in zip(gs if not zero else arrays, arrays)], axis)


def untile(g, A, reps):
    """The cotangent of ``A`` for ``np.tile(A, reps)``: the sum of the tiles."""
    shape = np.shape(A)
    reps = tuple(np.atleast_1d(reps))
    d = max(len(shape), len(reps))
    shape = (1,) * (d - len(shape)) + shape
    reps = (1,) * (d - len(reps)) + reps
    interleaved = [n for pair in zip(reps, shape) for n in pair]
    total = np.sum(np.reshape(g, interleaved), axis=tuple(range(0, 2 * d, 2)))
    return unpack(total, A)


def unrepeat(g, a, repeats, axis):
    """The cotangent of ``a`` for ``np.repeat(a, repeats, axis)``: the sum of the copies."""
    shape = np.shape(a)
    if axis is None:
        n, moved = int(np.prod(shape)), np.ravel(g)
    else:
        axis = axis % len(shape)
        n, moved = shape[axis], np.moveaxis(g, axis, 0)
    if np.ndim(repeats) == 0 or np.size(repeats) == 1:
        r = int(np.ravel(repeats)[0])
        total = np.sum(np.reshape(moved, (n, r) + moved.shape[1:]), axis=1)
    else:
        total = np.zeros((n,) + moved.shape[1:], dtype=moved.dtype)
        np.add.at(total, np.repeat(np.arange(n), repeats), moved)
    if axis is None:
        return unpack(total, a)
    return np.moveaxis(total, 0, axis)


_COPY_MODES = ("edge", "reflect", "symmetric", "wrap")


def _pad_pairs(pad_width, ndim):
    return np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (ndim, 2))


def unpad(g, array, pad_width, mode, reflect_type="even"):
    """The cotangent of ``array`` for ``np.pad(array, pad_width, mode)`` (the modes that copy
    elements: constant, edge, reflect, symmetric, wrap)."""
    shape = np.shape(array)
    pairs = _pad_pairs(pad_width, len(shape))
    if mode == "constant":
        inner = g[tuple(slice(int(b), n - int(e)) for (b, e), n in zip(pairs, np.shape(g)))]
        return unpack(inner, array)
    if mode not in _COPY_MODES or reflect_type != "even":
        raise NotImplementedError(
            f"srcgrad differentiates np.pad with mode constant, edge, reflect, symmetric or "
            f"wrap (reflect_type 'even'), not mode={mode!r}, reflect_type={reflect_type!r}")
    size = int(np.prod(shape))
    source = np.pad(np.arange(size).reshape(shape), pad_width, mode=mode)
    total = np.bincount(source.ravel(), weights=np.ravel(g), minlength=size)
    return unpack(total.astype(np.result_type(g), copy=False), array)


def _diagonal_positions(n, offset):
    i = np.arange(n)
    return i + max(-offset, 0), i + max(offset, 0)


def undiagonal(g, a, offset, axis1, axis2):
    """The cotangent of ``a`` for ``np.diagonal(a, offset, axis1, axis2)``."""
    out = np.zeros(np.shape(a), dtype=np.result_type(g))
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    rows, cols = _diagonal_positions(np.shape(g)[-1], offset)
    view[..., rows, cols] = g
    return out


def undiag(g, v, k):
    """The cotangent of ``v`` for ``np.diag(v, k)`` (``v`` 1-D or 2-D)."""
    if np.ndim(v) == 1:
        return np.diag(g, k)
    return undiagonal(g, v, k, 0, 1)


def untake(g, a, indices, axis, mode):
    """The cotangent of ``a`` for ``np.take(a, indices, axis, mode=mode)``."""
    shape = np.shape(a)
    indices = np.asarray(indices)
    if axis is not None:
        axis = axis % len(shape)
    n = int(np.prod(shape)) if axis is None else shape[axis]
    if mode == "wrap":
        indices = indices % n
    elif mode == "clip":
        indices = np.clip(indices, 0, n - 1)
    dtype = np.result_type(g)
    if axis is None:
        total = np.zeros(n, dtype=dtype)
        np.add.at(total, indices, g)
        return unpack(total, a)
    k = indices.ndim
    moved = np.moveaxis(g, tuple(range(axis, axis + k)), tuple(range(k)))
    total = np.zeros((n,) + shape[:axis] + shape[axis + 1:], dtype=dtype)
    np.add.at(total, indices, moved)
    return np.moveaxis(total, 0, axis)


def inverse_axes(ndim, axes, *more):
    """The permutation undoing ``np.transpose(x, axes)`` (``None`` for a reversal).

    ``more`` are the further axes of the method form ``x.transpose(1, 0, 2)``.

    >>> inverse_axes(3, 2, 0, 1, None)
    (1, 2, 0)
    >>> inverse_axes(2, None) is None
    True
    """
    more = [a for a in more if a is not None]
    if more:
        axes = (axes,) + tuple(more)
    elif axes is None:
        return None
    elif np.ndim(axes) == 0:
        axes = (axes,)
    return tuple(int(i) for i in np.argsort([int(a) % ndim for a in axes]))


nondifferentiable(inverse_axes)


@adjoint(unpack)
def unpack_(g, out, g_in, like):
    return pack(g, like, np.shape(g_in))


@adjoint(pack)
def pack_(g, out, gs, like, shape=None):
    return unpack(g, like)


@adjoint(unconcat)
def unconcat_(g, out, g_in, arrays, axis, ndmin):
    return concat_like(g, arrays, axis, ndmin)


@adjoint(concat_like)
def concat_like_(g, out, gs, arrays, axis, ndmin):
    return unconcat(g, arrays, axis, ndmin)


@adjoint(unstack)
def unstack_(g, out, g_in, arrays, axis):
    return stack_like(g, arrays, axis)


@adjoint(stack_like)
def stack_like_(g, out, gs, arrays, axis):
    return unstack(g, arrays, axis)


@adjoint(untile)
def untile_(g, out, g_in, A, reps):
    return np.tile(g, reps)


@adjoint(unrepeat)
def unrepeat_(g, out, g_in, a, repeats, axis):
    return np.repeat(g, repeats, axis)


@adjoint(unpad)
def unpad_(g, out, g_in, array, pad_width, mode, reflect_type="even"):
    return np.pad(g, pad_width, mode)


@adjoint(undiagonal)
def undiagonal_(g, out, g_in, a, offset, axis1, axis2):
    return np.diagonal(g, offset, axis1, axis2)


@adjoint(undiag)
def undiag_(g, out, g_in, v, k):
    return np.diag(g, k)


@adjoint(untake)
def untake_(g, out, g_in, a, indices, axis, mode):
    return np.take(g, indices, axis, None, mode)


# -- reshaping ------------------------------------------------------------------------


@adjoint(np.reshape)
def reshape(g, out, a, shape=None, order="C", newshape=None, copy=None):
    return reshape_to(g, np.shape(a))


@adjoint(np.ndarray.reshape)
def reshape_method(g, out, self, *shape):
    return reshape_to(g, np.shape(self))


@adjoint(np.ravel)
def ravel(g, out, a, order="C"):
    return reshape_to(g, np.shape(a))


@adjoint(np.ndarray.ravel)
def ravel_method(g, out, self, order="C"):
    return reshape_to(g, np.shape(self))


@adjoint(np.ndarray.flatten)
def flatten_method(g, out, self, order="C"):
    return reshape_to(g, np.shape(self))


@adjoint(np.expand_dims)
def expand_dims(g, out, a, axis):
    return reshape_to(g, np.shape(a))


@adjoint(np.squeeze)
def squeeze(g, out, a, axis=None):
    return reshape_to(g, np.shape(a))


@adjoint(np.ndarray.squeeze)
def squeeze_method(g, out, self, axis=None):
    return reshape_to(g, np.shape(self))


@adjoint(np.atleast_1d, nargs=1)
def atleast_1d(g, out, ary):
    return unpack(g, ary)


@adjoint(np.atleast_2d, nargs=1)
def atleast_2d(g, out, ary):
    return unpack(g, ary)


@adjoint(np.atleast_3d, nargs=1)
def atleast_3d(g, out, ary):
    return unpack(g, ary)


@adjoint(np.broadcast_to)
def broadcast_to(g, out, array, shape, subok=False):
    return unbroadcast(g, array)


# -- copies and conversions -----------------------------------------------------------


@adjoint(np.ndarray.copy)
def copy_method(g, out, self, order="C"):
    return g


@adjoint(np.copy)
def copy(g, out, a, order="K", subok=False):
    return g


@adjoint(np.ndarray.astype)
def astype_method(g, out, self, dtype, order="K", casting="unsafe", subok=True, copy=True):
    return np.asarray(g).astype(self.dtype)


@adjoint(np.asarray)
def asarray(g, out, a, dtype=None, order=None, device=None, copy=None, like=None):
    return unpack(g, a)


@adjoint(np.array)
def array(g, out, object, dtype=None, copy=True, order="K", subok=False, ndmin=0, like=None):
    return unpack(g, object)


# -- permuting axes -------------------------------------------------------------------


@adjoint(np.ndarray.T)
def T(g, out, self):
    return np.transpose(g)


@adjoint(np.transpose)
def transpose(g, out, a, axes=None):
    return np.transpose(g, inverse_axes(np.ndim(a), axes))


def transpose_method(g, out, self, axes=None, a1=None, a2=None, a3=None, a4=None, a5=None,
                     a6=None, a7=None):
    return np.transpose(g, inverse_axes(np.ndim(self), axes, a1, a2, a3, a4, a5, a6, a7))


# x.transpose(), x.transpose(axes) and x.transpose(i, j, ...) with up to 8 axes; a call
# with more finds no rule (and says so) rather than a rule that drops axes
for _n in range(1, 10):
    adjoint(np.ndarray.transpose, nargs=_n)(transpose_method)


@adjoint(np.swapaxes)
def swapaxes(g, out, a, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


@adjoint(np.ndarray.swapaxes)
def swapaxes_method(g, out, self, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


@adjoint(np.moveaxis)
def moveaxis(g, out, a, source, destination):
    return np.moveaxis(g, destination, source)


# -- joining and splitting ------------------------------------------------------------


@adjoint(np.concatenate)
def concatenate(g, out, arrays, axis=0, out_=None, dtype=None, casting="same_kind"):
    return unconcat(g, arrays, axis, 0)


@adjoint(np.hstack)
def hstack(g, out, tup, dtype=None, casting="same_kind"):
    return unconcat(g, tup, 0 if np.ndim(out) == 1 else 1, 1)


@adjoint(np.vstack)
def vstack(g, out, tup, dtype=None, casting="same_kind"):
    return unconcat(g, tup, 0, 2)


@adjoint(np.stack)
def stack(g, out, arrays, axis=0, out_=None, dtype=None, casting="same_kind"):
    return unstack(g, arrays, axis)


@adjoint(np.split)
def split(g, out, ary, indices_or_sections, axis=0):
    return concat_like(g, out, axis, 0)


@adjoint(np.array_split)
def array_split(g, out, ary, indices_or_sections, axis=0):
    return concat_like(g, out, axis, 0)


@adjoint(np.hsplit)
def hsplit(g, out, ary, indices_or_sections):
    return concat_like(g, out, 0 if np.ndim(ary) == 1 else 1, 0)


@adjoint(np.vsplit)
def vsplit(g, out, ary, indices_or_sections):
    return concat_like(g, out, 0, 0)


# -- repeating ------------------------------------------------------------------------


@adjoint(np.tile)
def tile(g, out, A, reps):
    return untile(g, A, reps)


@adjoint(np.repeat)
def repeat(g, out, a, repeats, axis=None):
    return unrepeat(g, a, repeats, axis)


@adjoint(np.ndarray.repeat)
def repeat_method(g, out, self, repeats, axis=None):
    return unrepeat(g, self, repeats, axis)


@adjoint(np.pad)
def pad(g, out, array, pad_width, mode="constant", stat_length=None, constant_values=0,
        end_values=0, reflect_type="even"):
    g_array = unpad(g, array, pad_width, mode, reflect_type)
    return g_array, None, None, None, np.sum(g) - np.sum(g_array)


# -- reordering -----------------------------------------------------------------------


@adjoint(np.flip)
def flip(g, out, m, axis=None):
    return np.flip(g, axis)


@adjoint(np.fliplr)
def fliplr(g, out, m):
    return np.fliplr(g)


@adjoint(np.flipud)
def flipud(g, out, m):
    return np.flipud(g)


@adjoint(np.rot90)
def rot90(g, out, m, k=1, axes=(0, 1)):
    return np.rot90(g, -k, axes)


@adjoint(np.roll)
def roll(g, out, a, shift, axis=None):
    return np.roll(g, np.negative(shift), axis)


# -- diagonals, triangles, gathers ----------------------------------------------------


@adjoint(np.diag)
def diag(g, out, v, k=0):
    return undiag(g, v, k)


@adjoint(np.diagonal)
def diagonal(g, out, a, offset=0, axis1=0, axis2=1):
    return undiagonal(g, a, offset, axis1, axis2)


@adjoint(np.ndarray.diagonal)
def diagonal_method(g, out, self, offset=0, axis1=0, axis2=1):
    return undiagonal(g, self, offset, axis1, axis2)


@adjoint(np.triu)
def triu(g, out, m, k=0):
    return np.triu(g, k)


@adjoint(np.tril)
def tril(g, out, m, k=0):
    return np.tril(g, k)


@adjoint(np.take)
def take(g, out, a, indices, axis=None, out_=None, mode="raise"):
    return untake(g, a, indices, axis, mode)


@adjoint(np.ndarray.take)
def take_method(g, out, self, indices, axis=None, out_=None, mode="raise"):
    return untake(g, self, indices, axis, mode)
