"""Rules for linear algebra: products, contractions, einsum, trace and ``np.linalg``.

Each primal is checked by ``check_grads`` against central differences at
first and second order (the second order differentiates srcgrad's own first
derivative, so it also checks the rules of the helpers the rules call).
"""

import operator

import numpy as np
import pytest

import srcgrad
from srcgrad.adjoints import linalg as la

from .shapes import rand

COVERED = {np.dot, np.ndarray.dot, np.matmul, operator.matmul, np.inner, np.outer,
           np.tensordot, np.einsum, np.trace, np.ndarray.trace, np.kron, np.cross,
           np.linalg.inv, np.linalg.solve, np.linalg.det, np.linalg.slogdet,
           np.linalg.cholesky,
           # the helpers the rules call (generated code calls them)
           la.tdot_ga, la.tdot_gb, la.einsum_expand, la.trace_adjoint, la.mT, la.add_axes,
           la.drop_axes, la.reshape_to, la.tril_half, la.fit_to}


def _pair(sa, sb, seed=0):
    return rand(sa, seed), rand(sb, seed + 1)


def _spd_factor(shape, seed=0):
    """A well-conditioned matrix (or stack of them)."""
    n = shape[-1]
    return rand(shape, seed) * 0.3 + np.eye(n)


# -- functions under test (module level: srcgrad reads their source) -------------


def dot_f(a, b):
    y = np.dot(a, b)
    return np.sum(y * y)


def dot_method_f(a, b):
    y = a.dot(b)
    return np.sum(y * y)


def matmul_f(a, b):
    y = np.matmul(a, b)
    return np.sum(y * y)


def matmul_op_f(a, b):
    y = a @ b
    return np.sum(y * y)


def inner_f(a, b):
    y = np.inner(a, b)
    return np.sum(y * y)


def outer_f(a, b):
    y = np.outer(a, b)
    return np.sum(y * y)


def tensordot_f(a, b, axes):
    y = np.tensordot(a, b, axes)
    return np.sum(y * y)


def tensordot_kw_f(a, b):
    y = np.tensordot(a, b, axes=([0, 1], [2, 0]))
    return np.sum(y * y)


def einsum_f(subscripts, a):
    y = np.einsum(subscripts, a)
    return np.sum(y * y)


def einsum2_f(subscripts, a, b):
    y = np.einsum(subscripts, a, b)
    return np.sum(y * y)


def einsum3_f(subscripts, a, b, c):
    y = np.einsum(subscripts, a, b, c)
    return np.sum(y * y)


def einsum_literal_f(a, b):
    y = np.einsum('ij,jk->ik', a, b, optimize=True)
    return np.sum(y * y) + np.einsum('ii->', a @ b.T)


def einsum_inner_f(a):
    return np.einsum('i,i->', a, a)


def trace_f(a, offset):
    y = np.trace(a, offset)
    return np.sum(y * y)


def trace_axes_f(a):
    y = np.trace(a, offset=1, axis1=2, axis2=0)
    return np.sum(y * y)


def trace_method_f(a):
    t = a.trace()
    return t * t


def kron_f(a, b):
    y = np.kron(a, b)
    return np.sum(y * y)


def cross_f(a, b):
    y = np.cross(a, b)
    return np.sum(y * y * y)


def cross_axis_f(a, b):
    y = np.cross(a, b, axis=0)
    return np.sum(y * y * y)


def inv_f(a):
    y = np.linalg.inv(a)
    return np.sum(y * y)


def solve_f(a, b):
    y = np.linalg.solve(a, b)
    return np.sum(y * y)


def det_f(a):
    d = np.linalg.det(a)
    return np.sum(d * d)


def slogdet_f(a):
    sign, logdet = np.linalg.slogdet(a)
    return np.sum(sign * logdet * logdet)


def slogdet_index_f(a):
    return np.sum(np.linalg.slogdet(a)[1])


def cholesky_f(b):
    n = b.shape[-1]
    a = b @ b.T + 3.0 * np.eye(n)
    low = np.linalg.cholesky(a)
    return np.sum(low * low * low)


def cholesky_batched_f(b):
    n = b.shape[-1]
    a = np.einsum('bij,bkj->bik', b, b) + 3.0 * np.eye(n)
    low = np.linalg.cholesky(a)
    return np.sum(low * low * low)


def cholesky_upper_f(b):
    n = b.shape[-1]
    a = b @ b.T + 3.0 * np.eye(n)
    up = np.linalg.cholesky(a, upper=True)
    return np.sum(up * up * up)


def tdot_helpers_f(g, a, b):
    ga = la.tdot_ga(g, a, b, ([0, 2], [1, 0]))
    gb = la.tdot_gb(g, a, b, ([0, 2], [1, 0]))
    return np.sum(ga * ga) + np.sum(gb * gb * gb)


def shape_helpers_f(x):
    y = la.add_axes(la.drop_axes(la.add_axes(x, 2), 1), 0)
    z = la.reshape_to(la.mT(la.tril_half(x)), (3, 6))
    return np.sum(y * y * y) + np.sum(z * z * z)


