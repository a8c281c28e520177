"""Rules of NumPy's elementwise functions, checked against central differences.

Each primal is wrapped in a module-level function ``np.sum(w * np.f(x))``
(srcgrad reads its source): the weight ``w`` makes the cotangent reaching the
rule a random array of the output's shape, and the sum gives a scalar, so the
same function is checked at order 1 and, through srcgrad's own first
derivative, at order 2 (with respect to ``w`` too). Shapes come from
``shapes.py``; shape ``()`` means Python floats (the scalar path).
"""

import numpy as np
import pytest

import srcgrad
from srcgrad.adjoints import elementwise, registry
from tests.adjoints.shapes import BINARY_SHAPES, UNARY_SHAPES, rand

COVERED = {
    np.sin, np.cos, np.tan, np.arcsin, np.arccos, np.arctan, np.arctan2, np.hypot,
    np.deg2rad, np.rad2deg, np.radians, np.degrees,
    np.sinh, np.cosh, np.tanh, np.arcsinh, np.arccosh, np.arctanh,
    np.exp, np.exp2, np.expm1, np.log, np.log1p, np.log2, np.log10,
    np.logaddexp, np.logaddexp2,
    np.sqrt, np.cbrt, np.square, np.reciprocal, np.power, np.float_power,
    np.abs, np.absolute, np.fabs, np.negative, np.positive, np.sign,
    np.add, np.subtract, np.multiply, np.divide, np.true_divide,
    np.maximum, np.minimum, np.fmax, np.fmin, np.clip, np.ndarray.clip, np.where,
}


# ---------------------------------------------------------------- unary functions

def u_sin(x, w): return np.sum(w * np.sin(x))
def u_cos(x, w): return np.sum(w * np.cos(x))
def u_tan(x, w): return np.sum(w * np.tan(x))
def u_arcsin(x, w): return np.sum(w * np.arcsin(x))
def u_arccos(x, w): return np.sum(w * np.arccos(x))
def u_arctan(x, w): return np.sum(w * np.arctan(x))
def u_deg2rad(x, w): return np.sum(w * np.deg2rad(x))
def u_rad2deg(x, w): return np.sum(w * np.rad2deg(x))
def u_radians(x, w): return np.sum(w * np.radians(x))
def u_degrees(x, w): return np.sum(w * np.degrees(x))
def u_sinh(x, w): return np.sum(w * np.sinh(x))
def u_cosh(x, w): return np.sum(w * np.cosh(x))
def u_tanh(x, w): return np.sum(w * np.tanh(x))
def u_arcsinh(x, w): return np.sum(w * np.arcsinh(x))
def u_arccosh(x, w): return np.sum(w * np.arccosh(x))
def u_arctanh(x, w): return np.sum(w * np.arctanh(x))
def u_exp(x, w): return np.sum(w * np.exp(x))
def u_exp2(x, w): return np.sum(w * np.exp2(x))
def u_expm1(x, w): return np.sum(w * np.expm1(x))
def u_log(x, w): return np.sum(w * np.log(x))
def u_log1p(x, w): return np.sum(w * np.log1p(x))
def u_log2(x, w): return np.sum(w * np.log2(x))
def u_log10(x, w): return np.sum(w * np.log10(x))
def u_sqrt(x, w): return np.sum(w * np.sqrt(x))
def u_cbrt(x, w): return np.sum(w * np.cbrt(x))
def u_cbrt_neg(x, w): return np.sum(w * np.cbrt(-x))
def u_square(x, w): return np.sum(w * np.square(x))
def u_reciprocal(x, w): return np.sum(w * np.reciprocal(x))
def u_abs(x, w): return np.sum(w * np.abs(x))
def u_absolute(x, w): return np.sum(w * np.absolute(x))
def u_fabs(x, w): return np.sum(w * np.fabs(x))
def u_negative(x, w): return np.sum(w * np.negative(x))
def u_positive(x, w): return np.sum(w * np.positive(x))
def u_power_const(x, w): return np.sum(w * np.power(x, 3))
def u_power_const_exp(x, w): return np.sum(w * np.power(1.7, x))
def u_float_power_const(x, w): return np.sum(w * np.float_power(x, 2.5))
def u_clip_both(x, w): return np.sum(w * np.clip(x, -0.5, 0.7))
def u_clip_low(x, w): return np.sum(w * np.clip(x, -0.5, None))
def u_clip_high(x, w): return np.sum(w * np.clip(x, None, 0.7))
def u_clip_kw(x, w): return np.sum(w * np.clip(x, a_min=-0.5, a_max=0.7))


