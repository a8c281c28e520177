"""Rules for ndarray methods and attributes (``x.T``, ``x.sum()``, ``x.reshape(...)``).

Each is registered on the ``np.ndarray`` member itself; its first primal
parameter is the array the member is read from.
"""

import numpy as np

from ..runtime import unreduce
from .registry import adjoint, nondifferentiable


@adjoint(np.ndarray.T)
def T(g, out, self):
    return np.transpose(g)


@adjoint(np.ndarray.sum)
def sum_(g, out, self, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, self, axis, keepdims)


@adjoint(np.ndarray.mean)
def mean(g, out, self, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, self, axis, keepdims) * (np.size(out) / np.size(self))


@adjoint(np.ndarray.reshape)
def reshape(g, out, self, *shape):
    return np.reshape(g, np.shape(self))


@adjoint(np.ndarray.ravel)
def ravel(g, out, self, order="C"):
    return np.reshape(g, np.shape(self))


@adjoint(np.ndarray.flatten)
def flatten(g, out, self, order="C"):
    return np.reshape(g, np.shape(self))


@adjoint(np.ndarray.copy)
def copy(g, out, self, order="C"):
    return g


@adjoint(np.ndarray.astype)
def astype(g, out, self, dtype, order="K", casting="unsafe", subok=True, copy=True):
    return np.asarray(g).astype(self.dtype)


for _name in ("argmax", "argmin", "argsort", "nonzero", "searchsorted", "argpartition"):
    nondifferentiable(getattr(np.ndarray, _name))