def trace_adjoint_f(g, a):
    y = la.trace_adjoint(g, a, 1, 0, 2)
    return np.sum(y * y * y)


def fit_to_f(y, like):
    z = la.fit_to(y, like)
    return np.sum(z * z * z)


def einsum_expand_f(x, spec, like):
    y = la.einsum_expand(x, spec, like)
    return np.sum(y * y * y)


# -- products -----------------------------------------------------------------------

DOT_SHAPES = [((), ()), ((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)),
              ((2, 3), (3, 4)), ((2, 3, 4), (4,)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (5, 4, 2))]


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("sa,sb", DOT_SHAPES)
def test_dot(sa, sb, order):
    srcgrad.check_grads(dot_f, _pair(sa, sb), order=order)


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3, 4)), ((2, 3, 4), (4, 2))])
def test_dot_method(sa, sb):
    srcgrad.check_grads(dot_method_f, _pair(sa, sb), order=2)


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (5, 3, 4)),
                 ((3,), (5, 3, 4)), ((5, 2, 3), (3,))]


@pytest.mark.parametrize("f", [matmul_f, matmul_op_f])
@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul(f, sa, sb, order):
    srcgrad.check_grads(f, _pair(sa, sb), order=order)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("sa,sb", [((), ()), ((), (2, 3)), ((3,), (3,)), ((2, 3), (3,)),
                                   ((2, 3), (4, 3)), ((2, 3, 4), (5, 4))])
def test_inner(sa, sb, order):
    srcgrad.check_grads(inner_f, _pair(sa, sb), order=order)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("sa,sb", [((3,), (4,)), ((2, 3), (4,)), ((), (3,))])
def test_outer(sa, sb, order):
    srcgrad.check_grads(outer_f, _pair(sa, sb), order=order)


TENSORDOT_CASES = [((2, 3, 4), (3, 4, 5), 2), ((2, 3), (3, 4), 1), ((2, 3), (4,), 0),
                   ((3,), (3,), 1), ((3, 4, 2), (4, 5, 3), ([0, 1], [2, 0])),
                   ((2, 3, 4), (4, 3), ([1, 2], [1, 0])), ((2, 3), (2, 4), (0, 0))]


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("sa,sb,axes", TENSORDOT_CASES)
def test_tensordot(sa, sb, axes, order):
    srcgrad.check_grads(tensordot_f, (*_pair(sa, sb), axes), order=order)


def test_tensordot_axes_keyword():
    srcgrad.check_grads(tensordot_kw_f, _pair((3, 4, 2), (4, 5, 3)), order=2)


# -- einsum -------------------------------------------------------------------------

EINSUM1 = [("ii->", (3, 3)), ("ij->ji", (2, 3)), ("ij->", (2, 3)), ("ij->j", (2, 3)),
           ("ii->i", (3, 3)), ("iij->j", (2, 2, 3)), ("ji", (2, 3)), ("...ii->...", (2, 3, 3)),
           ("i->", (4,))]


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("subscripts,shape", EINSUM1)
def test_einsum_one_operand(subscripts, shape, order):
    srcgrad.check_grads(einsum_f, (subscripts, rand(shape)), order=order)


EINSUM2 = [("ij,jk->ik", (2, 3), (3, 4)), ("i,i->", (3,), (3,)), ("bij,bjk->bik", (2, 2, 3),
                                                                  (2, 3, 4)),
           ("i,j->ij", (2,), (3,)), ("ij,ij->i", (2, 3), (2, 3)), ("ij,kj", (2, 3), (4, 3)),
           ("ii,i->i", (3, 3), (3,)), ("ij,k->ik", (2, 3), (4,)), (",ij->ij", (), (2, 3)),
           ("...ij,...jk->...ik", (5, 2, 3), (3, 4)), ("ij,ij->ij", (1, 3), (2, 3)),
           ("ij,ij->", (2, 1), (2, 3)), ("...i,...i", (4, 2, 3), (2, 3)), ("iij,jk->ik", (2, 2, 3),
                                                                          (3, 4))]


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("subscripts,sa,sb", EINSUM2)
def test_einsum_two_operands(subscripts, sa, sb, order):
    srcgrad.check_grads(einsum2_f, (subscripts, *_pair(sa, sb)), order=order)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("subscripts,shapes", [
    ("ij,jk,kl->il", ((2, 3), (3, 4), (4, 2))),
    ("i,ij,j->", ((3,), (3, 4), (4,))),
    ("bi,bij,bj->b", ((2, 3), (2, 3, 3), (2, 3))),
])
def test_einsum_three_operands(subscripts, shapes, order):
    args = tuple(rand(s, k) for k, s in enumerate(shapes))
    srcgrad.check_grads(einsum3_f, (subscripts, *args), order=order)


def test_einsum_literal_subscripts_and_optimize():
    srcgrad.check_grads(einsum_literal_f, _pair((3, 3), (3, 3)), order=2)


def test_einsum_same_operand_twice():
    x = rand((4,))
    np.testing.assert_allclose(srcgrad.grad(einsum_inner_f)(x), 2 * x)
    srcgrad.check_grads(einsum_inner_f, (x,), order=2)


