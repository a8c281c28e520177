"""Indexing: reads (``x[i]``, slices, masks, fancy indices) and writes (``y[i] = v``).

Reads have no rule: the transform scatters their cotangents with ``add_at``,
so repeated indices add up. Writes are lowered to a copying ``setitem``: the
caller's array is never changed. Every function ends in a nonlinear scalar
whose weights differ at every position, so a cotangent put in the wrong
place fails the check.
"""

import numpy as np
import pytest

import srcgrad
from srcgrad import runtime as rt

from .shapes import rand

# Indexing has no rules of its own. Reads become add_at (seq_add_at) in generated code and
# writes become setitem; order 2 differentiates those calls with their rules
# (runtime_rules.py).
COVERED = {rt.seq_add_at, rt.setitem}


def _a(*shape, seed=0):
    return rand(shape, seed)


# -- reads ---------------------------------------------------------------------------


def int_index(x):
    return np.sin(x[1]) * x[0] + x[-1] ** 3


def int_index_2d(x):
    return np.sin(x[1, 2]) * x[0, 0] + x[-1, -2] ** 2 + np.sum(np.cos(x[-1]) * np.arange(3.0))


def int_index_variable(x, i):
    return np.sin(x[i]) * x[i - 1]


def slices(x):
    a = x[1:]
    b = x[::2]
    c = x[::-1]
    d = x[4:0:-2]
    return np.sum(np.sin(a) * c[:-1]) + np.sum(b ** 2) * np.sum(np.cos(d) * np.arange(2.0))


def slices_2d(x):
    y = x[:, 1:3]
    z = x[1:, ::-1]
    return (np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))
            + np.sum(np.sin(z) * np.cos(np.arange(z.size) + 1.0).reshape(z.shape)))


def newaxis(x):
    y = x[None]
    z = x[:, None] * x[np.newaxis, :]
    return np.sum(np.sin(y) * 2.0) + np.sum(np.sin(z) * np.cos(np.arange(z.size)).reshape(z.shape))


def newaxis_3d(x):
    y = x[np.newaxis, :, None, 1:]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def ellipsis(x):
    a = x[..., 0]
    b = x[0, ...]
    c = x[..., 1:]
    return (np.sum(np.sin(a) * np.cos(np.arange(a.size)).reshape(a.shape))
            + np.sum(np.cos(b) * np.cos(np.arange(b.size) + 1.0).reshape(b.shape))
            + np.sum(c ** 3 * np.cos(np.arange(c.size) + 2.0).reshape(c.shape)))


def fancy_repeats(x):
    y = x[[0, 0, 2, 1, 0]]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def fancy_array_2d_index(x):
    y = x[np.array([[0, 1], [1, 1]])]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def fancy_pairs(x):
    y = x[[0, 0, 1], [2, 2, 0]]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def mask_from_values(x):
    y = x[x > 0]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def mask_argument(x, mask):
    y = x[mask]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def mask_and_column(x, mask):
    y = x[mask, 1]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def mixed_slice_and_list(x):
    y = x[1:, [0, 2, 2]]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def mixed_list_and_slice(x):
    y = x[[1, 0, 1], 1:]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def mixed_3d(x):
    y = x[0, :, [1, 2]]
    z = x[..., 1:, -1]
    return (np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))
            + np.sum(np.sin(z) * np.cos(np.arange(z.size) + 1.0).reshape(z.shape)))


def chained(x):
    y = x[1:][::-1][0]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def read_in_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i] * np.cos(i)
    return np.sum(np.sin(s))


def read_in_loop_len(x):
    s = 0.0
    n = len(x)
    for i in range(n - 1):
        s = s + np.sin(x[i]) * x[i + 1]
    return s


def row_iteration(A):
    s = 0.0
    k = 0.0
    for row in A:
        k = k + 1.0
        s = s + np.sum(np.sin(row) * np.cos(np.arange(row.size) + k).reshape(row.shape))
    return s


