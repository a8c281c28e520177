"""Arithmetic, comparisons, boolean operators and conditional expressions."""

import numpy as np
import pytest

import srcgrad


def _is_float(v):
    return isinstance(v, (float, np.floating))


def run(check, f, *args, **kw):
    got = check(f, *args, **kw)
    for g in got:
        assert _is_float(g), f"gradient of {f.__name__} has type {type(g).__name__}"
    return got


# ---------------------------------------------------------------- constants

def const_mul(x):
    return 3.5 * x + 2.0


def const_only_term(x):
    y = 4.0
    z = y * y
    return z + x * 0.5


def int_const_mixed(x):
    return 2 * x + 3 - x * 4 + 7 / 2


def sci_const(x):
    return 1e-3 * x * x + 2.5e1 * x


@pytest.mark.parametrize("x", [-2.0, 0.0, 1.3, 7.5])
@pytest.mark.parametrize("f", [const_mul, const_only_term, int_const_mixed, sci_const])
def test_constants(check, f, x):
    run(check, f, x)


def test_constant_exact():
    assert srcgrad.grad(const_mul)(10.0) == 3.5
    assert srcgrad.grad(int_const_mixed)(1.0) == -2.0


# ---------------------------------------------------------------- arithmetic

def add(x, y):
    return x + y


def sub(x, y):
    return x - y


def mul(x, y):
    return x * y


def div(x, y):
    return x / y


def pow_xy(x, y):
    return x ** y


def pow_const_exp(x, y):
    return x ** 3 + y ** 2.0 + x ** -1.0


def pow_const_base(x, y):
    return 2.0 ** x + 3 ** y


def pow_half(x, y):
    return x ** 0.5 * y


def neg(x, y):
    return -x * -y + -(x + y)


def pos(x, y):
    return +x * +(y - x)


def mixed_expr(x, y):
    return (x * y - x / y) ** 2 + (x - 2.0 * y) / (1.0 + x * x) - -x


def self_ops(x, y):
    return x * x + x / x + x - x + y * y * y


@pytest.mark.parametrize("x,y", [(1.5, 2.0), (0.7, -1.3), (3.2, 0.4), (2.0, 5.0)])
@pytest.mark.parametrize("f", [add, sub, mul, div, pow_const_exp, neg, pos, mixed_expr, self_ops])
def test_binops(check, f, x, y):
    run(check, f, x, y)


@pytest.mark.parametrize("x,y", [(1.5, 2.0), (0.7, -1.3), (3.2, 0.4), (2.0, 2.5)])
@pytest.mark.parametrize("f", [pow_xy, pow_const_base, pow_half])
def test_pow_positive_base(check, f, x, y):
    run(check, f, x, y)


def pow_int_exp_negative_base(x):
    return x ** 2 + x ** 3


@pytest.mark.parametrize("x", [-2.0, -0.5, 0.5, 3.0])
def test_pow_integer_exponent_negative_base(check, x):
    run(check, pow_int_exp_negative_base, x)


def test_pow_exact():
    assert srcgrad.grad(pow_int_exp_negative_base)(-2.0) == pytest.approx(2 * -2.0 + 3 * 4.0)


# ---------------------------------------------------------------- // and %

