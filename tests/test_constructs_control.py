"""Control flow: if/elif/else, for, while, break/continue, loop else, returns."""

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


# ---------------------------------------------------------------- if / elif / else

def if_only(x):
    y = x * 2.0
    if x > 1.0:
        y = y * x
    return y


def if_else(x):
    if x > 0.0:
        y = x * x
    else:
        y = -3.0 * x
    return y + x


def if_elif_else(x):
    if x < -1.0:
        y = x * x * x
    elif x < 0.5:
        y = 2.0 * x
    elif x < 2.0:
        y = x * x - 1.0
    else:
        y = 5.0 / x
    return y * x


def if_nested(x, y):
    if x > 0.0:
        if y > 0.0:
            z = x * y
        else:
            z = x - y * y
            if z > 3.0:
                z = z * z
    else:
        if y > x:
            z = y / (1.0 + x * x)
        elif y > -2.0:
            z = x * x * y
        else:
            z = x + y
    return z * 1.5


def if_assigns_different_vars(x, y):
    a = x
    b = y
    if x > y:
        a = x * y
    else:
        b = x + y * y
    return a * b


@pytest.mark.parametrize("x", [-2.0, -0.3, 0.7, 1.5, 3.0])
@pytest.mark.parametrize("f", [if_only, if_else, if_elif_else])
def test_if_single_var(check, f, x):
    run(check, f, x)


@pytest.mark.parametrize("x,y", [(1.0, 2.0), (1.0, -1.0), (2.5, -1.5), (-1.0, 2.0),
                                 (-1.0, -1.5), (-0.5, -3.0)])
@pytest.mark.parametrize("f", [if_nested, if_assigns_different_vars])
def test_if_nested(check, f, x, y):
    run(check, f, x, y)


# ---------------------------------------------------------------- for over range

def range_1arg(x, n):
    y = x
    for _i in range(n):
        y = y * x + 1.0
    return y


def range_2arg(x, n):
    y = 0.0
    for i in range(2, n):
        y = y + x * i
    return y * x


def range_3arg(x, n):
    y = 1.0
    for i in range(1, n, 3):
        y = y * x + i * x
    return y


def range_negative_step(x, n):
    y = x
    for i in range(n, 0, -1):
        y = y * 0.5 + x * i
    return y * y


def range_neg_step_2(x, n):
    y = 0.0
    for i in range(n, -n, -2):
        y = y + x * x * i + y * 0.1
    return y


def range_zero_trip(x, n):
    y = x * 3.0
    for _i in range(n, n):
        y = y * x * 100.0
    for _i in range(5, 2):
        y = y * 7.0
    return y


@pytest.mark.parametrize("n", [0, 1, 2, 5, 7])
@pytest.mark.parametrize("x", [0.9, -1.3])
@pytest.mark.parametrize("f", [range_1arg, range_2arg, range_3arg, range_negative_step,
                               range_neg_step_2, range_zero_trip])
def test_for_range(check, f, x, n):
    run(check, f, x, n, wrt=(0,))


def test_range_1arg_exact():
    # n = 2: y = (x*x + 1)*x + 1 = x^3 + x + 1 -> 3x^2 + 1
    assert srcgrad.grad(range_1arg)(2.0, 2) == 13.0
    # zero trip: y = x
    assert srcgrad.grad(range_1arg)(2.0, 0) == 1.0


def range_float_arg_len(x):
    y = x
    for i in range(4):
        y = y + x * i * x
    return y


@pytest.mark.parametrize("x", [0.5, -2.0, 3.0])
def test_for_range_constant(check, x):
    run(check, range_float_arg_len, x)


# ---------------------------------------------------------------- for over lists / tuples

def for_list_literal(x):
    y = 0.0
    for c in [1.0, -2.0, 0.5, 3.0]:
        y = y * x + c
    return y


def for_tuple_literal(x):
    y = 1.0
    for c in (2.0, 3.0, -1.0):
        y = y * (x + c)
    return y


