def grad_folding(x):
    # reverse sweep
    # return y * x
    dx = 1.0 * (x ** 2 + 3.0)
    # y = x ** 2 + 3.0
    dx = dx + 1.0 * x * 2 * x
    return dx
