"""Rules for shape functions (reshape, transpose, concatenate, split, tile, pad, ...).

Each function moves elements, so each test composes it with a nonlinearity
and weights that differ at every position; a rule that puts a cotangent in
the wrong place fails. Order 2 differentiates the generated code again:
for a linear map the second derivative only runs through the nonlinearity,
but it must run through every rule and helper the first derivative calls.
"""

import numpy as np
import pytest

import srcgrad
from srcgrad.adjoints import shape as S

from .shapes import rand

COVERED = {
    np.reshape, np.ndarray.reshape, np.ravel, np.ndarray.ravel, np.ndarray.flatten,
    np.expand_dims, np.squeeze, np.ndarray.squeeze, np.atleast_1d, np.atleast_2d,
    np.atleast_3d, np.broadcast_to, np.copy, np.ndarray.copy, np.ndarray.astype, np.asarray,
    np.array, np.ndarray.T, np.transpose, np.ndarray.transpose, np.swapaxes,
    np.ndarray.swapaxes, np.moveaxis, np.concatenate, np.hstack, np.vstack, np.stack,
    np.split, np.array_split, np.hsplit, np.vsplit, np.tile, np.repeat, np.ndarray.repeat,
    np.pad, np.flip, np.fliplr, np.flipud, np.rot90, np.roll, np.diag, np.diagonal,
    np.ndarray.diagonal, np.triu, np.tril, np.take, np.ndarray.take,
    # the helpers the rules call (their rules make generated code differentiable again)
    S.unpack, S.pack, S.unconcat, S.concat_like, S.unstack, S.stack_like, S.untile,
    S.unrepeat, S.unpad, S.undiagonal, S.undiag, S.untake,
}


# -- reshaping -----------------------------------------------------------------------