NORMAL = {}
POSITIVE = {"positive": True}
UNIT = {"low": -0.9, "high": 0.9}

# (function, domain of x)
UNARY = [
    (u_sin, NORMAL), (u_cos, NORMAL), (u_tan, {"low": -1.2, "high": 1.2}),
    (u_arcsin, UNIT), (u_arccos, UNIT), (u_arctan, NORMAL),
    (u_deg2rad, NORMAL), (u_rad2deg, NORMAL), (u_radians, NORMAL), (u_degrees, NORMAL),
    (u_sinh, NORMAL), (u_cosh, NORMAL), (u_tanh, NORMAL),
    (u_arcsinh, NORMAL), (u_arccosh, {"low": 1.2, "high": 3.0}), (u_arctanh, UNIT),
    (u_exp, NORMAL), (u_exp2, NORMAL), (u_expm1, NORMAL),
    (u_log, POSITIVE), (u_log1p, {"low": -0.5, "high": 2.0}), (u_log2, POSITIVE),
    (u_log10, POSITIVE),
    (u_sqrt, POSITIVE), (u_cbrt, POSITIVE), (u_cbrt_neg, POSITIVE), (u_square, NORMAL),
    (u_reciprocal, POSITIVE),
    (u_abs, NORMAL), (u_absolute, NORMAL), (u_fabs, NORMAL),
    (u_negative, NORMAL), (u_positive, NORMAL),
    (u_power_const, NORMAL), (u_power_const_exp, NORMAL), (u_float_power_const, POSITIVE),
    (u_clip_both, NORMAL), (u_clip_low, NORMAL), (u_clip_high, NORMAL), (u_clip_kw, NORMAL),
]


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("f, domain", UNARY, ids=[f.__name__ for f, _ in UNARY])
def test_unary(f, domain, shape):
    x = rand(shape, seed=1, **domain)
    w = rand(shape, seed=2)
    srcgrad.check_grads(f, (x, w), order=2)


def test_unary_scalar_gradient_is_a_float():
    for f, domain in UNARY:
        g = srcgrad.grad(f)(rand((), seed=1, **domain), 0.5)
        assert isinstance(g, float), (f.__name__, type(g))


# ---------------------------------------------------------------- binary functions

def b_arctan2(x, y, w): return np.sum(w * np.arctan2(x, y))
def b_hypot(x, y, w): return np.sum(w * np.hypot(x, y))
def b_logaddexp(x, y, w): return np.sum(w * np.logaddexp(x, y))
def b_logaddexp2(x, y, w): return np.sum(w * np.logaddexp2(x, y))
def b_power(x, y, w): return np.sum(w * np.power(x, y))
def b_float_power(x, y, w): return np.sum(w * np.float_power(x, y))
def b_add(x, y, w): return np.sum(w * np.add(x, y))
def b_subtract(x, y, w): return np.sum(w * np.subtract(x, y))
def b_multiply(x, y, w): return np.sum(w * np.multiply(x, y))
def b_divide(x, y, w): return np.sum(w * np.divide(x, y))
def b_true_divide(x, y, w): return np.sum(w * np.true_divide(x, y))
def b_maximum(x, y, w): return np.sum(w * np.maximum(x, y))
def b_minimum(x, y, w): return np.sum(w * np.minimum(x, y))
def b_fmax(x, y, w): return np.sum(w * np.fmax(x, y))
def b_fmin(x, y, w): return np.sum(w * np.fmin(x, y))


# (function, domain of x, domain of y)
BINARY = [
    (b_arctan2, NORMAL, NORMAL), (b_hypot, NORMAL, NORMAL),
    (b_logaddexp, NORMAL, NORMAL), (b_logaddexp2, NORMAL, NORMAL),
    (b_power, POSITIVE, NORMAL), (b_float_power, POSITIVE, NORMAL),
    (b_add, NORMAL, NORMAL), (b_subtract, NORMAL, NORMAL), (b_multiply, NORMAL, NORMAL),
    (b_divide, NORMAL, POSITIVE), (b_true_divide, NORMAL, POSITIVE),
    (b_maximum, NORMAL, NORMAL), (b_minimum, NORMAL, NORMAL),
    (b_fmax, NORMAL, NORMAL), (b_fmin, NORMAL, NORMAL),
]