# -- trace, kron, cross -----------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("shape,offset", [((3, 3), 0), ((3, 4), 1), ((4, 3), -1),
                                          ((3, 3, 2), 0)])
def test_trace(shape, offset, order):
    srcgrad.check_grads(trace_f, (rand(shape), offset), order=order)


def test_trace_axes_and_method():
    srcgrad.check_grads(trace_axes_f, (rand((3, 2, 4)),), order=2)
    srcgrad.check_grads(trace_method_f, (rand((3, 3)),), order=2)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("sa,sb", [((2, 3), (2, 2)), ((3,), (2,)), ((2, 3), (2,))])
def test_kron(sa, sb, order):
    srcgrad.check_grads(kron_f, _pair(sa, sb), order=order)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((4, 3), (3,)), ((2, 4, 3), (4, 3))])
def test_cross(sa, sb, order):
    srcgrad.check_grads(cross_f, _pair(sa, sb), order=order)


def test_cross_axis():
    srcgrad.check_grads(cross_axis_f, _pair((3, 4), (3, 4)), order=2)


# -- np.linalg ------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3), (1, 1)])
def test_inv(shape, order):
    srcgrad.check_grads(inv_f, (_spd_factor(shape),), order=order)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("sa,sb", [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2)),
                                   ((2, 3, 3), (3,)), ((3, 3), (2, 3, 4)),
                                   ((2, 3, 3), (3, 2))])
def test_solve(sa, sb, order):
    srcgrad.check_grads(solve_f, (_spd_factor(sa), rand(sb, 1)), order=order)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3), (1, 1)])
def test_det(shape, order):
    srcgrad.check_grads(det_f, (_spd_factor(shape),), order=order)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)])
def test_slogdet(shape, order):
    a = _spd_factor(shape)
    a[..., 0, :] *= -1.0     # a negative determinant: the sign must not matter
    srcgrad.check_grads(slogdet_f, (a,), order=order)
    srcgrad.check_grads(slogdet_index_f, (a,), order=order)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("n", [1, 3, 4])
def test_cholesky(n, order):
    srcgrad.check_grads(cholesky_f, (rand((n, n)),), order=order)


@pytest.mark.parametrize("order", [1, 2])
def test_cholesky_batched_and_upper(order):
    srcgrad.check_grads(cholesky_batched_f, (rand((2, 3, 3)),), order=order)
    srcgrad.check_grads(cholesky_upper_f, (rand((3, 3)),), order=order)


# -- the helpers the rules call ---------------------------------------------------


def test_helper_rules():
    srcgrad.check_grads(tdot_helpers_f, (rand((2, 5)), rand((3, 2, 4)), rand((4, 3, 5))),
                        order=2)
    srcgrad.check_grads(shape_helpers_f, (rand((2, 3, 3)),), order=2)
    srcgrad.check_grads(fit_to_f, (rand((2, 1, 4)), rand((1, 3, 4))), order=2, wrt=0)
    # ``a`` only gives trace_adjoint its shape
    srcgrad.check_grads(trace_adjoint_f, (rand((2,)), rand((3, 2, 4))), order=2, wrt=0)


def test_second_order_with_a_shape_only_argument():
    srcgrad.check_grads(trace_adjoint_f, (rand((2,)), rand((3, 2, 4))), order=2)


@pytest.mark.parametrize("spec,sx,slike", [("iji->i", (3,), (3, 4, 3)), ("ij->ij", (2, 3), (1, 3)),
                                           ("ij->ij", (2, 1), (2, 3)), ("ij->", (), (2, 3)),
                                           ("ij->ji", (3, 2), (2, 3))])
def test_einsum_expand(spec, sx, slike):
    srcgrad.check_grads(einsum_expand_f, (rand(sx), spec, rand(slike)), order=2, wrt=0)
    # einsum_expand is the transpose of einsum(spec, .)
    x, y = rand(sx, 4), rand(slike, 3)
    lhs = np.sum(la.einsum_expand(x, spec, rand(slike)) * y)
    np.testing.assert_allclose(lhs, np.sum(x * np.einsum(spec, y)))


# -- dtypes ----------------------------------------------------------------------------


@pytest.mark.parametrize("f,args", [
    (dot_f, ((2, 3), (3, 4))),
    (tensordot_kw_f, ((3, 4, 2), (4, 5, 3))),
    (einsum_literal_f, ((3, 3), (3, 3))),
    (inv_f, ((3, 3),)),
    (solve_f, ((3, 3), (3, 2))),
    (det_f, ((3, 3),)),
    (cholesky_f, ((3, 3),)),
])
def test_float32_in_float32_gradients(f, args):
    square = f in (inv_f, solve_f, det_f)    # the first argument must be invertible
    arrays = tuple((rand(s, k) * 0.3 + (np.eye(s[-1]) if square and k == 0 else 0.0))
                   .astype(np.float32) for k, s in enumerate(args))
    grads = srcgrad.grad(f, wrt=tuple(range(len(arrays))))(*arrays)
    assert all(g.dtype == np.float32 for g in grads), [g.dtype for g in grads]
    srcgrad.check_grads(f, arrays)