def for_list_variable(x):
    cs = [0.5, 1.5, -2.0]
    y = x
    for c in cs:
        y = y * c + x
    return y


def for_tuple_variable(x):
    cs = (1.0, 2.0, 3.0, 4.0)
    y = 0.0
    for c in cs:
        y = y + c * x * x
    return y


def for_active_list(x, y):
    vals = [x, y, x * y, x - y]
    acc = 1.0
    for v in vals:
        acc = acc * v + v
    return acc


def for_active_tuple_literal(x, y):
    acc = 0.0
    for v in (x * x, y, 2.0, x / y):
        acc = acc + v * v
    return acc


def for_active_list_literal_inline(x, y):
    acc = 0.0
    for v in [x, y * y, x + y]:
        acc = acc * 0.5 + v
    return acc


@pytest.mark.parametrize("x", [0.7, -1.2, 2.0])
@pytest.mark.parametrize("f", [for_list_literal, for_tuple_literal, for_list_variable,
                               for_tuple_variable])
def test_for_sequence_constant(check, f, x):
    run(check, f, x)


@pytest.mark.parametrize("x,y", [(0.7, 1.3), (-1.2, 2.5), (2.0, -0.5)])
@pytest.mark.parametrize("f", [for_active_list, for_active_tuple_literal,
                               for_active_list_literal_inline])
def test_for_active_sequence(check, f, x, y):
    run(check, f, x, y)


def for_list_arg(x, cs):
    y = 0.0
    for c in cs:
        y = y * x + c
    return y


@pytest.mark.parametrize("cs", [[], [1.0], [1.0, 2.0, 3.0], [0.5, -1.0, 2.0, 4.0, -3.0]])
@pytest.mark.parametrize("x", [0.8, -1.5])
def test_for_list_argument_trip_counts(check, x, cs):
    run(check, for_list_arg, x, cs, wrt=(0,))


# ---------------------------------------------------------------- zip / enumerate

def for_zip(x, y):
    ws = [1.0, 2.0, 3.0]
    vs = [x, y, x * y]
    acc = 0.0
    for w, v in zip(ws, vs):
        acc = acc + w * v * v
    return acc


def for_zip_active_both(x, y):
    a = [x, y]
    b = [y * y, x + 1.0]
    acc = 0.0
    for p, q in zip(a, b):
        acc = acc + p * q
    return acc


def for_enumerate(x, y):
    vals = [x, y, x * x]
    acc = 0.0
    for i, v in enumerate(vals):
        acc = acc + i * v + v * x
    return acc


def for_enumerate_start(x):
    acc = x
    for i, c in enumerate([2.0, 3.0], 1):
        acc = acc * x + i * c
    return acc


def for_enumerate_zip(x, y):
    acc = 0.0
    for i, (a, b) in enumerate(zip([x, y, 1.0], [y, x, x])):
        acc = acc + (i + 1) * a * b
    return acc


@pytest.mark.parametrize("x,y", [(0.7, 1.3), (-1.2, 2.5), (2.0, -0.5)])
@pytest.mark.parametrize("f", [for_zip, for_zip_active_both, for_enumerate, for_enumerate_zip])
def test_zip_enumerate(check, f, x, y):
    run(check, f, x, y)


@pytest.mark.parametrize("x", [0.7, -1.2, 2.0])
def test_enumerate_start(check, x):
    run(check, for_enumerate_start, x)


# ---------------------------------------------------------------- while

def while_data_dependent(x):
    y = x
    while y < 10.0:
        y = y * 1.5 + x
    return y


def while_counter(x, n):
    i = 0
    y = x
    while i < n:
        y = y * x - 0.5
        i = i + 1
    return y


def while_zero_trip(x):
    y = x * 2.0
    while y > 1000.0:
        y = y * 0.5
    return y * x


