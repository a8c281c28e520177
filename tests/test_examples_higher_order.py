"""The higher-order examples (Newton, Hessian-vector products, gradient penalty) do what
they claim, and their derivatives agree with central differences."""

import numpy as np
import pytest

import srcgrad
from examples import gradient_penalty, hvp, newton


def central_jvp(g, x, v, eps=1e-6):
    """The derivative of srcgrad's gradient ``g`` along ``v``, by central differences."""
    return (g(x + eps * v) - g(x - eps * v)) / (2 * eps)


# --- examples/newton.py --------------------------------------------------------------------


def test_newton_main_prints_the_seed_facts_and_converges(capsys):
    path_1d, path_2d = newton.main()
    out = capsys.readouterr().out
    assert "y'(2.0) = 24.0,  y''(2.0) = 44.0" in out
    assert abs(path_1d[-1] - 1.0) < 1e-12 and len(path_1d) - 1 <= 10
    assert np.all(np.diff(path_1d) < 0)           # monotone from the right
    np.testing.assert_allclose(path_2d[-1], [1.0, 1.0], atol=1e-10)
    losses = [newton.rosenbrock(x) for x in path_2d]
    assert all(b <= a for a, b in zip(losses, losses[1:]))
    assert len(path_2d) - 1 <= 50
    assert "def grad_grad_quartic" in out


def test_newton_seed_derivatives_are_exact():
    assert newton.dquartic(2.0) == 24.0
    assert newton.d2quartic(2.0) == 44.0
    assert isinstance(newton.d2quartic(2.0), float)
    H = newton.hessian_rosenbrock(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(H, [[802.0, -400.0], [-400.0, 200.0]])


@pytest.mark.parametrize("x", [-1.5, 0.3, 2.0])
def test_newton_quartic_derivatives_against_differences(x):
    srcgrad.check_grads(newton.quartic, (x,), order=3)


@pytest.mark.parametrize("point", [[-1.2, 1.0], [0.3, -0.4], [1.0, 1.0]])
def test_newton_rosenbrock_hessian_against_differences_of_the_gradient(point):
    x = np.array(point)
    srcgrad.check_grads(newton.rosenbrock, (x,), order=2)
    H = newton.hessian_rosenbrock(x)
    numeric = np.array([central_jvp(newton.grad_rosenbrock, x, e) for e in np.eye(2)])
    np.testing.assert_allclose(H, numeric, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(H, H.T)


# --- examples/hvp.py -----------------------------------------------------------------------


def test_hvp_main_facts(capsys):
    seed, error_by_hand, error_full, losses = hvp.main()
    out = capsys.readouterr().out
    np.testing.assert_array_equal(seed, [8.0, 10.0])
    assert "[ 8. 10.]" in out
    assert error_by_hand < 1e-12 and error_full < 1e-12
    assert all(b <= a for a, b in zip(losses, losses[1:]))
    assert losses[-1] < 1e-12 < losses[0]
    assert "distance to the minimum" in out


def test_rosenbrock_hvp_against_differences_of_srcgrads_gradient():
    rng = np.random.default_rng(1)
    x, v = rng.uniform(-2, 2, 50), rng.standard_normal(50)
    np.testing.assert_allclose(hvp.hvp_rosenbrock(x, v),
                               central_jvp(hvp.grad_rosenbrock, x, v), rtol=1e-6, atol=1e-4)


def test_hand_written_hvp_is_the_hessian_times_v():
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, 5)
    H = srcgrad.hessian(hvp.rosenbrock)(x)
    assert H.shape == (5, 5)
    numeric = np.array([central_jvp(hvp.grad_rosenbrock, x, e) for e in np.eye(5)])
    np.testing.assert_allclose(H, numeric, rtol=1e-6, atol=1e-5)
    for v in np.eye(5):
        np.testing.assert_allclose(hvp.rosenbrock_hvp_by_hand(x, v), H @ v, rtol=1e-12)


@pytest.mark.parametrize("f", [hvp.rosenbrock, hvp.sum_of_squares])
def test_hvp_functions_second_order_check(f):
    x = np.random.default_rng(3).uniform(-1.5, 1.5, 6)
    srcgrad.check_grads(f, (x,), order=2)


def test_conjugate_gradient_solves_a_positive_definite_system():
    rng = np.random.default_rng(4)
    M = rng.standard_normal((6, 6))
    A = M @ M.T + 6 * np.eye(6)
    g = rng.standard_normal(6)
    d = hvp.conjugate_gradient(lambda v: A @ v, g)
    np.testing.assert_allclose(A @ d, -g, atol=1e-8)


# --- examples/gradient_penalty.py ----------------------------------------------------------


def test_gradient_penalty_main_trains_the_penalty_down(capsys):
    curve, norms = gradient_penalty.main()
    out = capsys.readouterr().out
    assert len(curve) == 300
    assert curve[-1] < curve[0] / 10
    assert np.mean(np.diff(curve) < 0) > 0.95     # SGD: almost every step lowers it
    assert 0.5 < norms.min() and norms.max() < 1.5
    assert "def value_and_grad_penalty" in out


def small_critic(seed=0):
    params = gradient_penalty.init_params(hidden=4, seed=seed)
    return params, gradient_penalty.samples(n=5, seed=seed + 1)


def test_critic_input_gradient_against_differences():
    params, x = small_critic()
    flat = (params["W1"], params["b1"], params["w2"], params["b2"], x)
    srcgrad.check_grads(gradient_penalty.critic_sum, flat, order=2)
    g = gradient_penalty.grad_critic_x(*flat)
    assert g.shape == x.shape


@pytest.mark.parametrize("wrt", [0, 1])
def test_gradient_penalty_double_backprop_against_differences(wrt):
    params, x = small_critic(seed=3)
    srcgrad.check_grads(gradient_penalty.penalty, (params, x), wrt=wrt)


def test_gradient_penalty_gradient_matches_differences_of_the_penalty_entrywise():
    params, x = small_critic(seed=5)
    value, grads = gradient_penalty.penalty_and_grad(params, x)
    assert value == pytest.approx(gradient_penalty.penalty(params, x))
    eps = 1e-6
    for name, p in params.items():
        numeric = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            up = {**params, name: p.copy()}
            down = {**params, name: p.copy()}
            up[name][i] += eps
            down[name][i] -= eps
            numeric[i] = (gradient_penalty.penalty(up, x) -
                          gradient_penalty.penalty(down, x)) / (2 * eps)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)
