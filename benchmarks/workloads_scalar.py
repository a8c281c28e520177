"""Scalar workloads: the function, and its gradient written by hand."""

import math


def goldstein(x, y):
    z = (1 + (x + y + 1)**2 * (19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2)) * \
        (30 + (2*x - 3*y)**2 * (18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))
    return z


def goldstein_grad_by_hand(x, y):
    a = x + y + 1
    b = 19 - 14*x + 3*x*x - 14*y + 6*x*y + 3*y*y
    c = 2*x - 3*y
    d = 18 - 32*x + 12*x*x + 48*y - 36*x*y + 27*y*y
    first = 1 + a*a*b
    second = 30 + c*c*d
    db = -14 + 6*x + 6*y
    da_term = 2*a*b + a*a*db
    dfirst_dx = da_term
    dfirst_dy = da_term
    dsecond_dx = 4*c*d + c*c*(-32 + 24*x - 36*y)
    dsecond_dy = -6*c*d + c*c*(48 - 36*x + 54*y)
    return (dfirst_dx*second + first*dsecond_dx, dfirst_dy*second + first*dsecond_dy)


def recurrence(x, a):
    y = x
    for _ in range(100):
        y = math.sin(a * y) + 0.5 * y
    return y


def recurrence_grad_by_hand(x, a):
    ys = []
    y = x
    for _ in range(100):
        ys.append(y)
        y = math.sin(a * y) + 0.5 * y
    dy, da = 1.0, 0.0
    for i in range(99, -1, -1):
        y = ys[i]
        c = math.cos(a * y)
        da += dy * c * y
        dy = dy * (c * a + 0.5)
    return dy, da
