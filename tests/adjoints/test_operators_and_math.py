"""Rules of Python's operators, ``@``, the ``math`` module and the numeric builtins.

Operators are checked between broadcastable arrays, array/float, float/array
and float/float pairs (shape ``()`` means a Python float), through
``np.sum(w * (a OP b))`` so the cotangent reaching the rule is a random array
and the output a scalar (orders 1 and 2). ``math`` and builtins rules are
checked on floats.
"""

import builtins
import math
import operator

import numpy as np
import pytest

import srcgrad
from tests.adjoints.shapes import BINARY_SHAPES, UNARY_SHAPES, rand

COVERED = {
    operator.add, operator.sub, operator.mul, operator.truediv, operator.pow, operator.neg,
    operator.pos, operator.mod, operator.matmul, operator.floordiv, np.matmul,
    math.sin, math.cos, math.tan, math.asin, math.acos, math.atan, math.atan2,
    math.sinh, math.cosh, math.tanh, math.asinh, math.acosh, math.atanh,
    math.exp, math.expm1, math.log, math.log1p, math.log2, math.log10, math.sqrt, math.pow,
    math.hypot, math.fabs, math.erf, math.erfc, math.degrees, math.radians, math.copysign,
    builtins.abs, builtins.float, builtins.max, builtins.min, builtins.sum, builtins.list,
    builtins.tuple, builtins.pow,
}


# ---------------------------------------------------------------- binary operators

def op_add(a, b, w): return np.sum(w * (a + b))
def op_sub(a, b, w): return np.sum(w * (a - b))
def op_mul(a, b, w): return np.sum(w * (a * b))
def op_truediv(a, b, w): return np.sum(w * (a / b))
def op_pow(a, b, w): return np.sum(w * (a ** b))
def op_mod(a, b, w): return np.sum(w * (a % b))
def op_chain(a, b, w): return np.sum(w * (a * b - a / b + b ** 2 - (a + b) * a))


NORMAL = {}
POSITIVE = {"positive": True}

# (function, domain of a, domain of b)
OPERATORS = [
    (op_add, NORMAL, NORMAL), (op_sub, NORMAL, NORMAL), (op_mul, NORMAL, NORMAL),
    (op_truediv, NORMAL, POSITIVE), (op_pow, POSITIVE, NORMAL),
    (op_mod, {"low": 3.3, "high": 3.7}, {"low": 1.5, "high": 1.6}),   # a // b == 2
    (op_mod, {"low": -3.7, "high": -3.3}, {"low": 1.5, "high": 1.6}),  # a // b == -3
    (op_chain, NORMAL, POSITIVE),
]


def _ids(cases):
    return [f"{f.__name__}{i}" for i, (f, *_rest) in enumerate(cases)]


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("f, da, db", OPERATORS, ids=_ids(OPERATORS))
def test_binary_operator(f, da, db, shapes):
    sa, sb = shapes
    a = rand(sa, seed=1, **da)
    b = rand(sb, seed=2, **db)
    w = rand(np.broadcast_shapes(sa, sb), seed=3)
    srcgrad.check_grads(f, (a, b, w), order=2, wrt=(0, 1))


def test_operators_on_floats_give_floats():
    for f, da, db in OPERATORS:
        ga, gb = srcgrad.grad(f, wrt=(0, 1))(rand((), seed=1, **da), rand((), seed=2, **db), 0.5)
        assert isinstance(ga, float) and isinstance(gb, float), (f.__name__, type(ga), type(gb))


def op_pow_const(a, w): return np.sum(w * a ** 3)
def op_pow_half(a, w): return np.sum(w * a ** 0.5)
def op_const_pow(a, w): return np.sum(w * 2.0 ** a)
def op_rsub(a, w): return np.sum(w * (1.5 - a))
def op_rdiv(a, w): return np.sum(w * (1.5 / a))
def op_rmod(a, w): return np.sum(w * (a % 1.5))
def op_neg(a, w): return np.sum(w * -a)
def op_pos(a, w): return np.sum(w * +a)
def op_neg_expr(a, w): return np.sum(-(a * w))


