def grad_small_mlp_loss(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    # reverse sweep
    # return np.mean((pred - y) ** 2)
    dpred = 0.0625 * (h @ W2 + b2 - y)
    # pred = h @ W2 + b2
    # h = np.tanh(X @ W1 + b1)
    dt1 = dpred @ W2.T * (1.0 - h * h)
    return X.T @ dt1, dt1.sum(axis=0), h.T @ dpred, dpred.sum(axis=0)
