"""Array workloads: loss functions as users write them, and gradients written by hand."""

import numpy as np


def small_mlp_loss(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    return np.mean((pred - y) ** 2)


def small_mlp_grad_by_hand(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    diff = h @ W2 + b2 - y
    dpred = (2.0 / diff.size) * diff
    dW2 = h.T @ dpred
    db2 = dpred.sum(axis=0)
    da = (dpred @ W2.T) * (1.0 - h * h)
    dW1 = X.T @ da
    db1 = da.sum(axis=0)
    return dW1, db1, dW2, db2


def large_mlp_loss(W1, b1, W2, b2, X, T):
    h = np.tanh(X @ W1 + b1)
    scores = h @ W2 + b2
    top = np.max(scores, axis=1, keepdims=True)
    log_norm = top + np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True))
    return -np.sum((scores - log_norm) * T) / X.shape[0]


def large_mlp_grad_by_hand(W1, b1, W2, b2, X, T):
    h = np.tanh(X @ W1 + b1)
    scores = h @ W2 + b2
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = exp / exp.sum(axis=1, keepdims=True)
    dscores = (probs - T) / X.shape[0]
    dW2 = h.T @ dscores
    db2 = dscores.sum(axis=0)
    da = (dscores @ W2.T) * (1.0 - h * h)
    dW1 = X.T @ da
    db1 = da.sum(axis=0)
    return dW1, db1, dW2, db2


def rnn_loss(Wx, Wh, b, xs, h0):
    h = h0
    for t in range(50):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.sum(h * h)


def rnn_grad_by_hand(Wx, Wh, b, xs, h0):
    hs = [h0]
    h = h0
    for t in range(50):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
        hs.append(h)
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros_like(b)
    dh = 2.0 * h
    for t in range(49, -1, -1):
        da = dh * (1.0 - hs[t + 1] * hs[t + 1])
        dWx += xs[t].T @ da
        dWh += hs[t].T @ da
        db += da.sum(axis=0)
        dh = da @ Wh.T
    return dWx, dWh, db


def small_mlp_args(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((10, 32)) * 0.3, np.zeros(32), rng.standard_normal((32, 1)) * 0.3,
            np.zeros(1), rng.standard_normal((32, 10)), rng.standard_normal((32, 1)))


def large_mlp_args(seed=0):
    rng = np.random.default_rng(seed)
    T = np.eye(10)[rng.integers(0, 10, size=1024)]
    return (rng.standard_normal((512, 512)) * 0.05, np.zeros(512),
            rng.standard_normal((512, 10)) * 0.05, np.zeros(10),
            rng.standard_normal((1024, 512)), T)


def rnn_args(seed=0, batch=16, size=32):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((size, size)) * 0.2, rng.standard_normal((size, size)) * 0.2,
            np.zeros(size), rng.standard_normal((50, batch, size)), np.zeros((batch, size)))
