"""The generated code of every example is closed under the transform.

For each function the examples differentiate, ``g = srcgrad.grad(f)`` is
generated code; here srcgrad differentiates ``g`` again -- through a
scalarized ``h = <g(x), v>`` written as a plain function that calls the
example's own grad-made function, and through ``check_grads(f, args,
order=2)`` -- and the result must agree with central differences of srcgrad's
first derivative.
"""

import numpy as np
import pytest

import srcgrad
from examples import goldstein, gradient_penalty, hvp, linear_regression, mlp_spiral, newton

RNG = np.random.default_rng(0)
X_REG, Y_REG = RNG.standard_normal((8, 3)), RNG.standard_normal(8)
X_SPIRAL, LABELS = mlp_spiral.spiral(points_per_class=4)
T_SPIRAL = np.eye(3)[LABELS]
SPIRAL = mlp_spiral.init_params(hidden=4)
CRITIC = gradient_penalty.init_params(hidden=3)
X_CRITIC = gradient_penalty.samples(n=4)
FLAT_CRITIC = (CRITIC["W1"], CRITIC["b1"], CRITIC["w2"], CRITIC["b2"])


def _like(tree):
    """Random values shaped like ``tree`` (a dict of arrays and floats)."""
    if isinstance(tree, dict):
        return {k: _like(v) for k, v in tree.items()}
    return RNG.standard_normal(np.shape(tree)) if np.ndim(tree) else float(RNG.standard_normal())


