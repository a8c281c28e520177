"""Globals, closures, calls to user functions, math and NumPy scalar functions."""

import math

import numpy as np
import pytest

import srcgrad
from tests import helpers_other_module as hom
from tests.helpers_other_module import poly, split, square


def _is_float(v):
    return isinstance(v, (float, np.floating))


def run(check, f, *args, **kw):
    got = check(f, *args, **kw)
    for g in got:
        assert _is_float(g), f"gradient of {f.__name__} has type {type(g).__name__}"
    return got


POINTS2 = [(1.3, 0.7), (-0.8, 2.1), (2.5, -1.6), (0.45, 3.3)]


# ---------------------------------------------------------------- module globals

RATE = 0.75
COEFFS = (1.0, -2.0, 0.5)
GAIN = 2.0


def uses_global(x, y):
    return RATE * x * y + math.pi * x - RATE


def uses_global_tuple(x, y):
    acc = 0.0
    for c in COEFFS:
        acc = acc * x + c * y
    return acc


def uses_np_constant(x, y):
    return np.pi * x + np.e * y * y + math.e


@pytest.mark.parametrize("x,y", POINTS2)
@pytest.mark.parametrize("f", [uses_global, uses_global_tuple, uses_np_constant])
def test_globals(check, f, x, y):
    run(check, f, x, y)


def uses_gain(x):
    return GAIN * x * x


def test_global_changed_after_first_call():
    global GAIN
    g = srcgrad.grad(uses_gain)
    assert g(1.5) == pytest.approx(6.0)
    GAIN = 5.0
    try:
        assert g(1.5) == pytest.approx(15.0)
        assert srcgrad.grad(uses_gain)(1.5) == pytest.approx(15.0)
        v, d = srcgrad.value_and_grad(uses_gain)(1.5)
        assert v == pytest.approx(11.25) and d == pytest.approx(15.0)
    finally:
        GAIN = 2.0
    assert g(1.5) == pytest.approx(6.0)


def uses_other_module_global(x):
    return hom.SCALE * x * x + hom.scaled_sin(x)


def test_other_module_global_changed_after_first_call():
    g = srcgrad.grad(uses_other_module_global)
    old = hom.SCALE
    expected = 2 * old * 1.2 + old * 2.0 * math.cos(2.0 * 1.2)
    assert g(1.2) == pytest.approx(expected)
    hom.SCALE = 3.0
    try:
        assert g(1.2) == pytest.approx(2 * 3.0 * 1.2 + 3.0 * 2.0 * math.cos(2.4))
    finally:
        hom.SCALE = old


# ---------------------------------------------------------------- closures

def make_scaled_square(k):
    def scaled_square(x):
        return k * x * x + k
    return scaled_square


def make_poly(a, b):
    offset = a * b

    def p(x, y):
        return a * x * x + b * y + offset * x * y
    return p


def make_uses_helper(h, k):
    def uses(x):
        return h(x) * k + x
    return uses


def make_loop_closure(cs):
    def looped(x):
        acc = 0.0
        for c in cs:
            acc = acc * x + c
        return acc
    return looped


scaled3 = make_scaled_square(3.0)
scaled_neg = make_scaled_square(-0.5)
closure_poly = make_poly(1.5, -2.0)
closure_uses_helper = make_uses_helper(square, 4.0)
closure_loop = make_loop_closure([2.0, -1.0, 0.5])


def calls_closure(x):
    return scaled3(x) + closure_uses_helper(x * 0.5)


@pytest.mark.parametrize("x", [-1.4, 0.3, 2.2])
@pytest.mark.parametrize("f", [scaled3, scaled_neg, closure_uses_helper, closure_loop,
                               calls_closure])
def test_closures(check, f, x):
    run(check, f, x)


@pytest.mark.parametrize("x,y", POINTS2)
def test_closure_two_args(check, x, y):
    run(check, closure_poly, x, y)


def test_closure_exact():
    assert srcgrad.grad(scaled3)(2.0) == 12.0
    assert srcgrad.grad(scaled_neg)(2.0) == -2.0


# ---------------------------------------------------------------- calls to user functions

def _h_lin(a, b):
    return 2.0 * a - b


def _h_defaults(a, b=3.0, c=0.5):
    return a * b + c * a * a


def _h_level3(v):
    return v * v + 1.0


def _h_level2(v, w):
    return _h_level3(v) * w + _h_level3(w)


def _h_level1(v, w):
    return _h_level2(v * w, v) - _h_level3(v)


def _h_step(state, x):
    return state * 0.9 + x * np.sin(state)


def _h_pair(a, b):
    return a * b, a - b


def _h_branchy(v):
    if v > 1.0:
        return v * v
    elif v > -1.0:
        return 2.0 * v - 1.0 + 0.0 * v
    return -v


def _h_kw_only(a, *, scale=2.0):
    return scale * a * a


def call_positional(x, y):
    return _h_lin(x, y) * _h_lin(y, x)


def call_keywords(x, y):
    return _h_lin(b=x, a=y) + _h_lin(x, b=y * y)


