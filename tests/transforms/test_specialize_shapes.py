"""SpecializeShapes: shape decisions made in the text, with the values unchanged.

Each function is differentiated twice -- specialized on its argument shapes
(what ``grad`` does for arrays) and shape-generic -- and both are compared
with each other and with central differences.
"""

import numpy as np
import pytest

import srcgrad
from srcgrad import options
from srcgrad.analyses import shapes as S
from srcgrad.api import SHAPE_SPECIALIZATIONS
from srcgrad.transforms.specialize_shapes import _sum_plan

from ..conftest import needs_optimizations

RUNTIME_DECISIONS = ("unbroadcast(", "unreduce(", "matmul_grad_left(", "matmul_grad_right(",
                     "reduction_count(")


def bias_mse(W, b, X, y):
    return np.mean((np.tanh(X @ W + b) - y) ** 2)


def keepdims_softmax(s, T):
    top = np.max(s, axis=1, keepdims=True)
    z = s - top
    log_norm = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum((z - log_norm) * T) / s.shape[0]


def column_times_row(c, r):
    return np.sum(np.sin(c * r) + c ** 2)


def axis_reductions(a):
    m = np.mean(a, axis=0)
    s = np.sum(a * a, axis=(0, 2))
    return np.sum(m * m) + np.sum(s) + np.max(a, axis=-1).sum()


def scalar_and_array(x, k):
    return np.sum(k * x + k * k) * k


def zero_d(x, w):
    return np.sum(x * w) + w * w


def vector_products(u, v, M):
    return u @ v + np.sum((M @ v) * u) + np.sum(u @ M)


def matmul_calls(a, b):
    y = np.matmul(a, b)
    return np.sum(y * y) + np.sum(np.dot(a, b) * 2.0)


def batched(A, B):
    return np.sum(np.tanh(A @ B))


def recurrence(W, h0, xs):
    h = h0
    for t in range(4):
        h = np.tanh(xs[t] @ W + h)
    return np.sum(h * h)


def sliced(x):
    return np.sum(x[1:] * x[:-1]) + np.sum(x[::2] ** 2)


def branchy(x, w):
    if np.sum(x) > 0.0:
        y = x * w
    else:
        y = x + w
    return np.sum(y * y)


def mask_dependent(x):
    return np.sum(x[x > 0.0] ** 2) + np.mean(x)


rng = np.random.default_rng(7)


def r(*shape):
    return rng.standard_normal(shape)


CASES = [
    (bias_mse, (r(3, 4), r(4), r(5, 3), r(5, 1)), (0, 1)),
    (keepdims_softmax, (r(6, 3), np.eye(3)[[0, 1, 2, 0, 1, 2]]), (0,)),
    (column_times_row, (r(3, 1), r(1, 4)), (0, 1)),
    (column_times_row, (r(3, 1), r(4)), (0, 1)),
    (axis_reductions, (r(2, 3, 4),), (0,)),
    (scalar_and_array, (r(3, 2), 0.7), (0, 1)),
    (zero_d, (r(3), np.array(0.4)), (0, 1)),
    (vector_products, (r(3), r(3), r(3, 3)), (0, 1, 2)),
    (batched, (r(2, 3, 4), r(4, 2)), (0, 1)),
    (matmul_calls, (r(2, 3), r(3)), (0, 1)),
    (matmul_calls, (r(3), r(3, 2)), (0, 1)),
    (recurrence, (r(3, 3) * 0.5, r(2, 3), r(4, 2, 3)), (0, 1)),
    (sliced, (r(7),), (0,)),
    (branchy, (r(4), r(4)), (0, 1)),
    (branchy, (-np.abs(r(4)), r(1)), (0, 1)),
    (mask_dependent, (r(6),), (0,)),
]


def _generic(g, args):
    """The shape-generic specialization of ``g`` for ``args``."""
    return g.__srcgrad_derivative__.specialize(args, {}, shaped=False)


