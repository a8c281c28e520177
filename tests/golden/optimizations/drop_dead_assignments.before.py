def grad_dead_code(W, X):
    scores = X @ W
    t1 = scores ** 2
    t2 = np.mean(t1)
    # reverse sweep
    dt2 = 1.0
    # return np.mean(scores ** 2)
    dt1 = unreduce(dt2, t1, None, False) / reduction_count(t1, None)
    dscores = dt1 * 2 * scores ** (2 - 1)
    # scores = X @ W
    dW = matmul_grad_right(dscores, X, W)
    return dW
