"""Rules for the ``math`` module and the numeric builtins on floats."""

import builtins
import math

import numpy as np

from ..runtime import seq_fill, seq_onehot, unbroadcast
from .registry import adjoint, nondifferentiable

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


@adjoint(math.sin)
def sin(g, out, x):
    return g * math.cos(x)


@adjoint(math.cos)
def cos(g, out, x):
    return -g * math.sin(x)


@adjoint(math.tan)
def tan(g, out, x):
    return g * (1.0 + out * out)


@adjoint(math.asin)
def asin(g, out, x):
    return g / math.sqrt(1.0 - x * x)


@adjoint(math.acos)
def acos(g, out, x):
    return -g / math.sqrt(1.0 - x * x)


@adjoint(math.atan)
def atan(g, out, x):
    return g / (1.0 + x * x)


@adjoint(math.atan2)
def atan2(g, out, y, x):
    r2 = x * x + y * y
    return g * x / r2, -g * y / r2


@adjoint(math.sinh)
def sinh(g, out, x):
    return g * math.cosh(x)


@adjoint(math.cosh)
def cosh(g, out, x):
    return g * math.sinh(x)


@adjoint(math.tanh)
def tanh(g, out, x):
    return g * (1.0 - out * out)


@adjoint(math.asinh)
def asinh(g, out, x):
    return g / math.sqrt(x * x + 1.0)


@adjoint(math.acosh)
def acosh(g, out, x):
    return g / math.sqrt(x * x - 1.0)


@adjoint(math.atanh)
def atanh(g, out, x):
    return g / (1.0 - x * x)


@adjoint(math.exp)
def exp(g, out, x):
    return g * out


@adjoint(math.expm1)
def expm1(g, out, x):
    return g * (out + 1.0)


@adjoint(math.log, nargs=1)
def log(g, out, x):
    return g / x


@adjoint(math.log, nargs=2)
def log_base(g, out, x, base):
    ln_base = math.log(base)
    return g / (x * ln_base), -g * out / (base * ln_base)


@adjoint(math.log1p)
def log1p(g, out, x):
    return g / (1.0 + x)


@adjoint(math.log2)
def log2(g, out, x):
    return g / (x * _LN2)


@adjoint(math.log10)
def log10(g, out, x):
    return g / (x * _LN10)


@adjoint(math.sqrt)
def sqrt(g, out, x):
    return g * 0.5 / out


@adjoint(math.pow)
def pow_(g, out, x, y):
    return g * y * x ** (y - 1.0), (g * out * math.log(x) if x > 0 else 0.0)


@adjoint(math.hypot, nargs=2)
def hypot(g, out, x, y):
    return g * x / out, g * y / out


@adjoint(math.fabs)
def fabs(g, out, x):
    return g if x >= 0 else -g


@adjoint(math.erf)
def erf(g, out, x):
    return g * _TWO_OVER_SQRT_PI * math.exp(-x * x)


@adjoint(math.erfc)
def erfc(g, out, x):
    return -g * _TWO_OVER_SQRT_PI * math.exp(-x * x)


@adjoint(math.degrees)
def degrees(g, out, x):
    return g * (180.0 / math.pi)


@adjoint(math.radians)
def radians(g, out, x):
    return g * (math.pi / 180.0)


@adjoint(math.copysign)
def copysign(g, out, x, y):
    return (g if (x >= 0) == (out >= 0) else -g), None


@adjoint(builtins.abs, kind="scalar")
def abs_scalar(g, out, x):
    return g if x >= 0 else -g


@adjoint(builtins.abs)
def abs_(g, out, x):
    return g * np.sign(x)


@adjoint(builtins.float)
def float_(g, out, x):
    return g


@adjoint(builtins.max, nargs=2)
def max2(g, out, a, b):
    return (g if a >= b else 0.0), (0.0 if a >= b else g)


@adjoint(builtins.min, nargs=2)
def min2(g, out, a, b):
    return (g if a <= b else 0.0), (0.0 if a <= b else g)


@adjoint(builtins.max, nargs=1)
def max_seq(g, out, iterable):
    return seq_onehot(iterable, out, g)


@adjoint(builtins.min, nargs=1)
def min_seq(g, out, iterable):
    return seq_onehot(iterable, out, g)


@adjoint(builtins.sum, nargs=1)
def sum_(g, out, iterable):
    return seq_fill(iterable, g)


@adjoint(builtins.sum, nargs=2)
def sum_start(g, out, iterable, start):
    return seq_fill(iterable, g), g


@adjoint(builtins.list)
def list_(g, out, iterable):
    return g


@adjoint(builtins.tuple)
def tuple_(g, out, iterable):
    return g


@adjoint(builtins.pow, nargs=2)
def builtin_pow_arrays(g, out, base, exp):
    positive = base > 0
    return (unbroadcast(g * exp * base ** (exp - 1), base),
            unbroadcast(np.where(positive, g * out * np.log(np.where(positive, base, 1.0)), 0.0),
                        exp))


@adjoint(builtins.pow, nargs=2, kind="scalar")
def builtin_pow(g, out, base, exp):
    return g * exp * base ** (exp - 1), (g * out * math.log(base) if base > 0 else 0.0)


for _fn in (builtins.int, builtins.round, builtins.len, builtins.range, builtins.bool,
            builtins.isinstance, builtins.print, builtins.type, builtins.str, builtins.repr,
            builtins.hash, builtins.id, builtins.callable, builtins.divmod,
            math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite,
            math.isclose, math.factorial, math.gcd, math.comb, math.perm):
    nondifferentiable(_fn)
