def grad_unread_saves(W, h0, xs):
    stack = []
    h = h0
    t1 = None
    t2 = None
    for t in range(3):
        stack.append(t2)
        t2 = xs[t]
        stack.append(t1)
        t1 = t2 @ W
        t5 = t1 + h
        stack.append(h)
        h = np.tanh(t5)
    t3 = h * h
    t4 = np.sum(t3)
    # reverse sweep
    dt4 = 1.0
    # return np.sum(h * h)
    dt3 = unreduce(dt4, t3, None, False)
    dh = unbroadcast(dt3 * h, h)
    dh = dh + unbroadcast(dt3 * h, h)
    # for t in range(3):
    dW = 0.0
    for t in reversed(range(3)):
        # h = np.tanh(xs[t] @ W + h)
        out = h
        h = stack.pop()
        dt5 = dh * (1.0 - out * out)
        dt1 = unbroadcast(dt5, t1)
        dh = unbroadcast(dt5, h)
        t1 = stack.pop()
        dW = dW + matmul_grad_right(dt1, t2, W)
        t2 = stack.pop()
    # h = h0
    dh0 = dh
    return unbroadcast(dW, W), dh0