def _out_shape(*shapes):
    return np.broadcast_shapes(*shapes)


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("f, dx, dy", BINARY, ids=[f.__name__ for f, _, _ in BINARY])
def test_binary(f, dx, dy, shapes):
    sx, sy = shapes
    x = rand(sx, seed=1, **dx)
    y = rand(sy, seed=2, **dy)
    w = rand(_out_shape(sx, sy), seed=3)
    srcgrad.check_grads(f, (x, y, w), order=2, wrt=(0, 1))


def test_binary_scalar_gradients_are_floats():
    for f, dx, dy in BINARY:
        gx, gy = srcgrad.grad(f, wrt=(0, 1))(rand((), seed=1, **dx), rand((), seed=2, **dy), 0.5)
        assert isinstance(gx, float) and isinstance(gy, float), (f.__name__, type(gx), type(gy))


def test_power_of_negative_base():
    # integer exponent of a negative base: the exponent gets no cotangent (log undefined)
    x = -np.array([1.5, 0.7, 2.0])
    gx, gy = srcgrad.grad(b_power, wrt=(0, 1))(x, 3.0, np.ones(3))
    np.testing.assert_allclose(gx, 3.0 * x ** 2)
    assert gy == 0.0
    gx, gy = srcgrad.grad(b_power, wrt=(0, 1))(-1.5, 3.0, 1.0)
    assert gx == pytest.approx(3.0 * 1.5 ** 2) and gy == 0.0


# ---------------------------------------------------------------- ties and NaN

def test_maximum_minimum_ties_go_to_the_first_argument():
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([1.0, 5.0, -1.0])
    w = np.array([2.0, 3.0, 4.0])
    for f in (b_maximum, b_fmax):
        gx, gy = srcgrad.grad(f, wrt=(0, 1))(x, y, w)
        np.testing.assert_array_equal(gx, [2.0, 0.0, 4.0])
        np.testing.assert_array_equal(gy, [0.0, 3.0, 0.0])
    for f in (b_minimum, b_fmin):
        gx, gy = srcgrad.grad(f, wrt=(0, 1))(x, y, w)
        np.testing.assert_array_equal(gx, [2.0, 3.0, 0.0])
        np.testing.assert_array_equal(gy, [0.0, 0.0, 4.0])
    for f in (b_maximum, b_minimum, b_fmax, b_fmin):
        assert srcgrad.grad(f, wrt=(0, 1))(1.5, 1.5, 2.0) == (2.0, 0.0)


def test_fmax_fmin_ignore_nan():
    x = np.array([1.0, np.nan, 3.0])
    y = np.array([np.nan, 5.0, 4.0])
    w = np.array([2.0, 3.0, 4.0])
    gx, gy = srcgrad.grad(b_fmax, wrt=(0, 1))(x, y, w)
    np.testing.assert_array_equal(gx, [2.0, 0.0, 0.0])
    np.testing.assert_array_equal(gy, [0.0, 3.0, 4.0])
    gx, gy = srcgrad.grad(b_fmin, wrt=(0, 1))(x, y, w)
    np.testing.assert_array_equal(gx, [2.0, 0.0, 4.0])
    np.testing.assert_array_equal(gy, [0.0, 3.0, 0.0])
    assert srcgrad.grad(b_fmax, wrt=(0, 1))(1.0, np.nan, 2.0) == (2.0, 0.0)
    assert srcgrad.grad(b_fmin, wrt=(0, 1))(np.nan, 1.0, 2.0) == (0.0, 2.0)


# ---------------------------------------------------------------- clip

def c_clip(a, lo, hi, w): return np.sum(w * np.clip(a, lo, hi))
def c_clip_low(a, lo, w): return np.sum(w * np.clip(a, lo, None))
def c_clip_high(a, hi, w): return np.sum(w * np.clip(a, None, hi))
def c_clip_minmax(a, lo, hi, w): return np.sum(w * np.clip(a, min=lo, max=hi))
def c_clip_max_only(a, hi, w): return np.sum(w * np.clip(a, max=hi))
def c_clip_method(a, lo, hi, w): return np.sum(w * a.clip(lo, hi))
def c_clip_method_kw(a, lo, hi, w): return np.sum(w * a.clip(min=lo, max=hi))
def c_clip_method_low(a, lo, w): return np.sum(w * a.clip(lo))