def reshape_fn(x, shape):
    y = np.reshape(x, shape)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def reshape_keyword(x):
    y = np.reshape(x, shape=(3, -1))
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def reshape_method_varargs(x):
    y = x.reshape(2, -1)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def reshape_method_tuple(x):
    y = x.reshape((-1, 2))
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def ravel_fn(x):
    y = np.ravel(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def ravel_method(x):
    y = x.ravel()
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def flatten_method(x):
    y = x.flatten()
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def expand_dims_fn(x, axis):
    y = np.expand_dims(x, axis)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def squeeze_fn(x):
    y = np.squeeze(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def squeeze_axis(x):
    y = np.squeeze(x, axis=0)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def squeeze_method(x):
    y = x.squeeze()
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def squeeze_method_axis(x):
    y = x.squeeze(axis=-1)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def atleast_1d_fn(x):
    y = np.atleast_1d(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def atleast_2d_fn(x):
    y = np.atleast_2d(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def atleast_3d_fn(x):
    y = np.atleast_3d(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def broadcast_to_fn(x, shape):
    y = np.broadcast_to(x, shape)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


# -- copies and conversions ----------------------------------------------------------


def copy_fn(x):
    y = np.copy(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def copy_method(x):
    y = x.copy()
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def astype_float(x):
    y = x.astype(float)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def asarray_array(x):
    y = np.asarray(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def asarray_scalars(a, b, c):
    y = np.asarray([a, b * b, c])
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def array_nested(a, b, c, d):
    m = np.array([[a, b], [c, d]])
    return np.sum(np.sin(m @ m) * np.cos(np.arange(4.0)).reshape(2, 2))


def array_of_arrays(x, y):
    m = np.array([x, y * 2.0, x * y])
    return np.sum(np.sin(m) * np.cos(np.arange(m.size)).reshape(m.shape))


def array_copy_ndmin(x):
    y = np.array(x, ndmin=3)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def array_mixed_list(x, a):
    y = np.array([a, 2.0, a * x[0]])
    return np.sum(np.sin(y) * np.cos(np.arange(3.0))) + np.sum(x * x)


# -- permuting axes ------------------------------------------------------------------


def transpose_fn(x):
    y = np.transpose(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def transpose_axes(x, axes):
    y = np.transpose(x, axes)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def transpose_method(x):
    y = x.transpose()
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def transpose_method_varargs(x):
    y = x.transpose(1, 2, 0)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def transpose_method_tuple(x):
    y = x.transpose((2, 0, 1))
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def transpose_method_2d(x):
    y = x.transpose(1, 0)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def T_attr(x):
    y = x.T
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def swapaxes_fn(x):
    y = np.swapaxes(x, 0, -1)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def swapaxes_method(x):
    y = x.swapaxes(1, 0)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def moveaxis_fn(x, source, destination):
    y = np.moveaxis(x, source, destination)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


# -- joining -------------------------------------------------------------------------


def concatenate_fn(x, y):
    z = np.concatenate([x, y])
    return np.sum(np.sin(z) * np.cos(np.arange(z.size)).reshape(z.shape))


def concatenate_axis(x, y, axis):
    z = np.concatenate((x, y * y), axis=axis)
    return np.sum(np.sin(z) * np.cos(np.arange(z.size)).reshape(z.shape))


def concatenate_none(x, y):
    z = np.concatenate([x, y], axis=None)
    return np.sum(np.sin(z) * np.cos(np.arange(z.size)))


def concatenate_repeat_and_constant(x):
    z = np.concatenate([x, np.ones(2), x * 2.0, x], 0)
    return np.sum(np.sin(z) * np.cos(np.arange(z.size)))


def stack_fn(x, y):
    z = np.stack([x, y, x])
    return np.sum(np.sin(z) * np.cos(np.arange(z.size)).reshape(z.shape))


def stack_axis(x, y, axis):
    z = np.stack([x, y * 3.0], axis=axis)
    return np.sum(np.sin(z) * np.cos(np.arange(z.size)).reshape(z.shape))


def stack_scalars(a, b, c):
    z = np.stack([a, b * c, 1.0, c])
    return np.sum(np.sin(z) * np.cos(np.arange(4.0)))


def stack_built_in_loop(x):
    rows = []
    for k in range(3):
        rows.append(np.sin(x * (k + 1.0)))
    m = np.stack(rows, axis=1)
    return np.sum(np.sin(m) * np.cos(np.arange(m.size)).reshape(m.shape))


def array_of_appended_scalars(a, b):
    values = []
    v = a
    for _ in range(4):
        v = v * b + 0.5
        values.append(v)
    y = np.array(values)
    return np.sum(np.sin(y) * np.cos(np.arange(4.0)))


def hstack_fn(x, y):
    z = np.hstack([x, y])
    return np.sum(np.sin(z) * np.cos(np.arange(z.size)).reshape(z.shape))


def hstack_scalars(a, x):
    z = np.hstack((a, x, a * a))
    return np.sum(np.sin(z) * np.cos(np.arange(z.size)))


def vstack_fn(x, y):
    z = np.vstack([x, y])
    return np.sum(np.sin(z) * np.cos(np.arange(z.size)).reshape(z.shape))


# -- splitting -----------------------------------------------------------------------


def split_sections(x):
    a, b, c = np.split(x, 3)
    return np.sum(np.sin(a) * b) + np.sum(np.cos(np.arange(c.size)).reshape(c.shape) * c ** 3)


def split_indices_partial(x):
    parts = np.split(x, [1, 4])
    return np.sum(np.sin(parts[1]) * np.cos(np.arange(parts[1].size)).reshape(parts[1].shape))


def split_axis(x):
    left, right = np.split(x, 2, axis=-1)
    return np.sum(np.sin(left * right) * np.cos(np.arange(left.size)).reshape(left.shape))


def array_split_uneven(x):
    a, b, c = np.array_split(x, 3)
    return np.sum(np.sin(a) ** 2) + np.sum(np.cos(b) * np.arange(b.size)) + c[0] * c[-1]


def array_split_partial_axis(x):
    parts = np.array_split(x, [1], axis=1)
    return np.sum(np.sin(parts[1]) * np.cos(np.arange(parts[1].size)).reshape(parts[1].shape))


def hsplit_fn(x):
    a, b = np.hsplit(x, 2)
    return np.sum(np.sin(a) * b * np.cos(np.arange(a.size)).reshape(a.shape))


def vsplit_fn(x):
    a, b = np.vsplit(x, [1])
    return np.sum(np.sin(a)) * np.sum(np.cos(b) * np.cos(np.arange(b.size)).reshape(b.shape))


# -- repeating -----------------------------------------------------------------------


def tile_fn(x, reps):
    y = np.tile(x, reps)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def tile_scalar(a):
    y = np.tile(a, 3)
    return np.sum(np.sin(y * np.arange(1.0, 4.0)))


def repeat_fn(x, repeats, axis):
    y = np.repeat(x, repeats, axis)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def repeat_flat(x):
    y = np.repeat(x, 2)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def repeat_method(x):
    y = x.repeat([2, 0, 1], axis=-1)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def pad_fn(x, pad_width):
    y = np.pad(x, pad_width)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def pad_mode(x, pad_width, mode):
    y = np.pad(x, pad_width, mode=mode)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def pad_constant_value(x, c):
    y = np.pad(x, ((1, 0), (2, 1)), constant_values=c)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


# -- reordering ----------------------------------------------------------------------


def flip_fn(x, axis):
    y = np.flip(x, axis)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def flip_all(x):
    y = np.flip(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def fliplr_fn(x):
    y = np.fliplr(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def flipud_fn(x):
    y = np.flipud(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def rot90_fn(x, k, axes):
    y = np.rot90(x, k, axes)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def roll_fn(x, shift, axis):
    y = np.roll(x, shift, axis)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def roll_flat(x):
    y = np.roll(x, 2)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


# -- diagonals, triangles, gathers ---------------------------------------------------


def diag_fn(x, k):
    y = np.diag(x, k)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def diag_default(x):
    y = np.diag(x)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def diagonal_fn(x, offset, axis1, axis2):
    y = np.diagonal(x, offset, axis1, axis2)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def diagonal_method(x):
    y = x.diagonal(offset=-1)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def triu_fn(x, k):
    y = np.triu(x, k)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def tril_fn(x, k):
    y = np.tril(x, k=k)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def triu_tril_default(x):
    return np.sum(np.sin(np.triu(x)) * np.cos(np.tril(x)))


def take_fn(x, indices, axis):
    y = np.take(x, indices, axis)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def take_flat(x):
    y = np.take(x, [0, 2, 2, -1])
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def take_wrap(x):
    y = np.take(x, [0, 4, 5, -7], axis=0, mode="wrap")
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def take_method(x):
    y = x.take([1, 1, 0], axis=1)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


# -- functions whose outputs carry no gradient ---------------------------------------


def like_constants(x):
    z = np.zeros_like(x)
    o = np.ones_like(x)
    e = np.empty_like(x)
    e[...] = 2.0
    return np.sum(np.sin(x) * o + z * x) + np.sum(e * x)


def only_like_constants(x):
    return np.sum(np.ones_like(x) * 3.0) + np.sum(np.zeros_like(x))


def fill_empty_like(x):
    y = np.empty_like(x)
    y[...] = np.sin(x)
    z = np.zeros_like(x)
    z[1:] = x[:-1] ** 2
    return np.sum(y * np.cos(np.arange(y.size)).reshape(y.shape)) + np.sum(z * y)


def _a(*shape, seed=0):
    return rand(shape, seed)


CASES = [
    (reshape_fn, (_a(6), (3, 2))),
    (reshape_fn, (_a(2, 3), (-1,))),
    (reshape_fn, (_a(2, 3, 4), (4, -1))),
    (reshape_fn, (_a(2, 3, 4), (3, 2, 2, 2))),
    (reshape_keyword, (_a(2, 6),)),
    (reshape_method_varargs, (_a(2, 3, 2),)),
    (reshape_method_tuple, (_a(3, 2),)),
    (ravel_fn, (_a(2, 3),)),
    (ravel_fn, (_a(2, 3, 4),)),
    (ravel_method, (_a(3, 2),)),
    (flatten_method, (_a(2, 2, 3),)),
    (expand_dims_fn, (_a(3), 0)),
    (expand_dims_fn, (_a(2, 3), -1)),
    (expand_dims_fn, (_a(2, 3), (0, 2))),
    (squeeze_fn, (_a(1, 3, 1),)),
    (squeeze_axis, (_a(1, 2, 3),)),
    (squeeze_method, (_a(2, 1, 3),)),
    (squeeze_method_axis, (_a(3, 1),)),
    (atleast_1d_fn, (0.7,)),
    (atleast_1d_fn, (_a(3),)),
    (atleast_2d_fn, (_a(3),)),
    (atleast_2d_fn, (-0.4,)),
    (atleast_3d_fn, (_a(2, 3),)),
    (broadcast_to_fn, (_a(3), (2, 3))),
    (broadcast_to_fn, (_a(2, 1), (4, 2, 3))),
    (broadcast_to_fn, (0.3, (2, 2))),
    (copy_fn, (_a(2, 3),)),
    (copy_method, (_a(4),)),
    (astype_float, (_a(2, 3),)),
    (asarray_array, (_a(2, 3, 2),)),
    (asarray_scalars, (0.3, -0.8, 1.1)),
    (array_nested, (0.3, -0.8, 1.1, 0.5)),
    (array_of_arrays, (_a(3), _a(3, seed=1))),
    (array_copy_ndmin, (_a(3),)),
    (array_mixed_list, (_a(2), 0.4)),
    (transpose_fn, (_a(2, 3),)),
    (transpose_fn, (_a(2, 3, 4),)),
    (transpose_axes, (_a(2, 3, 4), (1, 0, 2))),
    (transpose_axes, (_a(2, 3, 4), (2, 0, 1))),
    (transpose_axes, (_a(2, 3, 4), (-1, 0, -2))),
    (transpose_axes, (_a(3), None)),
    (transpose_method, (_a(3, 4),)),
    (transpose_method_varargs, (_a(2, 3, 4),)),
    (transpose_method_tuple, (_a(2, 3, 4),)),
    (transpose_method_2d, (_a(2, 3),)),
    (T_attr, (_a(2, 3),)),
    (T_attr, (_a(2, 3, 4),)),
    (swapaxes_fn, (_a(2, 3, 4),)),
    (swapaxes_method, (_a(2, 3),)),
    (moveaxis_fn, (_a(2, 3, 4), 0, -1)),
    (moveaxis_fn, (_a(2, 3, 4), (0, 1), (2, 0))),
    (concatenate_fn, (_a(3), _a(2, seed=1))),
    (concatenate_fn, (_a(2, 3), _a(1, 3, seed=1))),
    (concatenate_axis, (_a(2, 3), _a(2, 2, seed=1), 1)),
    (concatenate_axis, (_a(2, 3, 2), _a(2, 3, 1, seed=1), -1)),
    (concatenate_axis, (_a(1, 3), _a(2, 3, seed=1), -2)),
    (concatenate_none, (_a(2, 3), _a(4, seed=1))),
    (concatenate_repeat_and_constant, (_a(3),)),
    (stack_fn, (_a(3), _a(3, seed=1))),
    (stack_fn, (_a(2, 3), _a(2, 3, seed=1))),
    (stack_axis, (_a(2, 3), _a(2, 3, seed=1), 1)),
    (stack_axis, (_a(2, 3), _a(2, 3, seed=1), -1)),
    (stack_scalars, (0.3, -0.8, 1.1)),
    (stack_built_in_loop, (_a(2),)),
    (array_of_appended_scalars, (0.3, 0.9)),
    (hstack_fn, (_a(3), _a(2, seed=1))),
    (hstack_fn, (_a(2, 3), _a(2, 1, seed=1))),
    (hstack_scalars, (0.3, _a(3))),
    (vstack_fn, (_a(3), _a(3, seed=1))),
    (vstack_fn, (_a(2, 3), _a(1, 3, seed=1))),
    (vstack_fn, (_a(2, 3), _a(3, seed=1))),
    (split_sections, (_a(6),)),
    (split_sections, (_a(3, 2),)),
    (split_indices_partial, (_a(6),)),
    (split_indices_partial, (_a(5, 2, 2),)),
    (split_axis, (_a(2, 4),)),
    (split_axis, (_a(2, 3, 4),)),
    (array_split_uneven, (_a(7),)),
    (array_split_partial_axis, (_a(2, 3),)),
    (hsplit_fn, (_a(4),)),
    (hsplit_fn, (_a(3, 4),)),
    (vsplit_fn, (_a(3, 2),)),
    (tile_fn, (_a(3), 2)),
    (tile_fn, (_a(3), (2, 2))),
    (tile_fn, (_a(2, 3), (2,))),
    (tile_fn, (_a(2, 3), (3, 1))),
    (tile_fn, (_a(2, 1, 3), (2, 1, 1, 2))),
    (tile_scalar, (0.4,)),
    (repeat_fn, (_a(3), 2, 0)),
    (repeat_fn, (_a(2, 3), 3, 1)),
    (repeat_fn, (_a(3, 2), [1, 0, 2], 0)),
    (repeat_fn, (_a(2, 2, 3), np.array([2, 1, 3]), -1)),
    (repeat_fn, (_a(2, 3), [2], -2)),
    (repeat_fn, (_a(2, 3), 2, None)),
    (repeat_flat, (_a(2, 3),)),
    (repeat_method, (_a(2, 3),)),
    (pad_fn, (_a(3), 1)),
    (pad_fn, (_a(3), (1, 2))),
    (pad_fn, (_a(2, 3), ((1, 0), (2, 3)))),
    (pad_fn, (_a(2, 3), ((1, 2),))),
    (pad_fn, (_a(2, 3), [[0, 1], [1, 0]])),
    (pad_fn, (_a(2, 2, 2), 1)),
    (pad_mode, (_a(2, 3), ((1, 2), (2, 1)), "edge")),
    (pad_mode, (_a(4), (2, 3), "reflect")),
    (pad_mode, (_a(2, 3), 2, "symmetric")),
    (pad_mode, (_a(2, 3), ((3, 1), (4, 2)), "wrap")),
    (pad_constant_value, (_a(2, 3), 0.7)),
    (flip_fn, (_a(3), 0)),
    (flip_fn, (_a(2, 3), 1)),
    (flip_fn, (_a(2, 3, 4), (0, 2))),
    (flip_all, (_a(2, 3),)),
    (fliplr_fn, (_a(2, 3),)),
    (flipud_fn, (_a(3, 2),)),
    (rot90_fn, (_a(2, 3), 1, (0, 1))),
    (rot90_fn, (_a(2, 3, 4), -1, (1, 2))),
    (rot90_fn, (_a(2, 3), 2, (1, 0))),
    (roll_fn, (_a(5), 2, None)),
    (roll_fn, (_a(3, 4), -1, 0)),
    (roll_fn, (_a(3, 4), (1, 2), (0, 1))),
    (roll_fn, (_a(2, 3, 4), (1, -1), (-1, 0))),
    (roll_flat, (_a(3, 4),)),
    (diag_fn, (_a(3), 0)),
    (diag_fn, (_a(3), 1)),
    (diag_fn, (_a(2), -2)),
    (diag_fn, (_a(3, 3), 0)),
    (diag_fn, (_a(3, 4), 1)),
    (diag_fn, (_a(4, 3), -1)),
    (diag_default, (_a(3, 3),)),
    (diagonal_fn, (_a(3, 3), 0, 0, 1)),
    (diagonal_fn, (_a(3, 4), 1, 0, 1)),
    (diagonal_fn, (_a(2, 3, 4), -1, 1, 2)),
    (diagonal_fn, (_a(3, 2, 4), 1, 2, 0)),
    (diagonal_method, (_a(4, 3),)),
    (triu_fn, (_a(3, 3), 0)),
    (triu_fn, (_a(3, 4), 1)),
    (triu_fn, (_a(2, 3, 3), -1)),
    (tril_fn, (_a(3, 3), 0)),
    (tril_fn, (_a(4, 3), -1)),
    (tril_fn, (_a(2, 3, 3), 1)),
    (triu_tril_default, (_a(3, 3),)),
    (take_fn, (_a(2, 3), [0, 2, 2], None)),
    (take_fn, (_a(3, 4), [[0, 1], [1, 1]], 1)),
    (take_fn, (_a(3, 4), 2, 0)),
    (take_fn, (_a(2, 3, 4), np.array([3, 0, 3]), -1)),
    (take_flat, (_a(2, 3),)),
    (take_wrap, (_a(3, 2),)),
    (take_method, (_a(2, 3),)),
    (like_constants, (_a(2, 3),)),
    (fill_empty_like, (_a(4),)),
    (fill_empty_like, (_a(3, 2),)),
]


def _id(case):
    fn, args = case

    def show(a):
        if isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating):
            return "x".join(map(str, a.shape))
        return "f" if isinstance(a, float) else repr(a).replace(" ", "")

    return f"{fn.__name__}-{','.join(show(a) for a in args)}"


LOOP_APPENDS = {stack_built_in_loop, array_of_appended_scalars}
ORDERED = [pytest.param(case, order, id=f"{_id(case)}-{order}",
                        marks=[])
           for case in CASES for order in (1, 2)]


@pytest.mark.parametrize("case, order", ORDERED)
def test_rule_matches_central_differences(case, order):
    fn, args = case
    srcgrad.check_grads(fn, args, order=order)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_gradient_has_the_type_and_shape_of_the_argument(case):
    fn, args = case
    positions = tuple(i for i, a in enumerate(args) if isinstance(a, (float, np.ndarray))
                      and np.issubdtype(np.asarray(a).dtype, np.floating))
    grads = srcgrad.grad(fn, wrt=positions)(*args)
    for pos, g in zip(positions, grads):
        if isinstance(args[pos], np.ndarray):
            assert isinstance(g, np.ndarray) and g.shape == args[pos].shape
            assert g.dtype == args[pos].dtype
        else:
            assert isinstance(g, float)


def test_pieces_of_a_split_that_are_not_used_get_zero():
    x = rand((6,), 3)
    g = srcgrad.grad(split_indices_partial)(x)
    assert np.all(g[[0, 4, 5]] == 0.0) and np.all(g[1:4] != 0.0)


def test_concatenating_an_array_with_itself_adds_the_cotangents():
    x = rand((3,), 4)
    z = np.concatenate([x, np.ones(2), x * 2.0, x])
    gz = np.cos(z) * np.cos(np.arange(z.size))
    expected = gz[:3] + 2.0 * gz[5:8] + gz[8:]
    np.testing.assert_allclose(srcgrad.grad(concatenate_repeat_and_constant)(x), expected)


def test_nested_array_literal_gradients_are_floats():
    grads = srcgrad.grad(array_nested, wrt=(0, 1, 2, 3))(0.3, -0.8, 1.1, 0.5)
    assert all(isinstance(g, float) for g in grads)


def test_functions_like_zeros_like_carry_no_gradient():
    x = rand((2, 3), 5)
    g = srcgrad.grad(only_like_constants)(x)
    assert isinstance(g, np.ndarray) and g.shape == x.shape and not np.any(g)
    np.testing.assert_allclose(srcgrad.grad(like_constants)(x), np.cos(x) + 2.0)


def test_fill_empty_like_does_not_touch_the_argument():
    x = rand((4,), 6)
    before = x.copy()
    srcgrad.grad(fill_empty_like)(x)
    np.testing.assert_array_equal(x, before)


FLOAT32_CASES = [
    (reshape_fn, (_a(2, 3), (3, 2))),
    (transpose_axes, (_a(2, 3, 4), (2, 0, 1))),
    (concatenate_axis, (_a(2, 3), _a(2, 2, seed=1), 1)),
    (stack_axis, (_a(2, 3), _a(2, 3, seed=1), -1)),
    (split_sections, (_a(6),)),
    (tile_fn, (_a(2, 3), (3, 1))),
    (repeat_fn, (_a(3, 2), [1, 0, 2], 0)),
    (pad_mode, (_a(2, 3), ((1, 2), (2, 1)), "edge")),
    (pad_fn, (_a(2, 3), 1)),
    (diag_fn, (_a(3, 4), 1)),
    (diagonal_fn, (_a(2, 3, 4), -1, 1, 2)),
    (take_fn, (_a(3, 4), [[0, 1], [1, 1]], 1)),
    (roll_fn, (_a(3, 4), (1, 2), (0, 1))),
    (asarray_array, (_a(2, 3, 2),)),
]


def _to_float32(args):
    return tuple(a.astype(np.float32) if isinstance(a, np.ndarray)
                 and np.issubdtype(a.dtype, np.floating) else a for a in args)


@pytest.mark.parametrize("case", FLOAT32_CASES, ids=[_id(c) for c in FLOAT32_CASES])
def test_float32_in_float32_gradient_out(case):
    fn, args = case
    args = _to_float32(args)
    srcgrad.check_grads(fn, args, order=1)
    g = srcgrad.grad(fn)(*args)
    assert g.dtype == np.float32 and g.shape == args[0].shape


def array_as_float64(x):
    y = np.asarray(x, dtype=np.float64)
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def test_conversion_to_float64_gives_a_float32_gradient_for_float32():
    x = rand((2, 3), 7).astype(np.float32)
    srcgrad.check_grads(array_as_float64, (x,))
    g = srcgrad.grad(array_as_float64)(x)
    assert g.dtype == np.float32


# -- the helpers on their own: each is the transpose of the one its rule calls --------


def _dot(a, b):
    la = a if isinstance(a, list) else [a]
    lb = b if isinstance(b, list) else [b]
    return sum(float(np.vdot(np.asarray(x, dtype=float), np.asarray(y, dtype=float)))
               for x, y in zip(la, lb))


def _random_like(v, seed):
    if isinstance(v, list):
        return [_random_like(item, seed + i) for i, item in enumerate(v)]
    return rand(np.shape(v), seed) if np.shape(v) else float(rand((), seed))


PAIRS = [
    # (linear map A, its transpose A^T, an input for A)
    (lambda g: S.unconcat(g, [np.ones((2, 3)), np.ones((2, 1))], 1, 0),
     lambda h: S.concat_like(h, [np.ones((2, 3)), np.ones((2, 1))], 1, 0), _a(2, 4)),
    (lambda g: S.unconcat(g, [np.ones(3), 1.0, np.ones(2)], 0, 1),
     lambda h: S.concat_like(h, [np.ones(3), 1.0, np.ones(2)], 0, 1), _a(6)),
    (lambda g: S.unconcat(g, [np.ones((2, 2)), np.ones(5)], None, 0),
     lambda h: S.concat_like(h, [np.ones((2, 2)), np.ones(5)], None, 0), _a(9)),
    (lambda g: S.unstack(g, [np.ones(3), np.ones(3)], -1),
     lambda h: S.stack_like(h, [np.ones(3), np.ones(3)], -1), _a(3, 2)),
    (lambda g: S.unpack(g, [[1.0, 2.0], [3.0, 4.0]]),
     lambda h: S.pack(h, [[1.0, 2.0], [3.0, 4.0]], (2, 2)), _a(2, 2)),
    (lambda g: S.unpack(g, np.ones(3)), lambda h: S.pack(h, np.ones(3), (1, 3, 1)), _a(1, 3, 1)),
    (lambda g: S.untile(g, np.ones((2, 3)), (2, 1, 2)),
     lambda h: np.tile(h, (2, 1, 2)), _a(2, 2, 6)),
    (lambda g: S.unrepeat(g, np.ones((2, 3)), [1, 3, 0], 1),
     lambda h: np.repeat(h, [1, 3, 0], 1), _a(2, 4)),
    (lambda g: S.unpad(g, np.ones((3, 2)), ((1, 2), (3, 1)), "reflect"),
     lambda h: np.pad(h, ((1, 2), (3, 1)), "reflect"), _a(6, 6)),
    (lambda g: S.undiagonal(g, np.ones((3, 2, 4)), 1, 2, 0),
     lambda h: np.diagonal(h, 1, 2, 0), _a(2, 2)),
    (lambda g: S.undiag(g, np.ones((4, 3)), -1),
     lambda h: np.diag(h, -1), _a(3)),
    (lambda g: S.untake(g, np.ones((3, 4)), [[0, 5], [1, 1]], 1, "clip"),
     lambda h: np.take(h, [[0, 5], [1, 1]], 1, None, "clip"), _a(3, 2, 2)),
]


@pytest.mark.parametrize("k", range(len(PAIRS)))
def test_helper_is_the_transpose_of_the_map_its_rule_calls(k):
    a, at, g = PAIRS[k]
    ag = a(g)
    h = _random_like(ag, 11)
    assert np.isclose(_dot(ag, h), _dot(g, at(h)))


def test_helpers_take_zero_pieces():
    like = [np.ones((2, 2)), np.ones((2, 1))]
    out = S.concat_like([0.0, np.full((2, 1), 3.0)], like, 1, 0)
    np.testing.assert_array_equal(out, [[0.0, 0.0, 3.0], [0.0, 0.0, 3.0]])
    assert S.concat_like(0.0, like, -1, 0).shape == (2, 3)
    assert S.stack_like([np.ones(2), 0.0], [np.ones(2), np.ones(2)], 0).shape == (2, 2)
    assert S.pack([0.0, [0.0, 2.0]], [[1.0, 1.0], [1.0, 1.0]]).tolist() == [[0, 0], [0, 2]]
    assert S.unconcat(0.0, like, 1, 0) == 0.0


def test_pad_with_a_mode_that_does_not_copy_says_so():
    with pytest.raises(NotImplementedError, match="linear_ramp"):
        S.unpad(np.ones(5), np.ones(3), 1, "linear_ramp")
    with pytest.raises(NotImplementedError, match="odd"):
        S.unpad(np.ones(5), np.ones(3), 1, "reflect", "odd")


def transpose_nine_axes(x):
    y = x.transpose(8, 7, 6, 5, 4, 3, 2, 1, 0)
    return np.sum(np.sin(y))


def test_method_transpose_with_more_axes_than_the_rule_takes_is_an_error_not_a_wrong_answer():
    x = rand((1,) * 9, 8)
    with pytest.raises(srcgrad.SrcgradError, match="transpose"):
        srcgrad.grad(transpose_nine_axes)(x)



def split_of_scalars(a, b, c):
    parts = np.split(np.array([a, b * c, c, 2.0]), 2)
    return np.sum(np.sin(parts[0]) * parts[1]) + np.sum(np.cos(np.tile(parts[1], 2)))


def array_nested_sin(a, b, c):
    m = np.array([[a, b * c], [c, 1.0]])
    return np.sum(np.sin(m) * np.cos(np.arange(4.0)).reshape(2, 2)) * a


# check_grads(order=k) takes gradients of gradients, so order 3 needs float arguments
THIRD_ORDER = [
    (array_nested_sin, (0.3, -0.8, 1.1)),
    (asarray_scalars, (0.3, -0.8, 1.1)),
    (stack_scalars, (0.3, -0.8, 1.1)),
    (split_of_scalars, (0.3, -0.8, 1.1)),
]


@pytest.mark.parametrize("case", THIRD_ORDER, ids=[_id(c) for c in THIRD_ORDER])
def test_third_order_runs_the_rules_of_the_helpers_rules_call(case):
    # order 3 differentiates code that calls pack and stack_like (from the rules of
    # unpack and unstack), so it runs their rules too
    fn, args = case
    srcgrad.check_grads(fn, args, order=3, wrt=0)


def reshape_used_on_one_branch(x, flag):
    y = np.reshape(x, (3, 2))
    if flag > 0:
        s = np.sum(np.sin(y) * np.cos(np.arange(6.0)).reshape(3, 2))
    else:
        s = np.sum(x)
    return s


def test_shape_rule_after_a_branch_that_does_not_use_the_result():
    x = rand((6,), 9)
    srcgrad.check_grads(reshape_used_on_one_branch, (x, 1.0))
    np.testing.assert_allclose(srcgrad.grad(reshape_used_on_one_branch)(x, -1.0), np.ones(6))