def call_defaults(x, y):
    return _h_defaults(x) + _h_defaults(x, y) + _h_defaults(y, c=x) + _h_defaults(x, c=y, b=x)


def call_kw_only(x, y):
    return _h_kw_only(x) + _h_kw_only(y, scale=x)


def call_deep(x, y):
    return _h_level1(x, y) * 0.5


def call_same_helper_many(x, y):
    a = _h_level3(x)
    b = _h_level3(a)
    c = _h_level3(y) * _h_level3(x * y)
    return a + b * 0.1 + c


def call_in_loop(x, y):
    s = y
    for _i in range(5):
        s = _h_step(s, x)
    return s


def call_in_while(x, y):
    s = x
    n = 0
    while s < 8.0 and n < 20:
        s = _h_lin(s, -y) + 0.1
        n = n + 1
    return s


def call_tuple_helper(x, y):
    p, q = _h_pair(x, y)
    r = _h_pair(q, p)
    return p * q + r[0] - r[1]


def call_branchy(x, y):
    return _h_branchy(x) * y + _h_branchy(y)


def call_in_expression(x, y):
    return _h_lin(_h_lin(x, y), _h_level3(x)) / (1.0 + _h_level3(y))


@pytest.mark.parametrize("x,y", POINTS2)
@pytest.mark.parametrize("f", [call_positional, call_keywords, call_defaults, call_kw_only,
                               call_deep, call_same_helper_many, call_in_loop,
                               call_tuple_helper, call_branchy, call_in_expression])
def test_user_calls(check, f, x, y):
    run(check, f, x, y)


@pytest.mark.parametrize("x,y", [(0.5, 0.3), (1.1, 0.7), (3.0, 1.0), (9.0, 0.2)])
def test_call_in_while(check, x, y):
    run(check, call_in_while, x, y)


def test_call_defaults_exact():
    # _h_defaults(x) = 3x + 0.5 x^2 -> 3 + x
    def_only = srcgrad.grad(_h_defaults)
    assert def_only(2.0) == 5.0


# ---------------------------------------------------------------- recursion

def _rec_power(v, n):
    if n == 0:
        return 1.0
    return v * _rec_power(v, n - 1)


def _rec_halve(v):
    if abs(v) < 1.0:
        return v * v
    return _rec_halve(v * 0.5) + v


def _rec_fib(a, b, n):
    if n <= 0:
        return a
    return _rec_fib(b, a * b + 0.1, n - 1)


def call_recursive_power(x, y):
    return _rec_power(x, 3) + _rec_power(y, 0) * x


def call_recursive_halve(x, y):
    return _rec_halve(x) * y


def call_recursive_fib(x, y):
    return _rec_fib(x, y, 3)


@pytest.mark.parametrize("x,y", [(0.5, 1.2), (1.7, -0.6), (3.4, 0.9), (-9.0, 2.0)])
@pytest.mark.parametrize("f", [call_recursive_power, call_recursive_halve, call_recursive_fib])
def test_recursive(check, f, x, y):
    run(check, f, x, y)


def test_recursive_exact():
    gx, gy = srcgrad.grad(call_recursive_power, wrt=(0, 1))(2.0, 5.0)
    assert gx == 13.0 and gy == 0.0


# ---------------------------------------------------------------- helpers from another module

def other_module_attr(x, y):
    return hom.square(x) + hom.poly(y) + hom.scaled_sin(x, k=y)


def other_module_imported_names(x, y):
    p, q = split(x, y)
    return square(p) + poly(q, b=x) + poly(y, 2.0)


def other_module_branchy(x, y):
    return hom.soft_step(x) * hom.soft_step(y)


@pytest.mark.parametrize("x,y", POINTS2)
@pytest.mark.parametrize("f", [other_module_attr, other_module_imported_names,
                               other_module_branchy])
def test_other_module(check, f, x, y):
    run(check, f, x, y)


@pytest.mark.parametrize("x", [-0.7, 1.9])
def test_other_module_function_directly(check, x):
    run(check, hom.poly, x)
    run(check, hom.soft_step, x)


# ---------------------------------------------------------------- math functions

def m_sin(x):
    return math.sin(x)


def m_cos(x):
    return math.cos(x) * x


def m_tan(x):
    return math.tan(x)


def m_exp(x):
    return math.exp(x) * 0.5


def m_log(x):
    return math.log(x)


def m_log_base(x):
    return math.log(x, 3.0)


def m_log_active_base(x):
    return math.log(5.0, x + 1.5) + math.log(x, x + 2.0)


def m_log2(x):
    return math.log2(x)


def m_log10(x):
    return math.log10(x)


def m_log1p(x):
    return math.log1p(x)


def m_expm1(x):
    return math.expm1(x)


def m_sqrt(x):
    return math.sqrt(x)


def m_tanh(x):
    return math.tanh(x)


def m_sinh(x):
    return math.sinh(x)


def m_cosh(x):
    return math.cosh(x)


def m_asin(x):
    return math.asin(x)


def m_acos(x):
    return math.acos(x)


