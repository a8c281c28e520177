"""The rules of the helpers generated code calls, so generated code differentiates again."""

import numpy as np
import pytest

import srcgrad
from srcgrad import runtime as rt
from srcgrad.runtime import (
    add_any,
    array_add_at,
    array_add_at_inplace,
    broadcast_like,
    matmul_any,
    matmul_cotangents,
    matmul_cotangents_transpose,
    matmul_grad_left,
    matmul_grad_right,
    seq_add_at,
    seq_concat,
    seq_fill,
    seq_item,
    seq_onehot,
    seq_split,
    seq_sum,
    setitem,
    sum_to,
    take,
    unbroadcast,
    unreduce,
    without,
)

COVERED = {rt.unbroadcast, rt.broadcast_like, rt.unreduce, rt.sum_to, rt.add_any, rt.seq_item,
           rt.seq_add_at, rt.take, rt.without, rt.seq_split, rt.seq_concat, rt.seq_fill,
           rt.seq_sum, rt.seq_onehot, rt.matmul_cotangents, rt.matmul_grad_left,
           rt.matmul_grad_right, rt.setitem, rt.seq_slices, rt.add_cotangents,
           rt.add_cotangents_transpose, rt.matmul_cotangents_transpose, rt.matmul_any,
           rt.array_add_at, rt.array_add_at_inplace}

W23 = np.arange(6.0).reshape(2, 3) / 7.0 - 0.3
W3 = np.array([0.4, -0.2, 0.9])


def f_unbroadcast(g):
    return np.sum(np.sin(unbroadcast(g, W3)) * W3)


def f_broadcast_like(g):
    return np.sum(np.sin(broadcast_like(g, W23)) * W23)


def f_unreduce(g):
    return np.sum(np.sin(unreduce(g, W23, 0, False)) * W23)


def f_sum_to(g):
    return np.sum(np.sin(sum_to(g, W3, 0, False)) * W3)


def f_add_any(a, b):
    return np.sum(np.sin(add_any(a, b)) * W3)


def f_seq(a, b):
    pair = seq_add_at(0.0, [a, b], 1, b * a)
    first = seq_item(pair, 0) + take(pair, 1) * 2.0
    split_a, split_b = seq_split([a, b, a * b], [a], [b, b])
    joined = seq_concat([split_a, split_b], [1, 2])
    joined = seq_concat(rt.seq_slices(joined, [2, 1]), [2, 1])
    total = seq_sum(joined) + seq_sum(seq_fill([a, b], a * b))
    best = seq_onehot([a, b], max(a, b), first)
    return first * total + seq_item(best, 0) + seq_item(best, 1) * 3.0


def f_add_cotangents(a, b):
    ga, gb = rt.add_cotangents(np.sin(a) * b, W23, W3)
    la, lb = rt.add_cotangents([a * b, b], [a], [b])
    return np.sum(ga * ga) + np.sum(np.cos(gb)) + seq_item(la, 0) * seq_item(lb, 0)


def f_without(x):
    g = without(np.sin(x) * x, 1)
    return np.sum(g * g)


def f_setitem(x, v):
    y = setitem(np.cos(x), slice(0, 2), v * x[2])
    return np.sum(y * y)


def f_matmul_helpers(g, a, b):
    left, right = matmul_cotangents(g, a, b)
    return (np.sum(np.tanh(left)) + np.sum(right * right)
            + np.sum(np.sin(matmul_grad_left(g, a, b))) + np.sum(matmul_grad_right(g, a, b) ** 2))


@pytest.mark.parametrize("f, args", [
    (f_unbroadcast, (W23 * 1.5,)),
    (f_broadcast_like, (W3 * 2.0,)),
    (f_unreduce, (W3 * 2.0,)),
    (f_sum_to, (W23 * 1.5,)),
    (f_add_any, (W3 * 0.5, W3 * 2.0)),
    (f_seq, (0.7, 1.3)),
    (f_without, (W3 * 1.5,)),
    (f_add_cotangents, (0.7, 1.3)),
    (f_setitem, (W3 * 1.5, 0.8)),
])
@pytest.mark.parametrize("order", [1, 2])
def test_runtime_helper_rules(f, args, order):
    srcgrad.check_grads(f, args, order=order)


def f_matmul_transpose(gga, ggb, g, a, b):
    dg, da, db = matmul_cotangents_transpose([gga, ggb], g, a, b)
    return np.sum(np.sin(dg)) + np.sum(da * da * b[0, 0]) + np.sum(np.tanh(db) * a[0, 1])


def f_array_add_at(acc, g):
    out = array_add_at(acc * 2.0, W3, slice(1, None), np.sin(g))
    out = array_add_at(out, W3, [0, 0], g * g)  # repeated indices accumulate
    out = array_add_at_inplace(out, W3, 2, g[0] * 3.0)  # a broadcast-free scalar
    out = array_add_at_inplace(out, W3, slice(None, 2), g[1])  # one value, broadcast
    return np.sum(out * out * W3)


@pytest.mark.parametrize("order", [1, 2])
def test_array_add_at_rule(order):
    srcgrad.check_grads(f_array_add_at, (W3 * 1.5, np.array([0.3, -0.8])), order=order,
                        wrt=(0,))
    srcgrad.check_grads(f_array_add_at, (W3 * 1.5, np.array([0.3, -0.8])), order=order,
                        wrt=(1,))


def f_matmul_any(x, y):
    return np.sum(np.cos(matmul_any(x, y)))


A24 = np.ones((2, 4)) * 0.3 + np.eye(2, 4) * 0.2
B43 = np.linspace(-1, 1, 12).reshape(4, 3)


@pytest.mark.parametrize("order", [1, 2])
def test_matmul_helper_rules(order):
    srcgrad.check_grads(f_matmul_helpers, (W23, A24, B43), order=order)


@pytest.mark.parametrize("order", [1, 2])
def test_matmul_transpose_rule(order):
    # the second-order rule: third derivatives through a matmul rest on it
    srcgrad.check_grads(f_matmul_transpose, (A24 * 0.5, B43 * 0.7, W23, A24, B43), order=order)


@pytest.mark.parametrize("shapes", [((2, 4), (4, 3)), ((4,), (4, 3)), ((2, 4), (4,)),
                                    ((4,), (4,)), ((5, 2, 4), (4, 3))])
def test_matmul_any_rule(shapes):
    rng = np.random.default_rng(3)
    x, y = (rng.standard_normal(s) * 0.5 for s in shapes)
    srcgrad.check_grads(f_matmul_any, (x, y), order=2)
    assert matmul_any(0.0, y) == 0.0 and matmul_any(x, None) == 0.0


def test_third_derivative_through_matmul():
    def f(a, b):
        return np.sum(np.tanh(a @ b))

    grad_f = srcgrad.grad(f)

    def h(a, b, v):
        return np.sum(grad_f(a, b) * v)

    grad_h = srcgrad.grad(h)

    def k(a, b, v, u):
        return np.sum(grad_h(a, b, v) * u)

    for b in (B43 * 0.4, B43[:, 0] * 0.4):
        srcgrad.check_grads(k, (A24, b, A24 * 2.0 - 0.1, A24 - 0.5), wrt=(0, 1))
