"""Rules for Python's operators (``+ - * / ** // % @`` and unary ``-``/``+``).

Every binary rule routes its cotangents through ``unbroadcast``; for float
operands the transform drops those calls, so float code pays no helper call.
"""

import math
import operator

import numpy as np

from ..runtime import add_cotangents, seq_split, unbroadcast
from .registry import adjoint, nondifferentiable


@adjoint(operator.add)
def add(g, out, a, b):
    return unbroadcast(g, a), unbroadcast(g, b)


@adjoint(operator.add, kind="seq")
def add_seq(g, out, a, b):
    ga, gb = seq_split(g, a, b)
    return ga, gb


@adjoint(operator.add, kind="unknown")
def add_unknown(g, out, a, b):
    ga, gb = add_cotangents(g, a, b)
    return ga, gb


@adjoint(operator.sub)
def sub(g, out, a, b):
    return unbroadcast(g, a), unbroadcast(-g, b)


@adjoint(operator.mul)
def mul(g, out, a, b):
    return unbroadcast(g * b, a), unbroadcast(g * a, b)


@adjoint(operator.truediv)
def truediv(g, out, a, b):
    return unbroadcast(g / b, a), unbroadcast(-g * out / b, b)


@adjoint(operator.pow, kind="scalar")
def pow_scalar(g, out, a, b):
    return g * b * a ** (b - 1), (g * out * math.log(a) if a > 0 else 0.0)


@adjoint(operator.pow)
def pow_(g, out, a, b):
    positive = a > 0
    return (unbroadcast(g * b * a ** (b - 1), a),
            unbroadcast(np.where(positive, g * out * np.log(np.where(positive, a, 1.0)), 0.0), b))


@adjoint(operator.mod)
def mod(g, out, a, b):
    return unbroadcast(g, a), unbroadcast(-g * (a // b), b)


@adjoint(operator.neg)
def neg(g, out, a):
    return -g


@adjoint(operator.pos)
def pos(g, out, a):
    return g


nondifferentiable(operator.floordiv)  # piecewise constant: derivative 0 almost everywhere
