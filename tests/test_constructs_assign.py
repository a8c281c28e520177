"""Assignments, unpacking, rebinding, lists, and numeric builtins."""

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


POINTS2 = [(1.3, 0.7), (-0.8, 2.1), (2.5, -1.6), (0.45, 3.3)]


# ---------------------------------------------------------------- augmented assignment

def aug_add(x, y):
    z = x
    z += y * x
    z += 1.0
    return z * z


def aug_sub(x, y):
    z = x * y
    z -= y
    z -= x * x
    return z


def aug_mul(x, y):
    z = x
    z *= y
    z *= z
    z *= 2.0
    return z


def aug_div(x, y):
    z = x * x + 1.0
    z /= y
    z /= (x * x + 2.0)
    return z


def aug_pow(x, y):
    z = x * x + 1.0
    z **= 1.5
    w = y * y + 0.5
    w **= z * 0.1
    return z + w


def aug_floordiv(x, y):
    z = x * 3.0
    z //= 0.7
    return z * x + y


def aug_mod(x, y):
    z = x * 3.0
    z %= 0.7
    w = y
    w %= 1.3
    return z * x + w * y


def aug_on_param(x, y):
    x += y
    x *= y
    y -= x
    return x * y


@pytest.mark.parametrize("x,y", POINTS2)
@pytest.mark.parametrize("f", [aug_add, aug_sub, aug_mul, aug_div, aug_pow, aug_on_param])
def test_augmented(check, f, x, y):
    run(check, f, x, y)


# points away from the jumps of // and %
@pytest.mark.parametrize("x,y", [(1.3, 0.7), (-0.8, 2.1), (2.5, -1.6), (0.4, 3.35)])
@pytest.mark.parametrize("f", [aug_floordiv, aug_mod])
def test_augmented_floordiv_mod(check, f, x, y):
    run(check, f, x, y)


def test_aug_mul_exact():
    # z = (x*y)^2 * 2 -> dz/dx = 4 x y^2
    assert srcgrad.grad(aug_mul)(3.0, 2.0) == 48.0


# ---------------------------------------------------------------- chained / tuple / nested unpack

def chained_assign(x, y):
    a = b = x * y
    a = a + x
    return a * b


def chained_three(x, y):
    a = b = c = x + y
    b = b * x
    c = c * c
    return a + b + c


def tuple_assign(x, y):
    a, b = x * y, x - y
    return a * b + a


def tuple_assign_paren(x, y):
    (a, b, c) = (x, y, x * y)
    return a * b * c + c


def list_target(x, y):
    [a, b] = [y, x]
    return a * a * b


def nested_unpack(x, y):
    (a, (b, c)) = (x, (y, x * y))
    return a + b * c


def nested_unpack_no_parens(x, y):
    a, (b, c), d = x, (y * y, x), 2.0
    return a * b + c * d


def nested_unpack_from_var(x, y):
    t = (x * 2.0, (y, x + y))
    a, (b, c) = t
    return a * b * c


def swap(x, y):
    x, y = y, x
    return x * 2.0 + y * y * y


def swap_in_loop(x, y):
    a = x
    b = y
    for _i in range(3):
        a, b = b, a * b
    return a + b


def rotate3(x, y):
    a, b, c = x, y, x * y
    a, b, c = b, c, a
    return a * 1.0 + b * 2.0 + c * 3.0


def fib_like(x, y):
    a, b = x, y
    for _i in range(4):
        a, b = b, a + b * 0.5
    return a * b


@pytest.mark.parametrize("x,y", POINTS2)
@pytest.mark.parametrize("f", [chained_assign, chained_three, tuple_assign, tuple_assign_paren,
                               list_target, nested_unpack, nested_unpack_no_parens,
                               nested_unpack_from_var, swap, swap_in_loop, rotate3, fib_like])
def test_assignment_forms(check, f, x, y):
    run(check, f, x, y)


