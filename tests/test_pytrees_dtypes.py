"""Pytree arguments (dicts, lists, tuples of arrays) and dtypes."""

import numpy as np
import pytest

import srcgrad
from srcgrad import NonDifferentiableArgumentError


def mlp_loss(params, x):
    h = np.tanh(x @ params["W1"] + params["b1"])
    out = h @ params["W2"]
    return np.sum(out * out)


def nested_loss(tree, x):
    a, (b, c) = tree["pair"][0], tree["pair"][1]
    return np.sum(np.sin(a * x) * b) + c * tree["scale"] ** 2


def list_loss(weights, x):
    total = 0.0
    for w in weights:
        x = np.tanh(w @ x)
        total = total + np.sum(x)
    return total


def unused_entry_loss(params, x):
    return np.sum(params["used"] * x)


def _params(rng):
    return {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal(4),
            "W2": rng.standard_normal((4, 2))}


def test_dict_of_arrays_gradient_has_the_same_structure():
    rng = np.random.default_rng(0)
    params, x = _params(rng), rng.standard_normal((5, 3))
    grads = srcgrad.grad(mlp_loss)(params, x)
    assert set(grads) == set(params)
    for name in params:
        assert grads[name].shape == params[name].shape
    srcgrad.check_grads(lambda_free_dict_loss, (params["W1"], params["b1"], params["W2"], x))


def lambda_free_dict_loss(W1, b1, W2, x):
    return mlp_loss({"W1": W1, "b1": b1, "W2": W2}, x)


def test_dict_gradient_against_central_differences():
    rng = np.random.default_rng(1)
    params, x = _params(rng), rng.standard_normal((5, 3))
    grads = srcgrad.grad(mlp_loss)(params, x)
    eps = 1e-6
    for name, value in params.items():
        for index in np.ndindex(value.shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += eps
            down[name][index] -= eps
            numeric = (mlp_loss(up, x) - mlp_loss(down, x)) / (2 * eps)
            assert grads[name][index] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_nested_tree_and_unused_entries():
    x = np.array([0.3, -0.2])
    tree = {"pair": (np.array([1.0, 2.0]), (np.array([0.5, -1.0]), 3.0)), "scale": 1.5}
    grads = srcgrad.grad(nested_loss)(tree, x)
    assert isinstance(grads["pair"], tuple) and isinstance(grads["pair"][1], tuple)
    np.testing.assert_allclose(grads["pair"][0], np.cos(tree["pair"][0] * x) * x
                               * tree["pair"][1][0])
    np.testing.assert_allclose(grads["pair"][1][0], np.sin(tree["pair"][0] * x))
    assert grads["pair"][1][1] == pytest.approx(tree["scale"] ** 2)
    assert grads["scale"] == pytest.approx(2 * 3.0 * 1.5)
    g = srcgrad.grad(unused_entry_loss)({"used": np.ones(2), "unused": np.ones(3)}, x)
    np.testing.assert_array_equal(g["unused"], np.zeros(3))
    np.testing.assert_allclose(g["used"], x)


def test_list_of_arrays():
    rng = np.random.default_rng(2)
    weights = [rng.standard_normal((3, 3)) * 0.5 for _ in range(3)]
    x = rng.standard_normal(3)
    grads = srcgrad.grad(list_loss)(weights, x)
    assert isinstance(grads, list) and len(grads) == 3
    eps = 1e-6
    for k in range(3):
        for index in np.ndindex(3, 3):
            up = [w.copy() for w in weights]
            down = [w.copy() for w in weights]
            up[k][index] += eps
            down[k][index] -= eps
            numeric = (list_loss(up, x) - list_loss(down, x)) / (2 * eps)
            assert grads[k][index] == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def square_sum(x):
    return np.sum(np.tanh(x) * x * 2.0 + x ** 2)


def test_float32_in_float32_out():
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    g = srcgrad.grad(square_sum)(x)
    assert g.dtype == np.float32
    srcgrad.check_grads(square_sum, (x,))


def test_integer_and_complex_arguments_are_rejected():
    with pytest.raises(NonDifferentiableArgumentError, match="int64"):
        srcgrad.grad(square_sum)(np.array([1, 2, 3]))
    with pytest.raises(NonDifferentiableArgumentError, match="complex"):
        srcgrad.grad(square_sum)(np.array([1 + 2j]))
    with pytest.raises(NonDifferentiableArgumentError, match="int"):
        srcgrad.grad(mlp_loss)({"W1": np.ones((1, 1), dtype=int)}, np.ones((1, 1)))


def test_gradient_with_respect_to_an_array_that_does_not_matter_is_zeros():
    def ignores(x, y):
        return np.sum(y * 2.0)
    # (defined in a test: its source is this file)
    g = srcgrad.grad(ignores, wrt=0)(np.ones((2, 2)), np.ones(3))
    np.testing.assert_array_equal(g, np.zeros((2, 2)))