def while_halving(x):
    y = x
    k = 0.0
    while y > 1.0:
        y = y / 2.0
        k = k + y
    return k + y * y


@pytest.mark.parametrize("x", [0.5, 1.1, 2.3, 3.7, 9.0, 12.0])
def test_while_data_dependent(check, x):
    run(check, while_data_dependent, x)


@pytest.mark.parametrize("x", [0.5, 1.7, 3.3, 7.9, 30.0])
@pytest.mark.parametrize("f", [while_zero_trip, while_halving])
def test_while_varied_trips(check, f, x):
    run(check, f, x)


@pytest.mark.parametrize("n", [0, 1, 4])
@pytest.mark.parametrize("x", [0.8, -1.1])
def test_while_counter(check, x, n):
    run(check, while_counter, x, n, wrt=(0,))


def dezero(x):
    y = 0.0
    while y <= 100:
        y = y + x
    return y


def test_dezero_loop_exact():
    v, g = srcgrad.value_and_grad(dezero)(3.0)
    assert v == 102.0
    assert g == 34.0
    assert _is_float(g)
    assert srcgrad.grad(dezero)(3.0) == 34.0


@pytest.mark.parametrize("x", [3.0, 7.0, 0.9, 51.0, 101.0])
def test_dezero_loop_other_points(check, x):
    run(check, dezero, x)


# ---------------------------------------------------------------- nested loops

def for_in_for(x, y):
    acc = 0.0
    for i in range(3):
        t = x
        for j in range(i + 1):
            t = t * y + j
        acc = acc + t * x
    return acc


def while_in_for(x):
    acc = 0.0
    for c in [1.0, 2.0, 3.0]:
        t = c
        while t < 5.0:
            t = t + x
        acc = acc + t * c
    return acc


def for_in_while(x):
    y = x
    k = 0
    while y < 20.0:
        for c in (0.5, 1.0):
            y = y + c * x
        k = k + 1
    return y * k


def triple_nested(x):
    acc = x
    for i in range(2):
        for j in range(2):
            k = 0
            while k < i + j:
                acc = acc * 0.9 + x
                k = k + 1
    return acc


@pytest.mark.parametrize("x,y", [(0.7, 1.3), (-1.2, 0.5), (2.0, -0.5)])
def test_for_in_for(check, x, y):
    run(check, for_in_for, x, y)


@pytest.mark.parametrize("x", [0.35, 0.7, 1.3, 2.2, 6.0])
def test_while_in_for(check, x):
    run(check, while_in_for, x)


@pytest.mark.parametrize("x", [0.6, 1.3, 3.1, 7.7, 25.0])
def test_for_in_while(check, x):
    run(check, for_in_while, x)


@pytest.mark.parametrize("x", [0.6, -1.3, 2.0])
def test_triple_nested(check, x):
    run(check, triple_nested, x)


# ---------------------------------------------------------------- break / continue

def for_break(x):
    y = x
    for _i in range(10):
        y = y * 1.3 + x
        if y > 5.0:
            break
    return y


def for_continue(x):
    acc = 0.0
    for c in [0.5, -1.0, 2.0, -3.0, 4.0]:
        if c * x < 0.0:
            continue
        acc = acc + c * x * x
    return acc


def while_break(x):
    y = x
    while True:
        y = y * 2.0 + x
        if y > 10.0:
            break
    return y


def while_continue(x):
    i = 0
    acc = 0.0
    while i < 6:
        i = i + 1
        if i % 2 == 0:
            continue
        acc = acc + x * i + acc * x * 0.1
    return acc


def break_nested_if(x):
    y = 0.0
    for _i in range(8):
        if x > 0.0:
            if y > 3.0:
                break
            y = y + x
        else:
            if y < -3.0:
                break
            y = y + x * x
    return y * x


def continue_nested_if(x):
    y = 1.0
    for i in range(6):
        if i > 1:
            if y > 4.0:
                continue
            y = y * x
        else:
            y = y + x
    return y