def test_swap_exact():
    gx, gy = srcgrad.grad(swap, wrt=(0, 1))(1.5, 2.0)
    # f = 2 y + x^3
    assert gx == pytest.approx(3 * 1.5 ** 2) and gy == 2.0


# ---------------------------------------------------------------- helpers returning tuples

def _pair(a, b):
    return a * b, a + b


def _nested_pair(a, b):
    return a, (b, a * b)


def unpack_helper(x, y):
    p, q = _pair(x, y)
    return p * q


def unpack_helper_nested(x, y):
    a, (b, c) = _nested_pair(x * 2.0, y)
    return a + b * c


def unpack_helper_twice(x, y):
    p, q = _pair(x, y)
    r, s = _pair(p, q)
    return r - s * x


def helper_tuple_index(x, y):
    t = _pair(x, y)
    return t[0] * t[1] + t[0]


@pytest.mark.parametrize("x,y", POINTS2)
@pytest.mark.parametrize("f", [unpack_helper, unpack_helper_nested, unpack_helper_twice,
                               helper_tuple_index])
def test_unpack_helper_result(check, f, x, y):
    run(check, f, x, y)


# ---------------------------------------------------------------- reassignment of the same name

def rebind_straight(x):
    y = x
    y = y * x
    y = y + x
    y = y * y
    y = y / (x * x + 1.0)
    y = y - x * 3.0
    return y


def rebind_param(x):
    x = x * x
    x = x + 1.0
    x = x * x
    return x


def rebind_loop(x):
    t = x
    for i in range(5):
        t = t * x
        t = t + 0.5 * i
        t = t / (1.0 + t * t)
    return t


def rebind_loop_uses_old(x):
    a = x
    b = 1.0
    for _i in range(4):
        old = a
        a = a * b + x
        b = old * 0.5
    return a + b


def rebind_branches(x):
    y = x * x
    if x > 0.0:
        y = y * x
        y = y + 1.0
    else:
        y = y - x
        y = y * y
    y = y * x
    if y > 1.0:
        y = y / x
    return y


def rebind_loop_branches(x):
    y = x
    for _i in range(6):
        if y > 2.0:
            y = y * 0.5
            y = y + x
        else:
            y = y * x + 1.0
            y = y * 1.1
    return y


def rebind_while(x):
    y = x
    z = 0.0
    while y < 5.0:
        z = z + y * x
        y = y + z * 0.1 + 0.5
        z = z * 0.9
    return y + z


def rebind_nonlinear_chain(x):
    # the reverse sweep needs every intermediate value of v
    v = x
    for _i in range(4):
        v = np.sin(v) * x
    v = v * v
    return v


@pytest.mark.parametrize("x", [-1.7, -0.35, 0.55, 1.4, 2.9])
@pytest.mark.parametrize("f", [rebind_straight, rebind_param, rebind_loop, rebind_loop_uses_old,
                               rebind_branches, rebind_loop_branches, rebind_nonlinear_chain])
def test_rebinding(check, f, x):
    run(check, f, x)


@pytest.mark.parametrize("x", [0.3, 0.9, 2.2, 4.1, 6.0])
def test_rebind_while(check, x):
    run(check, rebind_while, x)


def test_rebind_param_exact():
    # ((x^2 + 1)^2)' = 4 x (x^2 + 1)
    assert srcgrad.grad(rebind_param)(2.0) == 40.0


# ---------------------------------------------------------------- lists built with append

def append_sum(x):
    ys = []
    for i in range(4):
        ys.append(x * i + x * x)
    return sum(ys)


def append_index(x, y):
    ys = []
    t = x
    for _i in range(5):
        t = t * y + 1.0
        ys.append(t)
    return ys[0] * ys[-1] + ys[2]


def append_then_loop(x, y):
    ys = []
    for c in [1.0, 2.0, 3.0]:
        ys.append(c * x + y)
    acc = 1.0
    for v in ys:
        acc = acc * v
    return acc


