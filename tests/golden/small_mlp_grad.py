def grad_small_mlp_loss(W1, b1, W2, b2, X, y):
    t1 = X @ W1
    h = np.tanh(t1 + b1)
    t2 = h @ W2
    pred = t2 + b2
    t3 = pred - y
    t4 = t3 ** 2
    # reverse sweep
    # return np.mean((pred - y) ** 2)
    dpred = unbroadcast(unreduce(1.0, t4, None, False) / reduction_count(t4,
        None) * 2 * t3, pred)
    # pred = h @ W2 + b2
    dt2 = unbroadcast(dpred, t2)
    db2 = unbroadcast(dpred, b2)
    # h = np.tanh(X @ W1 + b1)
    dt5 = matmul_grad_left(dt2, h, W2) * (1.0 - h * h)
    return matmul_grad_right(unbroadcast(dt5, t1), X, W1), unbroadcast(dt5, b1
        ), matmul_grad_right(dt2, h, W2), db2