UNARY_OPS = [(op_pow_const, NORMAL), (op_pow_half, POSITIVE), (op_const_pow, NORMAL),
             (op_rsub, NORMAL), (op_rdiv, POSITIVE), (op_rmod, {"low": 3.3, "high": 4.2}),
             (op_neg, NORMAL), (op_pos, NORMAL), (op_neg_expr, NORMAL)]


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("f, domain", UNARY_OPS, ids=_ids(UNARY_OPS))
def test_operator_with_constant(f, domain, shape):
    srcgrad.check_grads(f, (rand(shape, seed=1, **domain), rand(shape, seed=2)), order=2)


def test_pow_of_negative_base_with_integer_exponent():
    # the exponent gets no cotangent where the base is negative (log undefined)
    a = -np.array([1.5, 0.7, 2.0])
    ga, gb = srcgrad.grad(op_pow, wrt=(0, 1))(a, 2.0, np.ones(3))
    np.testing.assert_allclose(ga, 2.0 * a)
    assert gb == 0.0
    ga, gb = srcgrad.grad(op_pow, wrt=(0, 1))(-1.5, 2.0, 1.0)
    assert ga == pytest.approx(-3.0) and gb == 0.0


def op_floordiv(a, b): return (a // b) * a


def test_floordiv_is_piecewise_constant():
    assert srcgrad.grad(op_floordiv, wrt=(0, 1))(3.5, 1.5) == (2.0, 0.0)


# ---------------------------------------------------------------- matmul

def mm_op(a, b, w): return np.sum(w * (a @ b))
def mm_np(a, b, w): return np.sum(w * np.matmul(a, b))


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
                 ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((3,), (5, 3, 4)),
                 ((2, 1, 2, 3), (4, 3, 2))]


def _matmul_shape(sa, sb):
    return np.matmul(np.zeros(sa), np.zeros(sb)).shape


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("f", [mm_op, mm_np], ids=lambda f: f.__name__)
def test_matmul(f, shapes):
    sa, sb = shapes
    a, b = rand(sa, seed=1), rand(sb, seed=2)
    w = rand(_matmul_shape(sa, sb), seed=3)
    srcgrad.check_grads(f, (a, b, w), order=2)


def mm_chain(a, b, c): return np.sum(np.tanh(a @ b) @ c)


def test_matmul_chain():
    srcgrad.check_grads(mm_chain, (rand((2, 3), seed=1), rand((3, 4), seed=2),
                                   rand((4,), seed=3)), order=2)


# ---------------------------------------------------------------- math module (floats)

def m_sin(x): return math.sin(x)
def m_cos(x): return math.cos(x)
def m_tan(x): return math.tan(x)
def m_asin(x): return math.asin(x)
def m_acos(x): return math.acos(x)
def m_atan(x): return math.atan(x)
def m_sinh(x): return math.sinh(x)
def m_cosh(x): return math.cosh(x)
def m_tanh(x): return math.tanh(x)
def m_asinh(x): return math.asinh(x)
def m_acosh(x): return math.acosh(x + 2.0)
def m_atanh(x): return math.atanh(x)
def m_exp(x): return math.exp(x)
def m_expm1(x): return math.expm1(x)
def m_log(x): return math.log(x)
def m_log1p(x): return math.log1p(x)
def m_log2(x): return math.log2(x)
def m_log10(x): return math.log10(x)
def m_sqrt(x): return math.sqrt(x)
def m_fabs(x): return math.fabs(x) * x
def m_erf(x): return math.erf(x)
def m_erfc(x): return math.erfc(x)
def m_degrees(x): return math.degrees(x) * x
def m_radians(x): return math.radians(x) * x
def m_atan2(y, x): return math.atan2(y, x)
def m_log_base(x, base): return math.log(x, base)
def m_pow(x, y): return math.pow(x, y)
def m_hypot(x, y): return math.hypot(x, y)
def m_copysign(x, y): return math.copysign(x, y) * x


