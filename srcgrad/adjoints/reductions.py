"""Rules for NumPy reductions (``axis`` as int, tuple, None or negative; ``keepdims``)."""

import numpy as np

from ..runtime import unreduce
from .registry import adjoint


@adjoint(np.sum)
def sum_(g, out, a, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, a, axis, keepdims)


@adjoint(np.ndarray.sum)
def sum_method(g, out, self, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, self, axis, keepdims)


@adjoint(np.ndarray.mean)
def mean_method(g, out, self, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, self, axis, keepdims) * (np.size(out) / np.size(self))


@adjoint(np.mean)
def mean(g, out, a, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, a, axis, keepdims) * (np.size(out) / np.size(a))
