def grad_copies(x, y):
    a = x
    b = a * y
    c = b
    t1 = c * a
    # reverse sweep
    dt1 = 1.0
    # return c * a
    dc = dt1 * a
    da = dt1 * c
    # c = b
    db = dc
    # b = a * y
    da = da + db * y
    dy = db * a
    # a = x
    dx = da
    return dx, dy
