"""Rules for the helpers generated code calls, so generated code can be differentiated again.

Most helpers are linear in the cotangent they move, so their rules are their
transposes: ``unbroadcast`` <-> ``broadcast_like``, ``unreduce`` <-> ``sum_to``,
``seq_item`` <-> ``add_at``.
"""


from .. import runtime as rt
from ..runtime import (
    add_any,
    add_cotangents,
    add_cotangents_transpose,
    matmul_any,
    matmul_cotangents,
    matmul_cotangents_transpose,
    seq_add_at,
    seq_concat,
    seq_fill,
    seq_item,
    seq_slices,
    seq_sum,
    sum_to,
    take,
    unbroadcast,
    unreduce,
    without,
)
from .registry import adjoint, nondifferentiable

nondifferentiable(rt.scalar_seed)


@adjoint(rt.unbroadcast)
def unbroadcast_(g, out, g_in, like):
    return unbroadcast(g, g_in)


@adjoint(rt.broadcast_like)
def broadcast_like_(g, out, g_in, like):
    return unbroadcast(g, g_in)


@adjoint(rt.unreduce)
def unreduce_(g, out, g_in, like, axis, keepdims):
    return sum_to(g, g_in, axis, keepdims)


@adjoint(rt.sum_to)
def sum_to_(g, out, g_in, like, axis, keepdims):
    return unreduce(g, g_in, axis, keepdims)


@adjoint(rt.add_any)
def add_any_(g, out, a, b):
    return g, g


@adjoint(rt.seq_item)
def seq_item_(g, out, g_in, index):
    return seq_add_at(0.0, g_in, index, g)


@adjoint(rt.seq_add_at)
def seq_add_at_(g, out, acc, seq, index, g_in):
    return g, None, None, unbroadcast(take(g, index), g_in)  # g_in may have been broadcast


@adjoint(rt.array_add_at)
def array_add_at_(g, out, acc, array, index, g_in):
    return g, None, None, unbroadcast(take(g, index), g_in)


@adjoint(rt.array_add_at_inplace)
def array_add_at_inplace_(g, out, acc, array, index, g_in):
    return g, None, None, unbroadcast(take(g, index), g_in)


@adjoint(rt.take)
def take_(g, out, g_in, index):
    return seq_add_at(0.0, g_in, index, g)


@adjoint(rt.without)
def without_(g, out, g_in, index):
    return without(g, index)


@adjoint(rt.seq_split)
def seq_split_(g, out, g_in, a, b):
    return seq_concat(g, [len(a), len(b)])


@adjoint(rt.seq_concat)
def seq_concat_(g, out, parts, lengths):
    return seq_slices(g, lengths)


@adjoint(rt.seq_slices)
def seq_slices_(g, out, g_in, lengths):
    return seq_concat(g, lengths)


@adjoint(rt.seq_fill)
def seq_fill_(g, out, seq, g_in):
    return None, seq_sum(g)


@adjoint(rt.seq_sum)
def seq_sum_(g, out, g_in):
    return seq_fill(g_in, g)


@adjoint(rt.seq_onehot)
def seq_onehot_(g, out, seq, primal_out, g_in):
    return None, None, take(g, list(seq).index(primal_out))


@adjoint(rt.matmul_cotangents)
def matmul_cotangents_(g, out, g_in, a, b):
    dg, da, db = matmul_cotangents_transpose(g, g_in, a, b)
    return dg, da, db


@adjoint(rt.matmul_cotangents_transpose)
def matmul_cotangents_transpose_(h, out, gbar, g_in, a, b):
    # out = (dg, da, db) with dg = gga @ b + a @ ggb, da = g @ ggb^T, db = gga^T @ g
    h_g, h_a, h_b = seq_item(h, 0), seq_item(h, 1), seq_item(h, 2)
    gga, ggb = seq_item(gbar, 0), seq_item(gbar, 1)
    dgga = add_any(matmul_cotangents(h_g, gga, b)[0], matmul_cotangents(g_in, gga, h_b)[0])
    dggb = add_any(matmul_cotangents(h_g, a, ggb)[1], matmul_cotangents(g_in, h_a, ggb)[1])
    dg = add_any(matmul_any(gga, h_b), matmul_any(h_a, ggb))
    da = matmul_cotangents(h_g, a, ggb)[0]
    db = matmul_cotangents(h_g, gga, b)[1]
    return [dgga, dggb], dg, da, db


@adjoint(rt.matmul_any)
def matmul_any_(g, out, x, y):
    gx, gy = matmul_cotangents(g, x, y)
    return gx, gy


@adjoint(rt.setitem)
def setitem_(g, out, container, index, value):
    return without(g, index), None, unbroadcast(take(g, index), value)


nondifferentiable(rt.is_zero)


@adjoint(rt.matmul_grad_left)
def matmul_grad_left_(g, out, g_in, a, b):
    dg, da, db = matmul_cotangents_transpose([g, 0.0], g_in, a, b)
    return dg, None, db


@adjoint(rt.matmul_grad_right)
def matmul_grad_right_(g, out, g_in, a, b):
    dg, da, db = matmul_cotangents_transpose([0.0, g], g_in, a, b)
    return dg, da


@adjoint(rt.add_cotangents)
def add_cotangents_(g, out, g_in, a, b):
    return add_cotangents_transpose(g, g_in, a, b)


@adjoint(rt.add_cotangents_transpose)
def add_cotangents_transpose_(g, out, gbar, g_in, a, b):
    ga, gb = add_cotangents(g, a, b)
    return [ga, gb]