def row_iteration_accumulate(A):
    acc = np.zeros(A.shape[1])
    for row in A:
        acc = acc + row * row
    return np.sum(np.sin(acc) * np.cos(np.arange(acc.size)))


def scalar_reads_into_floats(x):
    a = x[0]
    b = x[1]
    return a * b + np.sin(a) / (1.0 + b * b) + x[2] ** 2


# -- writes --------------------------------------------------------------------------


def write_int(x):
    y = np.zeros(4)
    y[0] = x[1] * x[2]
    y[2] = np.sin(x[0])
    return np.sum(np.sin(y) * np.cos(np.arange(4.0))) + np.sum(x * x)


def write_augmented(x):
    y = x.copy()
    y[1] += x[0] ** 2
    y[-1] *= 3.0
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def write_mask_zero(x):
    y = x.copy()
    y[x < 0] = 0.0
    return np.sum(np.sin(y) * x * np.cos(np.arange(y.size)))


def write_slice(x, v):
    y = x.copy()
    y[1:3] = v
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)).reshape(y.shape))


def write_slice_of_zeros(x):
    y = np.zeros(6)
    y[1:4] = np.sin(x)
    y[::2] += x[0]
    return np.sum(np.sin(y) * np.cos(np.arange(6.0)))


def write_row_2d(x):
    y = np.zeros((3, 2))
    y[1] = x
    y[:, 0] += x[1]
    y[2, 1] = x[0] * x[1]
    return np.sum(np.sin(y) * np.cos(np.arange(6.0)).reshape(3, 2))


def write_fancy(x):
    y = x.copy()
    y[[0, 2]] = y[[2, 0]] * 2.0
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def write_in_loop(x):
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = x[i] * x[i - 1]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def write_overwrites(x):
    y = x.copy()
    y[0] = y[1] * 2.0
    y[1] = 0.5
    y[0] = y[0] + y[2]
    return np.sum(np.sin(y) * np.cos(np.arange(y.size)))


def write_argument_directly(x):
    x[0] = 5.0
    x[1:] += 1.0
    return np.sum(np.sin(x) * np.cos(np.arange(x.size)).reshape(x.shape))


M34 = np.array([[True, False, True, True], [False, False, True, False],
                [True, True, True, False]])

READS = [
    (int_index, (_a(4),)),
    (int_index_2d, (_a(3, 3),)),
    (int_index_variable, (_a(4), 2)),
    (int_index_variable, (_a(4), -1)),
    (slices, (_a(6),)),
    (slices_2d, (_a(3, 4),)),
    (newaxis, (_a(3),)),
    (newaxis_3d, (_a(2, 3, 4),)),
    (ellipsis, (_a(2, 3),)),
    (ellipsis, (_a(2, 3, 4),)),
    (fancy_repeats, (_a(3),)),
    (fancy_repeats, (_a(3, 2),)),
    (fancy_array_2d_index, (_a(2, 3),)),
    (fancy_pairs, (_a(2, 3),)),
    (mask_from_values, (_a(6),)),
    (mask_from_values, (_a(3, 4),)),
    (mask_argument, (_a(3, 4), M34)),
    (mask_argument, (_a(3, 4), M34[:, 0])),
    (mask_and_column, (_a(3, 4), M34[:, 0])),
    (mixed_slice_and_list, (_a(3, 4),)),
    (mixed_list_and_slice, (_a(2, 3),)),
    (mixed_3d, (_a(2, 3, 4),)),
    (chained, (_a(3, 4),)),
    (read_in_loop, (_a(4),)),
    (read_in_loop, (_a(3, 2),)),
    (read_in_loop_len, (_a(5),)),
    (row_iteration, (_a(3, 4),)),
    (row_iteration, (_a(2, 3, 2),)),
    (row_iteration_accumulate, (_a(4, 3),)),
    (scalar_reads_into_floats, (_a(3),)),
]

