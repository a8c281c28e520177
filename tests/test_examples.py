"""The examples run and do what they claim."""

import numpy as np

import srcgrad
from examples import linear_regression, mlp_spiral


def test_linear_regression_reaches_the_least_squares_solution(capsys):
    w, b, exact = linear_regression.main()
    np.testing.assert_allclose(w, exact[:3], atol=1e-6)
    assert abs(b - exact[3]) < 1e-6
    assert "def value_and_grad_mse" in capsys.readouterr().out


def test_spiral_mlp_gradient_matches_central_differences():
    X, y = mlp_spiral.spiral(points_per_class=10)
    params = mlp_spiral.init_params(hidden=6)
    targets = np.eye(3)[y]
    flat = [params["W1"], params["b1"], params["W2"], params["b2"]]
    srcgrad.check_grads(_flat_loss, (*flat, X, targets), wrt=(0, 1, 2, 3))


def _flat_loss(W1, b1, W2, b2, X, targets):
    return mlp_spiral.loss({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, X, targets)


def test_spiral_mlp_trains_to_95_percent():
    _, curve, accuracy, _ = mlp_spiral.train(steps=1500)
    assert curve[-1] < curve[0] / 10
    assert accuracy >= 0.95