def append_conditionally(x, y):
    ys = [y]
    for i in range(6):
        v = x * i - y
        if v > 0.0:
            ys.append(v * v)
        else:
            ys.append(v)
    return sum(ys) + ys[3] * ys[1]


def append_in_while(x, y):
    ys = []
    t = x
    while t < 10.0:
        ys.append(t * y)
        t = t * 2.0
    return sum(ys) + len(ys) * x


def append_index_variable(x, y):
    ys = [x, y]
    for i in range(3):
        ys.append(ys[i] * ys[i + 1])
    return ys[4]


@pytest.mark.parametrize("x", [-1.7, 0.55, 1.4])
def test_append_sum(check, x):
    run(check, append_sum, x)


@pytest.mark.parametrize("x,y", POINTS2)
@pytest.mark.parametrize("f", [append_index, append_then_loop, append_conditionally,
                               append_index_variable])
def test_append_lists(check, f, x, y):
    run(check, f, x, y)


@pytest.mark.parametrize("x,y", [(0.7, 1.3), (1.9, -0.4), (3.0, 2.0), (6.0, 0.5), (11.0, 1.5)])
def test_append_in_while(check, x, y):
    run(check, append_in_while, x, y)


# ---------------------------------------------------------------- sum()

def sum_literal(x, y):
    return sum([x, y, x * y, 2.0])


def sum_variable(x, y):
    vals = [x * x, y, x - y]
    return sum(vals) * x


def sum_tuple(x, y):
    t = (x, y * y, 1.0)
    return sum(t)


def sum_start(x, y):
    return sum([x, y], 10.0) * y


@pytest.mark.parametrize("x,y", POINTS2)
@pytest.mark.parametrize("f", [sum_literal, sum_variable, sum_tuple, sum_start])
def test_sum(check, f, x, y):
    run(check, f, x, y)


# ---------------------------------------------------------------- min / max

def min2(x, y):
    return min(x, y) * 3.0 + x


def max2(x, y):
    return max(x * y, y) + y


def min_list(x, y):
    return min([x, y, x * y, 1.5])


def max_list(x, y):
    vals = [x, y * y, x - y]
    return max(vals) * x


def min_max_nested(x, y):
    return max(min(x, y), x * y - 1.0)


def min3(x, y):
    return min(x, y * 2.0, x + y)


@pytest.mark.parametrize("x,y", [(1.3, 0.7), (-0.8, 2.1), (2.5, -1.6), (0.45, 3.3),
                                 (3.0, 2.0), (-2.0, -0.5)])
@pytest.mark.parametrize("f", [min2, max2, min_list, max_list, min_max_nested, min3])
def test_min_max(check, f, x, y):
    run(check, f, x, y)


def test_min_max_exact():
    gx, gy = srcgrad.grad(min2, wrt=(0, 1))(1.0, 2.0)
    assert (gx, gy) == (4.0, 0.0)
    gx, gy = srcgrad.grad(min2, wrt=(0, 1))(3.0, 2.0)
    assert (gx, gy) == (1.0, 3.0)


# ---------------------------------------------------------------- abs / float()

def abs_fn(x, y):
    return abs(x) * y + abs(x * y - 1.0)


def float_fn(x, y):
    return float(x) * float(y * y) + float(3)


def float_of_int_loop(x, y):
    acc = 0.0
    for i in range(3):
        acc = acc + float(i) * x + y
    return acc


@pytest.mark.parametrize("x,y", POINTS2)
@pytest.mark.parametrize("f", [abs_fn, float_fn, float_of_int_loop])
def test_abs_float(check, f, x, y):
    run(check, f, x, y)


def test_abs_exact():
    gx, gy = srcgrad.grad(abs_fn, wrt=(0, 1))(-2.0, 3.0)
    # f = 2*3 + |-6 - 1| = 6 + 7 (x*y - 1 < 0) -> d/dx = -y - y = -6, d/dy = 2 - x = 4
    assert gx == -6.0 and gy == 4.0