def break_and_continue(x):
    acc = 0.0
    for i in range(10):
        if i == 1:
            continue
        acc = acc + x * i
        if acc > 8.0:
            break
        acc = acc * 1.1
    return acc


def break_inner_only(x):
    acc = 0.0
    for i in range(4):
        t = x
        for _j in range(10):
            t = t * 1.5
            if t > 3.0 + i:
                break
        acc = acc + t
    return acc


def continue_inner_only(x):
    acc = 0.0
    for i in range(3):
        for j in range(4):
            if j == i:
                continue
            acc = acc + x * j + acc * 0.01 * x
    return acc


def while_break_data_dependent(x):
    y = x
    n = 0
    while y < 100.0:
        n = n + 1
        y = y * y + 1.0
        if n >= 3:
            break
    return y


@pytest.mark.parametrize("x", [0.3, 0.8, 1.7, 4.1, 6.5, -0.4, -1.5])
@pytest.mark.parametrize("f", [for_break, for_continue, break_nested_if, continue_nested_if,
                               break_and_continue, continue_inner_only])
def test_break_continue(check, f, x):
    run(check, f, x)


@pytest.mark.parametrize("x", [0.3, 0.8, 1.7, 4.1, 6.5])
@pytest.mark.parametrize("f", [while_break, while_continue, break_inner_only,
                               while_break_data_dependent])
def test_break_continue_positive(check, f, x):
    run(check, f, x)


# ---------------------------------------------------------------- loop else

def for_else_no_break(x):
    y = x
    for _i in range(3):
        y = y * x
    else:
        y = y + 10.0 * x
    return y


def for_else_maybe_break(x):
    y = x
    for _i in range(4):
        y = y * 1.5
        if y > 3.0:
            break
    else:
        y = y * x * x
    return y + x


def while_else(x):
    y = x
    n = 0
    while n < 5:
        y = y + x * n
        if y > 6.0:
            break
        n = n + 1
    else:
        y = -y * x
    return y


def nested_for_else(x):
    acc = 0.0
    for i in range(3):
        for j in range(3):
            if x * (i + j) > 2.0:
                break
        else:
            acc = acc + x * x
            continue
        acc = acc + 3.0 * x
    return acc


@pytest.mark.parametrize("x", [0.2, 0.45, 0.8, 1.3, 2.5, 7.0])
@pytest.mark.parametrize("f", [for_else_no_break, for_else_maybe_break, while_else,
                               nested_for_else])
def test_loop_else(check, f, x):
    run(check, f, x)


# ---------------------------------------------------------------- return anywhere

def several_returns(x):
    if x < -1.0:
        return x * x
    if x < 1.0:
        return 2.0 * x
    y = x * x * x
    if y > 20.0:
        return y / x
    return y


def guard_clause(x, y):
    if y < 0.0:
        return x
    if x < 0.0:
        return y * y
    z = x * y
    return z * z + x


def return_in_for(x):
    y = x
    for _i in range(10):
        y = y * 1.4 + 0.1
        if y > 4.0:
            return y * x
    return -y


def return_in_while(x):
    y = x
    while True:
        y = y + x * x
        if y > 5.0:
            return y
        y = y * 1.1


def return_in_nested_ifs(x, y):
    if x > 0.0:
        if y > 0.0:
            return x * y
        elif y > -1.0:
            z = x - y
            if z > 1.5:
                return z * z
        else:
            return x + y
    else:
        if y > x:
            return y * 3.0
    return x * x * y


def return_in_nested_loops(x):
    acc = 0.0
    for i in range(4):
        for j in range(4):
            acc = acc + x * (i + 1) * (j + 1) * 0.1
            if acc > 2.0:
                return acc * x
    return acc


def return_after_loop_in_if(x):
    if x > 1.0:
        y = x
        for _i in range(3):
            y = y * x
        return y
    y = 0.0
    while y < 2.0:
        y = y + abs(x) + 0.5
    return y * x


