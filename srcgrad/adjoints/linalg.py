"""Rules for linear algebra: ``@``, matmul, dot."""

import operator

import numpy as np

from ..runtime import matmul_cotangents
from .registry import adjoint


@adjoint(operator.matmul)
def matmul_op(g, out, a, b):
    ga, gb = matmul_cotangents(g, a, b)
    return ga, gb


@adjoint(np.matmul)
def matmul(g, out, x1, x2):
    g1, g2 = matmul_cotangents(g, x1, x2)
    return g1, g2
