"""The rules of the helpers generated code calls, so generated code differentiates again."""

import numpy as np
import pytest

import srcgrad
from srcgrad import runtime as rt
from srcgrad.runtime import (
    add_any,
    broadcast_like,
    matmul_cotangents,
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
           rt.add_cotangents_transpose}

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


def test_matmul_helper_rules():
    # order 1 only: their second derivatives need a rule for matmul_cotangents_transpose
    srcgrad.check_grads(f_matmul_helpers,
                        (W23, np.ones((2, 4)) * 0.3, np.linspace(-1, 1, 12).reshape(4, 3)))
