def value_and_grad_mse(w, b, X, y):
    residual = X @ w + b - y
    # reverse sweep
    # return np.mean(residual ** 2)
    # residual = X @ w + b - y
    dt1 = 0.4 * residual
    return np.mean(residual ** 2), (X.T @ dt1, dt1.sum())
