"""Rules for NumPy's elementwise functions (floats or arrays alike).

Conventions of this family:

- Constants are Python floats, never NumPy scalars: a ``np.float64`` constant
  would promote a float32 cotangent to float64 (NEP 50).
- Ties: ``maximum``/``minimum``/``fmax``/``fmin`` give the whole cotangent to
  the *first* argument where ``x1 == x2``; ``clip`` gives it to ``a`` where
  ``a`` equals a bound, then to ``a_min``, then to ``a_max`` (each element's
  cotangent goes to exactly one of them).
- Rules that select with ``np.where`` have a ``kind="scalar"`` variant with a
  conditional expression, so that float arguments get float cotangents
  (``np.where`` of floats is a 0-d array).
- Every function a rule calls has a rule itself (``np.where`` included), so
  generated code can be differentiated again.
"""

import math

import numpy as np

from ..runtime import unbroadcast
from .registry import adjoint

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_DEG_PER_RAD = 180.0 / math.pi
_RAD_PER_DEG = math.pi / 180.0


# ---------------------------------------------------------------- trigonometric

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


@adjoint(np.hypot)
def hypot(g, out, x1, x2):
    return unbroadcast(g * x1 / out, x1), unbroadcast(g * x2 / out, x2)


@adjoint(np.deg2rad)
def deg2rad(g, out, x):
    return g * _RAD_PER_DEG


@adjoint(np.radians)
def radians(g, out, x):
    return g * _RAD_PER_DEG


@adjoint(np.rad2deg)
def rad2deg(g, out, x):
    return g * _DEG_PER_RAD


@adjoint(np.degrees)
def degrees(g, out, x):
    return g * _DEG_PER_RAD


# ---------------------------------------------------------------- hyperbolic

@adjoint(np.sinh)
def sinh(g, out, x):
    return g * np.cosh(x)


@adjoint(np.cosh)
def cosh(g, out, x):
    return g * np.sinh(x)


@adjoint(np.tanh)
def tanh(g, out, x):
    return g * (1.0 - out * out)


@adjoint(np.arcsinh)
def arcsinh(g, out, x):
    return g / np.sqrt(x * x + 1.0)


@adjoint(np.arccosh)
def arccosh(g, out, x):
    return g / np.sqrt(x * x - 1.0)


@adjoint(np.arctanh)
def arctanh(g, out, x):
    return g / (1.0 - x * x)


# ---------------------------------------------------------------- exponentials and logarithms

@adjoint(np.exp)
def exp(g, out, x):
    return g * out


@adjoint(np.exp2)
def exp2(g, out, x):
    return g * out * _LN2


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


@adjoint(np.logaddexp)
def logaddexp(g, out, x1, x2):
    return unbroadcast(g * np.exp(x1 - out), x1), unbroadcast(g * np.exp(x2 - out), x2)


@adjoint(np.logaddexp2)
def logaddexp2(g, out, x1, x2):
    return unbroadcast(g * np.exp2(x1 - out), x1), unbroadcast(g * np.exp2(x2 - out), x2)


# ---------------------------------------------------------------- powers and roots

@adjoint(np.sqrt)
def sqrt(g, out, x):
    return g * 0.5 / out


@adjoint(np.cbrt)
def cbrt(g, out, x):
    return g / (3.0 * out * out)


@adjoint(np.square)
def square(g, out, x):
    return g * 2.0 * x


@adjoint(np.reciprocal)
def reciprocal(g, out, x):
    return -g * out * out


# d/dx2 of x1 ** x2 is out * log(x1), taken as 0 where x1 <= 0 (there it is only
# defined for integer x2, where x2 does not vary continuously).

@adjoint(np.power, kind="scalar")
def power_scalar(g, out, x1, x2):
    return g * x2 * x1 ** (x2 - 1), (g * out * np.log(x1) if x1 > 0 else 0.0)


@adjoint(np.power)
def power(g, out, x1, x2):
    positive = x1 > 0
    return (unbroadcast(g * x2 * x1 ** (x2 - 1), x1),
            unbroadcast(np.where(positive, g * out * np.log(np.where(positive, x1, 1.0)), 0.0),
                        x2))


@adjoint(np.float_power, kind="scalar")
def float_power_scalar(g, out, x1, x2):
    return (g * x2 * np.float_power(x1, x2 - 1),
            (g * out * np.log(x1) if x1 > 0 else 0.0))


@adjoint(np.float_power)
def float_power(g, out, x1, x2):
    positive = x1 > 0
    return (unbroadcast(g * x2 * np.float_power(x1, x2 - 1), x1),
            unbroadcast(np.where(positive, g * out * np.log(np.where(positive, x1, 1.0)), 0.0),
                        x2))


# ---------------------------------------------------------------- sign-like

@adjoint(np.abs)  # np.absolute is the same ufunc
def abs_(g, out, x):
    return g * np.sign(x)


@adjoint(np.fabs)
def fabs(g, out, x):
    return g * np.sign(x)


@adjoint(np.negative)
def negative(g, out, x):
    return -g


