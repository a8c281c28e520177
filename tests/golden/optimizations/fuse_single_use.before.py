def grad_fusion(x, y):
    t1 = x * y
    t2 = t1 + 1.0
    t3 = math.sin(t2)
    t4 = x - y
    t5 = t3 * t4
    # reverse sweep
    dt5 = 1.0
    # return math.sin(x * y + 1.0) * (x - y)
    dt3 = dt5 * t4
    dt4 = dt5 * t3
    dx = dt4
    dy = -dt4
    dt2 = dt3 * math.cos(t2)
    dt1 = dt2
    dx = dx + dt1 * y
    dy = dy + dt1 * x
    return dx, dy