@pytest.mark.parametrize("f,args,wrt", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_shaped_code_agrees_with_generic_code_and_differences(f, args, wrt):
    g = srcgrad.grad(f, wrt=wrt)
    shaped = g(*args)
    generic = _generic(g, args)(*args)
    for a, b, x in zip(shaped, generic, [args[i] for i in wrt]):
        assert np.shape(a) == np.shape(x)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    srcgrad.check_grads(f, args, wrt=wrt)


@pytest.mark.parametrize("f,args,wrt", CASES[:10], ids=lambda c: getattr(c, "__name__", ""))
def test_second_order_through_shaped_code(f, args, wrt):
    srcgrad.check_grads(f, args, order=2, wrt=wrt[0])


@needs_optimizations
def test_small_mlp_gradient_makes_no_runtime_shape_decision():
    args = (r(10, 32), r(32), r(32, 1), r(1), r(32, 10), r(32, 1))

    def loss(W1, b1, W2, b2, X, y):
        h = np.tanh(X @ W1 + b1)
        return np.mean((h @ W2 + b2 - y) ** 2)

    text = srcgrad.source(srcgrad.grad(loss, wrt=(0, 1, 2, 3)), *args)
    for helper in RUNTIME_DECISIONS:
        assert helper not in text, text
    assert "X.T @" in text and ".sum(axis=0)" in text


def test_data_dependent_shapes_stay_dynamic():
    # one specialization (shape (6,)) serves masks that select 0 to 6 elements
    g = srcgrad.grad(mask_dependent)
    for k in range(7):
        x = np.where(np.arange(6) < k, 1.0, -1.0) * (1.0 + np.arange(6) / 10.0)
        np.testing.assert_allclose(g(x), np.where(x > 0.0, 2.0 * x, 0.0) + 1.0 / 6.0,
                                   rtol=1e-12)
    assert len(g.__srcgrad_derivative__.shape_signatures) == 1


def test_new_shapes_get_new_code_up_to_a_limit():
    def f(x, w):
        return np.sum(np.tanh(x * w))

    g = srcgrad.grad(f)
    d = g.__srcgrad_derivative__
    for n in range(1, SHAPE_SPECIALIZATIONS + 4):
        x, w = r(n, 2), r(2)
        np.testing.assert_allclose(g(x, w), (1 - np.tanh(x * w) ** 2) * w, rtol=1e-12)
    assert len(d.shape_signatures) == SHAPE_SPECIALIZATIONS
    # the generic unit serves every later shape, so no further transforms
    assert g(r(50, 2), r(2)).shape == (50, 2)


def test_cached_call_reuses_code_per_shape():
    g = srcgrad.grad(bias_mse)
    args = CASES[0][1]
    first = g.__srcgrad_derivative__.specialize(args, {})
    g(*args)
    assert g.__srcgrad_derivative__.specialize(args, {}).__srcgrad_unit__ is \
        first.__srcgrad_unit__


@pytest.mark.parametrize("g_shape,like,plan", [
    ((4, 3), (4, 3), ([], False, False)),
    ((4, 3), (3,), ([0], False, False)),
    ((4, 3), (4, 1), ([1], True, False)),
    ((2, 4, 3), (4, 1), ([0, 2], False, True)),
    ((4, 1), (4, 3), None),
    ((3,), (4, 3), None),
])
def test_sum_plan(g_shape, like, plan):
    assert _sum_plan(g_shape, like) == plan


def test_shape_algebra():
    assert S.broadcast((3, 1), (4,)) == (3, 4)
    assert S.broadcast(S.FLOAT, S.INT) == S.FLOAT
    assert S.broadcast((2,), (3,)) is None
    assert S.matmul((5, 3), (3, 2)) == (5, 2)
    assert S.matmul((3,), (3,)) == S.FLOAT
    assert S.matmul((7, 5, 3), (3,)) == (7, 5)
    assert S.matmul((3, 2), (3, 2)) is None
    assert S.reduced((2, 3, 4), (0, -1), False) == (3,)
    assert S.reduced((2, 3), None, True) == (1, 1)
    assert S.reduced((2, 3), None, False) == S.FLOAT
    assert S.join(S.BOTTOM, (2,)) == (2,) and S.join((2,), (3,)) is None


def dict_mlp(params, X):
    h = np.tanh(X @ params["W"] + params["b"])
    return np.mean(h ** 2)


def test_dict_arguments_specialize_on_the_shapes_inside():
    g = srcgrad.grad(dict_mlp)
    for hidden, batch in [(3, 4), (5, 4), (3, 2)]:  # same dict type, new shapes each time
        params = {"W": r(2, hidden), "b": r(hidden)}
        X = r(batch, 2)
        got = g(params, X)
        assert got["W"].shape == (2, hidden) and got["b"].shape == (hidden,)
        srcgrad.check_grads(dict_mlp, (params, X), wrt=0)
    if options.optimize:
        text = srcgrad.source(g, params, X)
        assert "unbroadcast(" not in text and ".sum(axis=0)" in text


def test_list_arguments_specialize_on_the_shapes_inside():
    def f(ws, x):
        return np.sum(np.tanh(x @ ws[0]) @ ws[1])

    g = srcgrad.grad(f)
    for n in (2, 3):
        ws = [r(3, n), r(n)]
        x = r(4, 3)
        assert [w.shape for w in g(ws, x)] == [(3, n), (n,)]
        srcgrad.check_grads(f, (ws, x), wrt=0)
