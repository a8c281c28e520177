def grad_unread_saves(W, h0, xs):
    stack = []
    h = h0
    t1 = None
    for t in range(3):
        stack.append(t1)
        t1 = xs[t]
        stack.append(h)
        h = np.tanh(t1 @ W + h)
    # reverse sweep
    # return np.sum(h * h)
    dh = 1.0 * h
    dh = dh + 1.0 * h
    # for t in range(3):
    dW = 0.0
    for t in reversed(range(3)):
        # h = np.tanh(xs[t] @ W + h)
        out = h
        h = stack.pop()
        dt2 = dh * (1.0 - out * out)
        dh = dt2
        dW = dW + t1.T @ dt2
        t1 = stack.pop()
    # h = h0
    return unbroadcast(dW, W), dh