@pytest.mark.parametrize("x", [-2.0, -0.6, 0.4, 1.5, 3.5])
@pytest.mark.parametrize("f", [several_returns, return_in_for, return_in_nested_loops,
                               return_after_loop_in_if])
def test_returns(check, f, x):
    run(check, f, x)


@pytest.mark.parametrize("x", [0.3, 1.0, 2.1, 4.0])
def test_return_in_while(check, x):
    run(check, return_in_while, x)


@pytest.mark.parametrize("x,y", [(1.0, 2.0), (3.0, -0.5), (1.0, -0.3), (2.0, -2.0),
                                 (-1.0, 2.0), (-1.0, -2.0), (0.5, -0.5)])
@pytest.mark.parametrize("f", [guard_clause, return_in_nested_ifs])
def test_returns_two_args(check, f, x, y):
    run(check, f, x, y)


# ---------------------------------------------------------------- value of value_and_grad

@pytest.mark.parametrize("x", [0.4, 1.5, 3.5])
@pytest.mark.parametrize("f", [if_elif_else, while_data_dependent, for_break, for_else_maybe_break,
                               several_returns, return_in_for, return_in_while,
                               return_in_nested_loops, nested_for_else])
def test_value_and_grad_value_matches(f, x):
    v, g = srcgrad.value_and_grad(f)(x)
    assert v == pytest.approx(f(x), rel=1e-12)
    assert _is_float(g)


# ---------------------------------------------------------------- conditions a branch rewrites

def and_condition_in_loop(a, b, c):
    for _i in range(2):
        if a > c and a > b:
            a = a * 2.0
        else:
            a = a * 3.0
    return a * b + c


def or_chain_in_loop(a, b, c):
    for i in range(3):
        if a > b or a < c or i == 2:
            a = a * 1.5 + b
        else:
            a = a - c * a
    return a


def branch_rewrites_its_flag(a, b):
    flag = a > b
    for _i in range(3):
        if flag:
            flag = a > 2.0 * b
            a = a * 2.0
        else:
            a = a * 3.0 + b
    return a


@pytest.mark.parametrize("a,b,c", [(1.0, 5.0, 0.0), (2.0, 1.0, 0.5), (0.5, 0.2, 1.0),
                                   (-1.0, 0.3, -2.0), (3.0, 4.0, 2.0)])
@pytest.mark.parametrize("f", [and_condition_in_loop, or_chain_in_loop])
def test_short_circuit_condition_in_loop(check, f, a, b, c):
    run(check, f, a, b, c)


@pytest.mark.parametrize("a,b", [(3.0, 1.0), (1.0, 3.0), (1.5, 1.0), (-1.0, 0.5)])
def test_branch_rewrites_its_condition(check, a, b):
    run(check, branch_rewrites_its_flag, a, b)


def test_and_condition_exact_value():
    # a: 1 -> 3 -> 9 (the else branch both times), so d/da = 9
    assert srcgrad.grad(and_condition_in_loop, wrt=0)(1.0, 5.0, 0.0) == 9.0 * 5.0


# ---------------------------------------------------------------- maybe-unbound after a loop

def bound_only_if_loop_ran(x, n):
    for _i in range(n):
        y = x * 2.0
    if n > 0:
        z = y
    else:
        z = x
    for j in range(n):
        w = z * x
        if j > 0 and w > 1.0 or j == 0:
            z = w
    return z * x


@pytest.mark.parametrize("n", [0, 1, 3])
@pytest.mark.parametrize("x", [0.4, 1.5, -2.0])
def test_variable_bound_only_by_a_loop_that_may_not_run(check, x, n):
    got = srcgrad.grad(bound_only_if_loop_ran)(x, n)
    assert _is_float(got)
    srcgrad.check_grads(bound_only_if_loop_ran, (x, n), wrt=0)
