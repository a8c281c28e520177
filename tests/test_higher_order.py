"""Derivatives of derivatives: srcgrad differentiates its own generated code.

The seeds' facts hold exactly (y = x^4 - 2x^2: y'(2) = 24, y''(2) = 44, and the
DeZero loop gives 102 and 34).
"""

import math

import numpy as np
import pytest

import srcgrad


def quartic(x):
    return x ** 4 - 2 * x ** 2


def loop_sin(x):
    y = x
    for _ in range(3):
        y = math.sin(y) * x
    return y


def dezero_loop(x):
    y = 0.0
    while y <= 100:
        y = y + x
    return y


def branchy(x):
    if x > 1.0:
        return x ** 3
    return math.exp(x) * x


def test_seed_facts_for_quartic():
    d1 = srcgrad.grad(quartic)
    d2 = srcgrad.grad(d1)
    d3 = srcgrad.grad(d2)
    d4 = srcgrad.grad(d3)
    assert d1(2.0) == 24.0
    assert d2(2.0) == 44.0
    assert d3(2.0) == 48.0
    assert d4(2.0) == 24.0


def test_newton_reaches_the_minimum_of_the_quartic():
    d1, d2 = srcgrad.grad(quartic), srcgrad.grad(srcgrad.grad(quartic))
    x = 2.0
    steps = 0
    while abs(x - 1.0) > 1e-12 and steps < 10:
        x = x - d1(x) / d2(x)
        steps += 1
    assert x == pytest.approx(1.0, abs=1e-12) and steps <= 10


def test_dezero_loop_value_and_derivatives():
    assert dezero_loop(3.0) == 102.0
    assert srcgrad.grad(dezero_loop)(3.0) == 34.0
    assert srcgrad.grad(srcgrad.grad(dezero_loop))(3.0) == 0.0


@pytest.mark.parametrize("f, points", [(loop_sin, [0.3, 0.7, 1.4]), (branchy, [0.5, 2.0]),
                                       (quartic, [-1.5, 0.3])])
def test_second_derivatives_against_differences(f, points):
    for x in points:
        srcgrad.check_grads(f, (x,), order=2)


@pytest.mark.parametrize("f, points", [(loop_sin, [0.3, 1.4]), (branchy, [0.5, 2.0]),
                                       (quartic, [-1.5, 0.3])])
def test_third_derivatives_against_differences(f, points):
    for x in points:
        srcgrad.check_grads(f, (x,), order=3)


def cube_by_loop(x):
    y = x
    for _ in range(2):
        y = y * x
    return y


def test_third_derivative_through_a_loop():
    d3 = srcgrad.grad(srcgrad.grad(srcgrad.grad(cube_by_loop)))
    assert d3(0.7) == pytest.approx(6.0)


def test_derivatives_of_sin_cycle():
    f = sin_of
    values = []
    for _ in range(4):
        f = srcgrad.grad(f)
        values.append(f(1.0))
    c, s = math.cos(1.0), math.sin(1.0)
    assert values == pytest.approx([c, -s, -c, s], abs=1e-12)


def sin_of(x):
    return math.sin(x)


def square(x):
    return x * x


dsquare = srcgrad.grad(square)


def z_written_out(x):
    y = x * x
    g = 2.0 * x
    return g ** 3 + y


def z_nested(x):
    return dsquare(x) ** 3 + square(x)


def test_seed_fact_double_backprop_z_equals_g_cubed_plus_y():
    assert srcgrad.grad(z_written_out)(2.0) == 100.0
    assert srcgrad.grad(z_nested)(2.0) == 100.0


def sum_of_squares(x):
    return np.sum(x ** 2)


grad_sum_of_squares = srcgrad.grad(sum_of_squares)


def v_dot_grad(x, v):
    return np.sum(grad_sum_of_squares(x) * v)


def test_seed_fact_hessian_vector_product_by_double_backprop():
    hv = srcgrad.grad(v_dot_grad)(np.array([1.0, 2.0]), np.array([4.0, 5.0]))
    np.testing.assert_array_equal(hv, [8.0, 10.0])


def critic(w, x):
    return np.sum(np.tanh(x @ w))


grad_critic_x = srcgrad.grad(critic, wrt=1)


def gradient_penalty(w, x):
    g = grad_critic_x(w, x)
    return (np.sqrt(np.sum(g * g)) - 1.0) ** 2


def test_gradient_penalty_trained_with_respect_to_the_critic():
    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((3, 2)), rng.standard_normal(3)
    srcgrad.check_grads(gradient_penalty, (w, x), wrt=0)
    srcgrad.check_grads(gradient_penalty, (w, x), wrt=1)


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def test_hessian_jacobian_and_hvp_agree():
    x = np.array([0.3, -1.2, 0.8, 1.1])
    v = np.array([1.0, -0.5, 0.25, 2.0])
    H = srcgrad.hessian(rosen)(x)
    assert H.shape == (4, 4)
    np.testing.assert_allclose(H, H.T, atol=1e-9)
    np.testing.assert_allclose(srcgrad.hvp(rosen)(x, v), H @ v, rtol=1e-10)
    eps = 1e-6
    g = srcgrad.grad(rosen)
    numeric = np.array([(g(x + eps * e) - g(x - eps * e)) / (2 * eps) for e in np.eye(4)])
    np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-4)
    assert srcgrad.hessian(quartic)(2.0) == 44.0
    J = srcgrad.jacobian(sin_vec)(x)
    np.testing.assert_allclose(J, np.diag(np.cos(x)))


def sin_vec(x):
    return np.sin(x)


# ---------------------------------------------------------------- grad-made functions of containers

def _critic(params, x):
    return np.sum(np.tanh(x @ params["w"])) + params["b"] * 2.0


_critic_dx = srcgrad.grad(_critic, wrt=1)
_critic_dparams = srcgrad.grad(_critic, wrt=0)


def _penalty(params, x):
    g = _critic_dx(params, x)
    return (np.sqrt(np.sum(g * g)) - 1.0) ** 2


def _through_param_grads(ws, x):
    return np.sum(_critic_dparams({"w": ws[0], "b": ws[1]}, x)["w"] ** 2)


@pytest.mark.parametrize("b", [0.5, np.ones(1)])
def test_double_backprop_through_a_grad_made_function_of_a_dict(b):
    params = {"w": np.linspace(-0.5, 0.6, 6).reshape(3, 2), "b": b}
    srcgrad.check_grads(_penalty, (params, np.array([0.2, -0.4, 0.7])), wrt=(0, 1))


def test_double_backprop_through_a_dict_valued_gradient():
    srcgrad.check_grads(_through_param_grads,
                        ([np.linspace(-0.5, 0.6, 6).reshape(3, 2), 0.4],
                         np.array([0.2, -0.4, 0.7])), wrt=(0, 1))


# ---------------------------------------------------------------- tanh against the formulas

def _math_tanh(x):
    return math.tanh(x)


def _numpy_tanh(x):
    return np.tanh(x)


@pytest.mark.parametrize("f", [_math_tanh, _numpy_tanh])
@pytest.mark.parametrize("x", [-1.3, -0.2, 0.0, 0.7, 2.1])
def test_second_and_third_derivatives_of_tanh(f, x):
    t = math.tanh(x)
    d2 = srcgrad.grad(srcgrad.grad(f))
    d3 = srcgrad.grad(d2)
    assert d2(x) == pytest.approx(-2.0 * t * (1.0 - t * t), rel=1e-12, abs=1e-15)
    assert d3(x) == pytest.approx(-2.0 * (1.0 - t * t) * (1.0 - 3.0 * t * t), rel=1e-12,
                                  abs=1e-15)