def _spiral_flat(W1, b1, W2, b2, X, targets):
    return mlp_spiral.loss({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, X, targets)


# (id, f, args, wrt): check_grads(f, args, order=2, wrt) differentiates grad(f)'s code
SECOND_ORDER = [
    ("goldstein", goldstein.goldstein, (0.3, -0.7), (0, 1)),
    ("linear_regression.mse", linear_regression.mse, (RNG.standard_normal(3), 0.4, X_REG, Y_REG),
     (0, 1)),
    ("mlp_spiral.loss", mlp_spiral.loss, (SPIRAL, X_SPIRAL, T_SPIRAL), 0),
    ("mlp_spiral.loss (flat)", _spiral_flat, (*SPIRAL.values(), X_SPIRAL, T_SPIRAL),
     (0, 1, 2, 3)),
    ("newton.quartic", newton.quartic, (1.3,), 0),
    ("newton.rosenbrock", newton.rosenbrock, (np.array([-1.2, 1.0]),), 0),
    ("hvp.sum_of_squares", hvp.sum_of_squares, (RNG.standard_normal(5),), 0),
    ("hvp.rosenbrock", hvp.rosenbrock, (RNG.uniform(-1.5, 1.5, 6),), 0),
    ("gradient_penalty.critic_sum", gradient_penalty.critic_sum, (*FLAT_CRITIC, X_CRITIC),
     (0, 1, 2, 3, 4)),
]


@pytest.mark.parametrize("f, args, wrt", [case[1:] for case in SECOND_ORDER],
                         ids=[case[0] for case in SECOND_ORDER])
def test_second_order_against_differences(f, args, wrt):
    srcgrad.check_grads(f, args, order=2, wrt=wrt)


@pytest.mark.parametrize("wrt", [0, 1])
def test_gradient_penalty_second_order(wrt):
    """grad of the penalty's gradient: a third derivative of the critic."""
    srcgrad.check_grads(gradient_penalty.penalty, (CRITIC, X_CRITIC), order=2, wrt=wrt)


def test_quartic_to_fourth_order():
    d3 = srcgrad.grad(newton.d2quartic)
    d4 = srcgrad.grad(d3)
    assert (d3(2.0), d4(2.0)) == (48.0, 24.0)
    srcgrad.check_grads(newton.quartic, (0.7,), order=4)


# --- scalarized gradients: h(x, v) = <g(x), v>, where g is the example's own grad-made
# function; grad(h) is then checked against central differences of h, i.e. of g ----------


def goldstein_h(x, y, u, w):
    gx, gy = goldstein.grad_goldstein(x, y)
    return gx * u + gy * w


def mse_h(w, b, X, y, v, c):
    loss, (dw, db) = linear_regression.grad_mse(w, b, X, y)
    return np.sum(dw * v) + db * c


grad_spiral = srcgrad.grad(mlp_spiral.loss)
grad_spiral_flat = srcgrad.grad(_spiral_flat, wrt=(0, 1, 2, 3))


def spiral_h(params, X, targets, v):
    g = grad_spiral(params, X, targets)
    return (np.sum(g["W1"] * v["W1"]) + np.sum(g["b1"] * v["b1"]) +
            np.sum(g["W2"] * v["W2"]) + np.sum(g["b2"] * v["b2"]))


def spiral_flat_h(W1, b1, W2, b2, X, targets, v1, v2, v3, v4):
    g1, g2, g3, g4 = grad_spiral_flat(W1, b1, W2, b2, X, targets)
    return np.sum(g1 * v1) + np.sum(g2 * v2) + np.sum(g3 * v3) + np.sum(g4 * v4)


def quartic_h(x, v):
    return newton.dquartic(x) * v


def newton_rosenbrock_h(x, v):
    return np.sum(newton.grad_rosenbrock(x) * v)


grad_sum_of_squares = srcgrad.grad(hvp.sum_of_squares)


def sum_of_squares_h(x, v):
    return np.sum(grad_sum_of_squares(x) * v)


def hvp_rosenbrock_h(x, v):
    return np.sum(hvp.grad_rosenbrock(x) * v)


def critic_h(W1, b1, w2, b2, x, v):
    return np.sum(gradient_penalty.grad_critic_x(W1, b1, w2, b2, x) * v)


def penalty_h(params, x, v):
    value, g = gradient_penalty.penalty_and_grad(params, x)
    return (np.sum(g["W1"] * v["W1"]) + np.sum(g["b1"] * v["b1"]) +
            np.sum(g["w2"] * v["w2"]) + np.sum(g["b2"] * v["b2"]))


def penalty_flat(W1, b1, w2, b2, x):
    """The example's penalty with the parameters passed one by one."""
    return gradient_penalty.penalty({"W1": W1, "b1": b1, "w2": w2, "b2": b2}, x)


grad_penalty_flat = srcgrad.grad(penalty_flat, wrt=(0, 1, 2, 3))


def penalty_flat_h(W1, b1, w2, b2, x, v1, v2, v3, v4):
    g1, g2, g3, g4 = grad_penalty_flat(W1, b1, w2, b2, x)
    return np.sum(g1 * v1) + np.sum(g2 * v2) + np.sum(g3 * v3) + np.sum(g4 * v4)


SCALARIZED = [
    ("goldstein", goldstein_h, (0.3, -0.7, 0.9, -1.1), (0, 1)),
    ("linear_regression", mse_h,
     (RNG.standard_normal(3), 0.4, X_REG, Y_REG, RNG.standard_normal(3), 0.8), (0, 1)),
    ("mlp_spiral (dict params)", spiral_h, (SPIRAL, X_SPIRAL, T_SPIRAL, _like(SPIRAL)), 0),
    ("mlp_spiral (flat params)", spiral_flat_h,
     (*SPIRAL.values(), X_SPIRAL, T_SPIRAL, *_like(SPIRAL).values()), (0, 1, 2, 3)),
    ("newton.quartic", quartic_h, (1.3, 0.6), 0),
    ("newton.rosenbrock", newton_rosenbrock_h, (np.array([-1.2, 1.0]), np.array([0.5, 2.0])), 0),
    ("hvp.sum_of_squares", sum_of_squares_h, (RNG.standard_normal(5), RNG.standard_normal(5)), 0),
    ("hvp.rosenbrock", hvp_rosenbrock_h, (RNG.uniform(-1.5, 1.5, 6), RNG.standard_normal(6)), 0),
    ("gradient_penalty.critic", critic_h,
     (*FLAT_CRITIC, X_CRITIC, RNG.standard_normal(X_CRITIC.shape)), (0, 1, 2, 3, 4)),
    ("gradient_penalty.penalty (dict params)", penalty_h, (CRITIC, X_CRITIC, _like(CRITIC)), 0),
    ("gradient_penalty.penalty (flat params)", penalty_flat_h,
     (*FLAT_CRITIC, X_CRITIC, *_like(CRITIC).values()), (0, 1, 2, 3)),
]


@pytest.mark.parametrize("h, args, wrt", [pytest.param(*case[1:4], id=case[0])
                                          for case in SCALARIZED])
def test_scalarized_gradient_is_differentiable(h, args, wrt):
    srcgrad.check_grads(h, args, wrt=wrt)


@pytest.mark.parametrize("h, f", [(newton_rosenbrock_h, newton.rosenbrock),
                                  (hvp_rosenbrock_h, hvp.rosenbrock),
                                  (sum_of_squares_h, hvp.sum_of_squares)])
def test_scalarized_gradient_is_the_hessian_vector_product(h, f):
    rng = np.random.default_rng(7)
    x = rng.uniform(-1.5, 1.5, 2 if f is newton.rosenbrock else 6)
    v = rng.standard_normal(x.shape)
    expected = srcgrad.hessian(f)(x) @ v
    np.testing.assert_allclose(srcgrad.grad(h)(x, v), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(srcgrad.hvp(f)(x, v), expected, rtol=1e-12, atol=1e-12)
