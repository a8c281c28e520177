def grad_shapes(W, b, X, y):
    h = np.tanh(X @ W + b)
    # reverse sweep
    # return np.mean((h - y) ** 2)
    # h = np.tanh(X @ W + b)
    dt1 = 0.1 * (h - y) * (1.0 - h * h)
    return X.T @ dt1, dt1.sum(axis=0)
