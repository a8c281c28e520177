"""Higher-order workloads: the function, and its second-order derivative written by hand."""

import numpy as np


def quartic(x):
    return x ** 4 - 2 * x ** 2


def quartic_second_by_hand(x):
    return 12 * x * x - 4


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hvp_by_hand(x, v):
    """H(x) v for the chained Rosenbrock function: H is tridiagonal."""
    head, tail = x[:-1], x[1:]
    off = -400.0 * head                         # H[i, i+1] = H[i+1, i]
    hv = np.empty_like(x)
    hv[:-1] = (1200.0 * head * head - 400.0 * tail + 2.0) * v[:-1] + off * v[1:]
    hv[-1] = 0.0
    hv[1:] += 200.0 * v[1:] + off * v[:-1]
    return hv


def rosenbrock_args(seed=0, n=1000):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n), rng.standard_normal(n)