# (function, arguments): points inside each domain, away from kinks
MATH = [
    (m_sin, (0.7,)), (m_cos, (0.7,)), (m_tan, (0.7,)), (m_asin, (0.3,)), (m_acos, (-0.4,)),
    (m_atan, (1.3,)), (m_sinh, (0.7,)), (m_cosh, (-0.7,)), (m_tanh, (0.4,)),
    (m_asinh, (-1.2,)), (m_acosh, (0.6,)), (m_atanh, (0.5,)), (m_exp, (0.8,)),
    (m_expm1, (-0.3,)), (m_log, (1.7,)), (m_log1p, (0.4,)), (m_log2, (2.5,)),
    (m_log10, (3.5,)), (m_sqrt, (2.2,)), (m_fabs, (-1.3,)), (m_fabs, (1.3,)),
    (m_erf, (0.6,)), (m_erfc, (-0.6,)), (m_degrees, (0.9,)), (m_radians, (30.0,)),
    (m_atan2, (0.8, -1.1)), (m_atan2, (-0.8, 1.1)), (m_log_base, (3.0, 2.5)),
    (m_pow, (1.7, 2.3)), (m_pow, (1.7, -0.5)), (m_hypot, (0.8, -1.1)),
    (m_copysign, (1.2, -0.5)), (m_copysign, (-1.2, -0.5)), (m_copysign, (1.2, 0.5)),
]


@pytest.mark.parametrize("f, args", MATH, ids=_ids(MATH))
def test_math(f, args):
    srcgrad.check_grads(f, args, order=2)
    grads = srcgrad.grad(f, wrt=tuple(range(len(args))))(*args)
    assert all(isinstance(g, float) for g in grads), (f.__name__, grads)


def m_pow_negative_base(x, y): return math.pow(x, y)


def test_math_pow_negative_base():
    gx, gy = srcgrad.grad(m_pow_negative_base, wrt=(0, 1))(-1.5, 3.0)
    assert gx == pytest.approx(3.0 * 1.5 ** 2) and gy == 0.0


# ---------------------------------------------------------------- builtins

def bi_abs(x): return abs(x) * x + abs(x * 2.0)
def bi_abs_array(x, w): return np.sum(w * abs(x))
def bi_float(x): return float(x) * x
def bi_max2(a, b): return max(a, b) * a
def bi_min2(a, b): return min(a, b) * a
def bi_max3(a, b, c): return max(a, b, c) * b
def bi_min3(a, b, c): return min(a, b, c) * b
def bi_max_seq(a, b, c): return max([a, b * 2.0, a * c]) * b
def bi_min_seq(a, b, c): return min([a, b * 2.0, a * c]) * b
def bi_sum(a, b, c): return sum([a * b, b * c, c]) * a
def bi_sum_start(a, b, c): return sum([a * b, b * c], a * a) * c


def bi_list(a, b):
    xs = list((a * b, a + b))
    return xs[0] * xs[1]


def bi_tuple(a, b):
    t = tuple([a * b, a - b])
    return t[0] * t[1]


def bi_pow(a, b): return pow(a, b)


BUILTINS = [
    (bi_abs, (-1.3,)), (bi_abs, (0.7,)), (bi_float, (0.7,)),
    (bi_max2, (0.4, -1.2)), (bi_max2, (-0.4, 1.2)), (bi_min2, (0.4, -1.2)),
    (bi_min2, (-0.4, 1.2)), (bi_max3, (0.4, -1.2, 0.9)), (bi_min3, (0.4, -1.2, 0.9)),
    (bi_max_seq, (0.4, -1.2, 0.9)), (bi_max_seq, (0.4, 1.2, 0.9)),
    (bi_min_seq, (0.4, -1.2, 0.9)), (bi_min_seq, (0.4, 1.2, 0.9)),
    (bi_sum, (0.4, -1.2, 0.9)), (bi_sum_start, (0.4, -1.2, 0.9)),
    (bi_list, (0.4, -1.2)), (bi_tuple, (0.4, -1.2)), (bi_pow, (1.3, 2.2)),
]


@pytest.mark.parametrize("f, args", BUILTINS, ids=_ids(BUILTINS))
def test_builtins(f, args):
    srcgrad.check_grads(f, args, order=2)
    grads = srcgrad.grad(f, wrt=tuple(range(len(args))))(*args)
    assert all(isinstance(g, float) for g in grads), (f.__name__, grads)


@pytest.mark.parametrize("shape", UNARY_SHAPES[1:], ids=str)
def test_builtin_abs_of_array(shape):
    srcgrad.check_grads(bi_abs_array, (rand(shape, seed=1), rand(shape, seed=2)), order=2)


def test_builtin_max_min_ties_go_to_the_first_argument():
    assert srcgrad.grad(bi_max2, wrt=(0, 1))(1.5, 1.5) == (3.0, 0.0)
    assert srcgrad.grad(bi_min2, wrt=(0, 1))(1.5, 1.5) == (3.0, 0.0)
