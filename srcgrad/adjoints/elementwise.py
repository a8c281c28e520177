"""Rules for NumPy's elementwise functions (floats or arrays alike)."""

import numpy as np

from ..runtime import unbroadcast
from .registry import adjoint

_LN2 = np.log(2.0)
_LN10 = np.log(10.0)


@adjoint(np.sin)
def sin(g, out, x):
    return g * np.cos(x)


@adjoint(np.cos)
def cos(g, out, x):
    return -g * np.sin(x)


@adjoint(np.tan)
def tan(g, out, x):
    return g * (1.0 + out * out)


@adjoint(np.arcsin)
def arcsin(g, out, x):
    return g / np.sqrt(1.0 - x * x)


@adjoint(np.arccos)
def arccos(g, out, x):
    return -g / np.sqrt(1.0 - x * x)


@adjoint(np.arctan)
def arctan(g, out, x):
    return g / (1.0 + x * x)


@adjoint(np.arctan2)
def arctan2(g, out, x1, x2):
    r2 = x1 * x1 + x2 * x2
    return unbroadcast(g * x2 / r2, x1), unbroadcast(-g * x1 / r2, x2)


@adjoint(np.sinh)
def sinh(g, out, x):
    return g * np.cosh(x)


@adjoint(np.cosh)
def cosh(g, out, x):
    return g * np.sinh(x)


@adjoint(np.tanh)
def tanh(g, out, x):
    return g * (1.0 - out * out)


@adjoint(np.exp)
def exp(g, out, x):
    return g * out


@adjoint(np.expm1)
def expm1(g, out, x):
    return g * (out + 1.0)


@adjoint(np.log)
def log(g, out, x):
    return g / x


@adjoint(np.log1p)
def log1p(g, out, x):
    return g / (1.0 + x)


@adjoint(np.log2)
def log2(g, out, x):
    return g / (x * _LN2)


@adjoint(np.log10)
def log10(g, out, x):
    return g / (x * _LN10)


@adjoint(np.sqrt)
def sqrt(g, out, x):
    return g * 0.5 / out


@adjoint(np.square)
def square(g, out, x):
    return g * 2.0 * x


@adjoint(np.abs)
def abs_(g, out, x):
    return g * np.sign(x)


@adjoint(np.negative)
def negative(g, out, x):
    return -g


@adjoint(np.reciprocal)
def reciprocal(g, out, x):
    return -g * out * out


@adjoint(np.power)
def power(g, out, x1, x2):
    positive = x1 > 0
    return (unbroadcast(g * x2 * x1 ** (x2 - 1), x1),
            unbroadcast(np.where(positive, g * out * np.log(np.where(positive, x1, 1.0)), 0.0),
                        x2))


@adjoint(np.maximum)
def maximum(g, out, x1, x2):
    first = x1 >= x2
    return unbroadcast(np.where(first, g, 0.0), x1), unbroadcast(np.where(first, 0.0, g), x2)


@adjoint(np.minimum)
def minimum(g, out, x1, x2):
    first = x1 <= x2
    return unbroadcast(np.where(first, g, 0.0), x1), unbroadcast(np.where(first, 0.0, g), x2)


@adjoint(np.hypot)
def hypot(g, out, x1, x2):
    return unbroadcast(g * x1 / out, x1), unbroadcast(g * x2 / out, x2)