def m_atan(x):
    return math.atan(x)


def m_pow(x):
    return math.pow(x, 2.5) + math.pow(2.0, x) + math.pow(x, x)


def m_fabs(x):
    return math.fabs(x) * x


def m_erf(x):
    return math.erf(x)


def m_composite(x):
    return math.exp(math.sin(x) * math.cos(x)) + math.sqrt(1.0 + math.tanh(x) ** 2)


POSITIVE = [0.2, 0.9, 2.7]
UNIT = [-0.8, -0.1, 0.6]
ANY = [-2.3, -0.4, 0.5, 1.9]


@pytest.mark.parametrize("f,x", [(f, x) for f in [m_sin, m_cos, m_exp, m_tanh, m_sinh, m_cosh,
                                                    m_atan, m_fabs, m_erf, m_expm1,
                                                    m_composite] for x in ANY]
                         + [(f, x) for f in [m_log, m_log_base, m_log_active_base, m_log2,
                                              m_log10, m_log1p, m_sqrt, m_pow] for x in POSITIVE]
                         + [(f, x) for f in [m_asin, m_acos] for x in UNIT]
                         + [(m_tan, x) for x in [-1.2, 0.3, 1.0]],
                         ids=lambda v: getattr(v, "__name__", repr(v)))
def test_math_functions(check, f, x):
    run(check, f, x)


def m_atan2(x, y):
    return math.atan2(x, y)


def m_hypot(x, y):
    return math.hypot(x, y)


def m_pow2(x, y):
    return math.pow(x * x + 0.5, y)


@pytest.mark.parametrize("x,y", POINTS2 + [(-1.0, -2.0)])
@pytest.mark.parametrize("f", [m_atan2, m_hypot, m_pow2])
def test_math_two_args(check, f, x, y):
    run(check, f, x, y)


def test_math_exact():
    assert srcgrad.grad(m_sin)(0.0) == 1.0
    assert srcgrad.grad(m_log)(4.0) == 0.25
    assert srcgrad.grad(m_sqrt)(4.0) == 0.25
    assert srcgrad.grad(m_exp)(0.0) == 0.5
    assert srcgrad.grad(m_erf)(0.0) == pytest.approx(2.0 / math.sqrt(math.pi))
    gx, gy = srcgrad.grad(m_hypot, wrt=(0, 1))(3.0, 4.0)
    assert (gx, gy) == (pytest.approx(0.6), pytest.approx(0.8))


# ---------------------------------------------------------------- NumPy scalar calls

def n_sin(x):
    return np.sin(x)


def n_cos(x):
    return np.cos(x) * x


def n_tan(x):
    return np.tan(x)


def n_exp(x):
    return np.exp(x)


def n_log(x):
    return np.log(x)


def n_sqrt(x):
    return np.sqrt(x)


def n_tanh(x):
    return np.tanh(x)


def n_arctan(x):
    return np.arctan(x)


def n_arcsin(x):
    return np.arcsin(x)


def n_arccos(x):
    return np.arccos(x)


def n_sinh_cosh(x):
    return np.sinh(x) + np.cosh(x) * 0.5


def n_log1p_expm1(x):
    return np.log1p(x) + np.expm1(x)


def n_log2_log10(x):
    return np.log2(x) + np.log10(x)


def n_square_abs(x):
    return np.square(x) + np.abs(x) * 2.0


def n_power(x):
    return np.power(x, 3.0) + np.power(2.0, x)


def n_mixed(x):
    return np.sin(x) * math.exp(x) + np.tanh(np.sqrt(x * x + 1.0))


@pytest.mark.parametrize("f,x", [(f, x) for f in [n_sin, n_cos, n_exp, n_tanh, n_arctan,
                                                    n_sinh_cosh, n_square_abs, n_mixed]
                                 for x in ANY]
                         + [(f, x) for f in [n_log, n_sqrt, n_log1p_expm1, n_log2_log10,
                                              n_power] for x in POSITIVE]
                         + [(f, x) for f in [n_arcsin, n_arccos] for x in UNIT]
                         + [(n_tan, x) for x in [-1.2, 0.3, 1.0]],
                         ids=lambda v: getattr(v, "__name__", repr(v)))
def test_numpy_scalar_functions(check, f, x):
    run(check, f, x)


def n_arctan2(x, y):
    return np.arctan2(x, y)


def n_max_min(x, y):
    return np.maximum(x, y) * 2.0 + np.minimum(x * y, y)


def n_hypot(x, y):
    return np.hypot(x, y)


@pytest.mark.parametrize("x,y", POINTS2 + [(-1.0, -2.0)])
@pytest.mark.parametrize("f", [n_arctan2, n_max_min, n_hypot])
def test_numpy_two_args(check, f, x, y):
    run(check, f, x, y)


def test_numpy_exact():
    assert srcgrad.grad(n_sin)(0.0) == 1.0
    assert srcgrad.grad(n_log)(2.0) == 0.5
    assert srcgrad.grad(n_sqrt)(4.0) == 0.25