CLIP_SHAPES = [((), (), ()), ((2, 3), (), ()), ((2, 3), (3,), (2, 1)), ((2, 3), (2, 3), (2, 3)),
               ((3,), (2, 3), ()), ((), (3,), (2, 1))]


@pytest.mark.parametrize("shapes", CLIP_SHAPES, ids=str)
def test_clip_bounds(shapes):
    sa, slo, shi = shapes
    a = rand(sa, seed=1, low=-2.0, high=2.0)
    lo = rand(slo, seed=2, low=-1.0, high=-0.1)
    hi = rand(shi, seed=3, low=0.1, high=1.0)
    w = rand(_out_shape(sa, slo, shi), seed=4)
    srcgrad.check_grads(c_clip, (a, lo, hi, w), order=2, wrt=(0, 1, 2))
    srcgrad.check_grads(c_clip_low, (a, lo, w), order=2, wrt=(0, 1))
    srcgrad.check_grads(c_clip_high, (a, hi, w), order=2, wrt=(0, 1))
    srcgrad.check_grads(c_clip_minmax, (a, lo, hi, w), order=2, wrt=(0, 1, 2))
    srcgrad.check_grads(c_clip_max_only, (a, hi, w), order=2, wrt=(0, 1))


METHOD_CLIP_SHAPES = [((2, 3), (), ()), ((2, 3), (3,), (2, 1)), ((2, 3), (2, 3), (2, 3))]


@pytest.mark.parametrize("shapes", METHOD_CLIP_SHAPES, ids=str)
def test_clip_method(shapes):
    sa, slo, shi = shapes
    a = rand(sa, seed=1, low=-2.0, high=2.0)
    lo = rand(slo, seed=2, low=-1.0, high=-0.1)
    hi = rand(shi, seed=3, low=0.1, high=1.0)
    w = rand(sa, seed=4)
    srcgrad.check_grads(c_clip_method, (a, lo, hi, w), order=2, wrt=(0, 1, 2))
    srcgrad.check_grads(c_clip_method_kw, (a, lo, hi, w), order=2, wrt=(0, 1, 2))
    srcgrad.check_grads(c_clip_method_low, (a, lo, w), order=2, wrt=(0, 1))


def test_clip_gradient_goes_where_bounds_bind():
    a = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    ga, glo, ghi = srcgrad.grad(c_clip, wrt=(0, 1, 2))(a, -1.0, 1.0, w)
    np.testing.assert_array_equal(ga, [0.0, 2.0, 3.0, 4.0, 0.0])  # ties go to a
    assert glo == 1.0 and ghi == 5.0
    ga, glo, ghi = srcgrad.grad(c_clip, wrt=(0, 1, 2))(a, np.full(5, -1.0), 1.0, w)
    np.testing.assert_array_equal(glo, [1.0, 0.0, 0.0, 0.0, 0.0])
    ga, glo, ghi = srcgrad.grad(c_clip, wrt=(0, 1, 2))(a, 0.5, 0.5, w)  # a_min == a_max
    np.testing.assert_array_equal(ga, 0.0 * w)
    assert glo == 15.0 and ghi == 0.0  # each element's cotangent goes to one place
    assert srcgrad.grad(c_clip, wrt=(0, 1, 2))(2.0, -1.0, 1.0, 3.0) == (0.0, 0.0, 3.0)
    assert srcgrad.grad(c_clip, wrt=(0, 1, 2))(0.5, -1.0, 1.0, 3.0) == (3.0, 0.0, 0.0)


# ---------------------------------------------------------------- where

def wh_where(c, x, y, w): return np.sum(w * np.where(c, x, y))
def wh_where_self(x, w): return np.sum(w * np.where(x > 0.0, np.sin(x), x * x))


WHERE_SHAPES = [((3,), (3,), (3,)), ((2, 3), (2, 3), ()), ((2, 3), (3,), (2, 1)),
                ((2, 3), (), (2, 3)), ((2, 1), (3,), ())]


@pytest.mark.parametrize("shapes", WHERE_SHAPES, ids=str)
def test_where(shapes):
    sc, sx, sy = shapes
    c = np.asarray(rand(sc, seed=1)) > 0.0
    x = rand(sx, seed=2)
    y = rand(sy, seed=3)
    w = rand(_out_shape(sc, sx, sy), seed=4)
    srcgrad.check_grads(wh_where, (c, x, y, w), order=2, wrt=(1, 2, 3))


