def grad_dead_code(W, X):
    # reverse sweep
    # return np.mean(scores ** 2)
    # scores = X @ W
    return X.T @ (0.25 * (X @ W))
