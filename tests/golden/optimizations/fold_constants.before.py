def grad_folding(x):
    t1 = x ** 2
    y = t1 + 3.0
    t2 = y * x
    # reverse sweep
    dt2 = 1.0
    # return y * x
    dy = dt2 * x
    dx = dt2 * y
    # y = x ** 2 + 3.0
    dt1 = dy
    dx = dx + dt1 * 2 * x ** (2 - 1)
    return dx
