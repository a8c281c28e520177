"""Least-squares linear regression fitted by gradient descent on srcgrad gradients.

Run: .venv/bin/python examples/linear_regression.py
"""

import numpy as np

import srcgrad


def mse(w, b, X, y):
    """Mean squared error of the linear model X @ w + b."""
    residual = X @ w + b - y
    return np.mean(residual ** 2)


grad_mse = srcgrad.value_and_grad(mse, wrt=("w", "b"))


def fit(X, y, steps=500, learning_rate=0.1):
    w = np.zeros(X.shape[1])
    b = 0.0
    for step in range(steps):
        loss, (dw, db) = grad_mse(w, b, X, y)
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step:4d}  loss {loss:.6f}")
    return w, b


def main():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    true_w, true_b = np.array([1.5, -2.0, 0.5]), 0.7
    y = X @ true_w + true_b + 0.1 * rng.standard_normal(200)
    w, b = fit(X, y)
    exact = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]
    print("fitted w, b:", np.round(w, 4), round(float(b), 4))
    print("least squares:", np.round(exact[:3], 4), round(float(exact[3]), 4))
    print("\nThe generated gradient:\n")
    print(srcgrad.source(grad_mse))
    return w, b, exact


if __name__ == "__main__":
    main()