@pytest.mark.parametrize("shape", UNARY_SHAPES[1:], ids=str)
def test_where_condition_on_the_argument(shape):
    srcgrad.check_grads(wh_where_self, (rand(shape, seed=1), rand(shape, seed=2)), order=2)


# ---------------------------------------------------------------- sign

def s_sign(x, w): return np.sum(w * np.sign(x))
def s_sign_times(x): return np.sum(np.sign(x) * x)


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
def test_sign_has_zero_gradient(shape):
    x = rand(shape, seed=1)
    g = srcgrad.grad(s_sign)(x, rand(shape, seed=2))
    assert np.shape(g) == shape and np.all(g == 0.0)
    np.testing.assert_array_equal(srcgrad.grad(s_sign_times)(x), np.sign(x))


# ---------------------------------------------------------------- float32

def _float32(value):
    return np.asarray(value, dtype=np.float32)


@pytest.mark.parametrize("f, domain", UNARY, ids=[f.__name__ for f, _ in UNARY])
def test_unary_float32(f, domain):
    x, w = _float32(rand((2, 3), seed=1, **domain)), _float32(rand((2, 3), seed=2))
    srcgrad.check_grads(f, (x, w), order=1)
    assert srcgrad.grad(f)(x, w).dtype == np.float32


@pytest.mark.parametrize("f, dx, dy", BINARY, ids=[f.__name__ for f, _, _ in BINARY])
def test_binary_float32(f, dx, dy):
    x, y = _float32(rand((2, 3), seed=1, **dx)), _float32(rand((3,), seed=2, **dy))
    w = _float32(rand((2, 3), seed=3))
    srcgrad.check_grads(f, (x, y, w), order=1, wrt=(0, 1))
    gx, gy = srcgrad.grad(f, wrt=(0, 1))(x, y, w)
    assert gx.dtype == np.float32 and gy.dtype == np.float32


# The API casts gradients to the argument's dtype at the end; the rules
# themselves must not promote either (a float64 intermediate costs time and
# memory in float32 code). Rules are plain functions, so call them directly.

_UNARY_RULES = [np.sin, np.cos, np.tan, np.arcsin, np.arccos, np.arctan, np.deg2rad,
                np.rad2deg, np.radians, np.degrees, np.sinh, np.cosh, np.tanh, np.arcsinh,
                np.arccosh, np.arctanh, np.exp, np.exp2, np.expm1, np.log, np.log1p, np.log2,
                np.log10, np.sqrt, np.cbrt, np.square, np.reciprocal, np.abs, np.fabs,
                np.negative, np.positive]
_BINARY_RULES = [np.arctan2, np.hypot, np.logaddexp, np.logaddexp2, np.power, np.add,
                 np.subtract, np.multiply, np.divide, np.maximum, np.minimum, np.fmax, np.fmin]


@pytest.mark.parametrize("fn", _UNARY_RULES, ids=lambda fn: fn.__name__)
def test_unary_rule_keeps_float32(fn):
    low, high = (1.1, 2.0) if fn is np.arccosh else (0.1, 0.9)
    x = _float32(rand((2, 3), low=low, high=high))
    g = _float32(rand((2, 3), seed=5))
    rule = registry.lookup(fn, 1)
    assert rule.fn.__module__ == elementwise.__name__
    assert rule.fn(g, fn(x), x).dtype == np.float32


@pytest.mark.parametrize("fn", _BINARY_RULES, ids=lambda fn: fn.__name__)
def test_binary_rule_keeps_float32(fn):
    x = _float32(rand((2, 3), low=0.1, high=0.9))
    y = _float32(rand((3,), seed=2, low=0.1, high=0.9))
    g = _float32(rand((2, 3), seed=5))
    rule = registry.lookup(fn, 2)
    gx, gy = rule.fn(g, fn(x, y), x, y)
    assert gx.dtype == np.float32 and gy.dtype == np.float32
    assert gx.shape == x.shape and gy.shape == y.shape
    # against a Python float: stays float32 (NEP 50 weak scalars)
    gx, _ = rule.fn(g, fn(x, 0.5), x, 0.5)
    assert gx.dtype == np.float32


def test_aliases_share_rules():
    assert np.absolute is np.abs and np.true_divide is np.divide
    assert registry.lookup(np.absolute, 1) is registry.lookup(np.abs, 1)
