def value_and_grad_mse(w, b, X, y):
    t1 = X @ w + b
    residual = t1 - y
    t2 = residual ** 2
    t3 = np.mean(t2)
    # reverse sweep
    # return np.mean(residual ** 2)
    # residual = X @ w + b - y
    dt1 = unbroadcast(unreduce(1.0, t2, None, False) / reduction_count(t2,
        None) * 2 * residual, t1)
    return t3, (matmul_grad_right(dt1, X, w), unbroadcast(dt1, b))