WRITES = [
    (write_int, (_a(4),)),
    (write_augmented, (_a(4),)),
    (write_augmented, (_a(3, 2),)),
    (write_mask_zero, (np.array([0.7, -1.3, 2.1, -0.4, 0.2]),)),
    (write_slice, (_a(5), 0.4)),
    (write_slice, (_a(5), _a(2, seed=1))),
    (write_slice, (_a(5, 2), _a(2, seed=1))),
    (write_slice_of_zeros, (_a(3),)),
    (write_row_2d, (_a(2),)),
    (write_fancy, (_a(4),)),
    (write_in_loop, (_a(4),)),
    (write_overwrites, (_a(3),)),
    (write_argument_directly, (_a(4),)),
    (write_argument_directly, (_a(3, 2),)),
]


def _id(case):
    fn, args = case

    def show(a):
        if isinstance(a, np.ndarray):
            kind = "b" if a.dtype == bool else ""
            return kind + "x".join(map(str, a.shape))
        return "f" if isinstance(a, float) else repr(a)

    return f"{fn.__name__}-{','.join(show(a) for a in args)}"


LOOPS = {read_in_loop, read_in_loop_len, row_iteration, row_iteration_accumulate,
         write_in_loop}
ORDERED = [pytest.param(case, order, id=f"{_id(case)}-{order}",
                        marks=[])
           for case in READS + WRITES for order in (1, 2)]


@pytest.mark.parametrize("case, order", ORDERED)
def test_matches_central_differences(case, order):
    fn, args = case
    srcgrad.check_grads(fn, args, order=order)


def two_loops_sharing_a_name(x):
    s = 0.0
    for i in range(2):
        s = s + x[i]
    for i in [1, 0]:
        s = s * x[i]
    return s


def test_a_name_reused_as_loop_target_and_loop_variable():
    x = np.array([2.0, 3.0])  # f = (x0 + x1) * x1 * x0
    expected = [x[1] * x[0] + (x[0] + x[1]) * x[1], x[1] * x[0] + (x[0] + x[1]) * x[0]]
    np.testing.assert_allclose(srcgrad.grad(two_loops_sharing_a_name)(x), expected)


@pytest.mark.parametrize("case", READS + WRITES, ids=[_id(c) for c in READS + WRITES])
def test_the_callers_arrays_are_not_changed(case):
    fn, args = case
    before = [np.copy(a) for a in args]
    positions = tuple(i for i, a in enumerate(args) if isinstance(a, (float, np.ndarray))
                      and np.issubdtype(np.asarray(a).dtype, np.floating))
    grads = srcgrad.grad(fn, wrt=positions)(*args)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)
    for pos, g in zip(positions, grads):
        assert np.shape(g) == np.shape(args[pos])


def test_repeated_indices_add_up():
    x = _a(3)
    y = x[[0, 0, 2, 1, 0]]
    gy = np.cos(y) * np.cos(np.arange(5.0))
    expected = np.array([gy[0] + gy[1] + gy[4], gy[3], gy[2]])
    np.testing.assert_allclose(srcgrad.grad(fancy_repeats)(x), expected)


def test_masked_out_and_overwritten_elements_get_zero():
    x = np.array([0.7, -1.3, 2.1, -0.4, 0.2])
    g = srcgrad.grad(mask_from_values)(x)
    assert np.all(g[x <= 0] == 0.0) and np.all(g[x > 0] != 0.0)
    g = srcgrad.grad(write_slice, wrt=(0, 1))(_a(5), 0.4)
    assert np.all(g[0][1:3] == 0.0) and isinstance(g[1], float)


def test_reading_in_a_loop_is_the_sum_over_iterations():
    x = _a(4)
    s = np.sum(x * x * np.cos(np.arange(4.0)))
    np.testing.assert_allclose(srcgrad.grad(read_in_loop)(x),
                               np.cos(s) * 2.0 * x * np.cos(np.arange(4.0)))


def test_float32_indexing_gives_float32_gradients():
    x = _a(3, 4).astype(np.float32)
    for fn in (slices_2d, mixed_slice_and_list, row_iteration, fancy_array_2d_index):
        srcgrad.check_grads(fn, (x,))
        g = srcgrad.grad(fn)(x)
        assert g.dtype == np.float32 and g.shape == x.shape