@adjoint(np.positive)
def positive(g, out, x):
    return g


# ---------------------------------------------------------------- arithmetic

@adjoint(np.add)
def add(g, out, x1, x2):
    return unbroadcast(g, x1), unbroadcast(g, x2)


@adjoint(np.subtract)
def subtract(g, out, x1, x2):
    return unbroadcast(g, x1), unbroadcast(-g, x2)


@adjoint(np.multiply)
def multiply(g, out, x1, x2):
    return unbroadcast(g * x2, x1), unbroadcast(g * x1, x2)


@adjoint(np.divide)  # np.true_divide is the same ufunc
def divide(g, out, x1, x2):
    return unbroadcast(g / x2, x1), unbroadcast(-g * out / x2, x2)


# ---------------------------------------------------------------- selection
# Ties go to the first argument (see the module docstring).

@adjoint(np.maximum, kind="scalar")
def maximum_scalar(g, out, x1, x2):
    return (g if x1 >= x2 else 0.0), (0.0 if x1 >= x2 else g)


@adjoint(np.maximum)
def maximum(g, out, x1, x2):
    first = x1 >= x2
    return unbroadcast(np.where(first, g, 0.0), x1), unbroadcast(np.where(first, 0.0, g), x2)


@adjoint(np.minimum, kind="scalar")
def minimum_scalar(g, out, x1, x2):
    return (g if x1 <= x2 else 0.0), (0.0 if x1 <= x2 else g)


@adjoint(np.minimum)
def minimum(g, out, x1, x2):
    first = x1 <= x2
    return unbroadcast(np.where(first, g, 0.0), x1), unbroadcast(np.where(first, 0.0, g), x2)


# fmax/fmin ignore a NaN operand: the cotangent goes to the other one.

@adjoint(np.fmax, kind="scalar")
def fmax_scalar(g, out, x1, x2):
    return ((g if x1 >= x2 or x2 != x2 else 0.0),
            (0.0 if x1 >= x2 or x2 != x2 else g))


@adjoint(np.fmax)
def fmax(g, out, x1, x2):
    first = np.logical_or(x1 >= x2, np.isnan(x2))
    return unbroadcast(np.where(first, g, 0.0), x1), unbroadcast(np.where(first, 0.0, g), x2)


@adjoint(np.fmin, kind="scalar")
def fmin_scalar(g, out, x1, x2):
    return ((g if x1 <= x2 or x2 != x2 else 0.0),
            (0.0 if x1 <= x2 or x2 != x2 else g))


@adjoint(np.fmin)
def fmin(g, out, x1, x2):
    first = np.logical_or(x1 <= x2, np.isnan(x2))
    return unbroadcast(np.where(first, g, 0.0), x1), unbroadcast(np.where(first, 0.0, g), x2)


# clip: NumPy 2.1+ also takes the bounds as keywords min=/max=. A bound that is
# None never binds (``out != None`` is True everywhere); a bound's own cotangent
# is only computed when it is a float or array that carries one.

@adjoint(np.clip, kind="scalar")
def clip_scalar(g, out, a, a_min=None, a_max=None, out_=None, min=None, max=None):
    lo = a_min if min is None else min
    return ((g if out == a else 0.0),
            (g if out == lo and out != a else 0.0),
            (g if out != a and out != lo else 0.0),
            None,
            (g if out == lo and out != a else 0.0),
            (g if out != a and out != lo else 0.0))


@adjoint(np.clip)
def clip(g, out, a, a_min=None, a_max=None, out_=None, min=None, max=None):
    lo = a_min if min is None else min
    kept = out == a
    lower = np.logical_and(out == lo, np.logical_not(kept))
    upper = np.logical_and(np.logical_not(kept), out != lo)
    return (unbroadcast(np.where(kept, g, 0.0), a),
            unbroadcast(np.where(lower, g, 0.0), a_min),
            unbroadcast(np.where(upper, g, 0.0), a_max),
            None,
            unbroadcast(np.where(lower, g, 0.0), min),
            unbroadcast(np.where(upper, g, 0.0), max))


@adjoint(np.ndarray.clip)
def clip_method(g, out, self, min=None, max=None, out_=None):
    kept = out == self
    lower = np.logical_and(out == min, np.logical_not(kept))
    upper = np.logical_and(np.logical_not(kept), out != min)
    return (unbroadcast(np.where(kept, g, 0.0), self),
            unbroadcast(np.where(lower, g, 0.0), min),
            unbroadcast(np.where(upper, g, 0.0), max))


@adjoint(np.where, nargs=3, kind="scalar")
def where_scalar(g, out, condition, x, y):
    return None, (g if condition else 0.0), (0.0 if condition else g)


@adjoint(np.where, nargs=3)
def where(g, out, condition, x, y):
    return (None, unbroadcast(np.where(condition, g, 0.0), x),
            unbroadcast(np.where(condition, 0.0, g), y))


@adjoint(np.where, nargs=1)
def where_indices(g, out, condition):
    return None
