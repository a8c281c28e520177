def grad_fusion(x, y):
    t1 = x * y + 1.0
    # reverse sweep
    # return math.sin(x * y + 1.0) * (x - y)
    dt2 = 1.0 * math.sin(t1)
    dx = dt2
    dy = -dt2
    dt1 = 1.0 * (x - y) * math.cos(t1)
    dx = dx + dt1 * y
    dy = dy + dt1 * x
    return dx, dy