def floordiv(x, y):
    return (x // y) * x + y


def floordiv_const(x):
    return x // 2.0 + x * (x // 1.0)


def mod(x, y):
    return x % y


def mod_const(x):
    return (x % 3.0) * x


def mod_neg_divisor(x):
    return x % -2.5 + x


@pytest.mark.parametrize("x,y", [(5.3, 2.0), (-3.7, 1.5), (0.4, 0.9), (7.1, -2.2)])
@pytest.mark.parametrize("f", [floordiv, mod])
def test_floordiv_mod(check, f, x, y):
    run(check, f, x, y)


@pytest.mark.parametrize("x", [-4.3, -0.6, 0.8, 2.6, 5.5])
@pytest.mark.parametrize("f", [floordiv_const, mod_const, mod_neg_divisor])
def test_floordiv_mod_const(check, f, x):
    run(check, f, x)


def test_mod_exact():
    # d/dx (x % y) = 1, d/dy = -floor(x/y)
    gx, gy = srcgrad.grad(mod, wrt=(0, 1))(7.5, 2.0)
    assert gx == pytest.approx(1.0)
    assert gy == pytest.approx(-3.0)


# ---------------------------------------------------------------- comparisons in conditions

def cmp_lt(x, y):
    if x < y:
        return x * y
    return x + y


def cmp_le(x, y):
    if x <= y:
        return x * x
    return y * y * x


def cmp_gt(x, y):
    if x > y:
        return x - y * y
    return 2.0 * x


def cmp_ge(x, y):
    if x >= y:
        return x / y
    return y / x


def cmp_eq_ne(x, y):
    n = 3
    if n == 3:
        z = x * y
    else:
        z = x + y
    if n != 3:
        z = z * 100.0
    return z


def cmp_with_expr(x, y):
    if x * x - y > 1.0:
        return x * x * y
    return x + y * y


@pytest.mark.parametrize("x,y", [(1.0, 2.0), (3.0, 2.0), (-1.5, 0.5), (2.5, -1.0)])
@pytest.mark.parametrize("f", [cmp_lt, cmp_le, cmp_gt, cmp_ge, cmp_eq_ne, cmp_with_expr])
def test_comparisons(check, f, x, y):
    run(check, f, x, y)


# ---------------------------------------------------------------- and / or / not in conditions

def cond_and(x, y):
    if x > 0 and y > 0:
        return x * y
    return x - y


def cond_or(x, y):
    if x > 1.0 or y < -1.0:
        return x * x + y
    return y * y - x


def cond_not(x, y):
    if not x > y:
        return x * 3.0
    return y * 5.0 + x


def cond_combo(x, y):
    if (x > 0 and not y > 0) or (x < -1.0 and y < -1.0):
        return x * y * y
    elif not (x > 0 or y > 0):
        return x + y
    return x * x - y


def cond_three_and(x, y):
    if x > 0 and y > 0 and x > y:
        return x * x * y
    return y


@pytest.mark.parametrize("x,y", [(1.5, 2.0), (2.0, -2.0), (-2.0, -3.0), (-0.5, 0.5),
                                 (0.5, -0.5), (-0.5, -0.7), (3.0, 1.0)])
@pytest.mark.parametrize("f", [cond_and, cond_or, cond_not, cond_combo, cond_three_and])
def test_boolean_conditions(check, f, x, y):
    run(check, f, x, y)


# ---------------------------------------------------------------- chained comparisons

def chained(x, y):
    if 0.0 < x < y:
        return x * y
    return x + 2.0 * y


def chained_three(x, y):
    if -1.0 <= x <= y < 4.0:
        return x * x * y
    elif x > y > 0.0:
        return x - y * y
    return y * 3.0 + x


@pytest.mark.parametrize("x,y", [(0.5, 2.0), (-0.5, 2.0), (3.0, 1.0), (1.0, 5.0),
                                 (-2.0, -3.0), (2.0, -1.0)])
@pytest.mark.parametrize("f", [chained, chained_three])
def test_chained_comparisons(check, f, x, y):
    run(check, f, x, y)


# ---------------------------------------------------------------- conditional expressions

def ifexp(x, y):
    return x * y if x > y else x + y * y


def ifexp_nested(x, y):
    return x * x if x > 1.0 else (y * x if y > 0.0 else x - y)


def ifexp_nested_orelse_first(x, y):
    z = (x if y > 0 else -x) if x > 0 else (y * y if y > x else x * 3.0)
    return z * y + z


def ifexp_inside_expr(x, y):
    return 2.0 * (x if x > 0 else y) + (y * y if y < 1.0 else x) * x


def ifexp_bool_cond(x, y):
    return x * y if (x > 0 and y > 0) or not x < -1.0 else x - y


@pytest.mark.parametrize("x,y", [(2.0, 1.2), (0.5, 1.5), (0.5, -1.5), (-0.7, 0.3),
                                 (-2.0, -3.0), (1.5, 2.5)])
@pytest.mark.parametrize("f", [ifexp, ifexp_nested, ifexp_nested_orelse_first,
                               ifexp_inside_expr, ifexp_bool_cond])
def test_conditional_expressions(check, f, x, y):
    run(check, f, x, y)


# ---------------------------------------------------------------- `or` / `and` as values

def or_value(x, y):
    # x == 0.0 is falsy -> y
    return (x or y) * 2.0


def and_value(x, y):
    return (x and y) * x


def or_chain_value(x, y):
    z = 0.0
    return (z or x or y) + (z and y)


def or_of_products(x, y):
    a = x * y
    b = x - y
    return (a or b) * (a and b)


@pytest.mark.parametrize("x,y", [(1.5, 2.0), (-0.5, 3.0), (2.0, -1.0)])
@pytest.mark.parametrize("f", [or_value, and_value, or_chain_value, or_of_products])
def test_boolop_values_truthy(check, f, x, y):
    run(check, f, x, y)


def test_or_value_falsy_left():
    # x == 0.0 (falsy): value is y; d/dx = 0, d/dy = 2
    gx, gy = srcgrad.grad(or_value, wrt=(0, 1))(0.0, 3.0)
    assert gx == 0.0 and gy == 2.0
    assert _is_float(gx) and _is_float(gy)


def test_and_value_falsy_left():
    # x == 0.0: (x and y) is x -> f = x * x, d/dx = 0 at x = 0; d/dy = 0
    gx, gy = srcgrad.grad(and_value, wrt=(0, 1))(0.0, 3.0)
    assert gx == 0.0 and gy == 0.0


def test_and_value_truthy_exact():
    # f = y * x: d/dx = y, d/dy = x
    gx, gy = srcgrad.grad(and_value, wrt=(0, 1))(2.0, 3.0)
    assert gx == 3.0 and gy == 2.0


def test_or_chain_exact():
    # z = 0 falsy: (z or x or y) = x if x truthy; (z and y) = z = 0.0
    gx, gy = srcgrad.grad(or_chain_value, wrt=(0, 1))(2.0, 3.0)
    assert gx == 1.0 and gy == 0.0
    gx, gy = srcgrad.grad(or_chain_value, wrt=(0, 1))(0.0, 3.0)
    assert gx == 0.0 and gy == 1.0


def test_value_and_grad_of_ifexp():
    v, g = srcgrad.value_and_grad(ifexp, wrt=(0, 1))(2.0, 1.0)
    assert v == 2.0
    assert g == (1.0, 2.0)
