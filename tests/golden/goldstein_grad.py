def grad_goldstein(x, y):
    t1 = x + y + 1
    t2 = t1 ** 2
    t3 = 6 * x
    t4 = 19 - 14 * x + 3 * x ** 2 - 14 * y + t3 * y + 3 * y ** 2
    t5 = 2 * x - 3 * y
    t6 = t5 ** 2
    t7 = 36 * x
    t8 = 18 - 32 * x + 12 * x ** 2 + 48 * y - t7 * y + 27 * y ** 2
    # reverse sweep
    # z = (1 + (x + y + 1)**2 * (19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2)) * (30 + (2*x - 3*y)**2 * (18 - 32*x...
    dt9 = 1.0 * (30 + t6 * t8)
    dt10 = 1.0 * (1 + t2 * t4)
    dt8 = dt10 * t6
    dy = dt8 * 27 * 2 * y
    dt11 = -dt8
    dy = dy + dt11 * t7
    dx = dt11 * y * 36
    dy = dy + dt8 * 48
    dx = dx + dt8 * 12 * 2 * x
    dx = dx - dt8 * 32
    dt5 = dt10 * t8 * 2 * t5
    dy = dy - dt5 * 3
    dx = dx + dt5 * 2
    dt4 = dt9 * t2
    dy = dy + dt4 * 3 * 2 * y
    dy = dy + dt4 * t3
    dx = dx + dt4 * y * 6
    dy = dy - dt4 * 14
    dx = dx + dt4 * 3 * 2 * x
    dx = dx - dt4 * 14
    dt1 = dt9 * t4 * 2 * t1
    dx = dx + dt1
    dy = dy + dt1
    return dx, dy
