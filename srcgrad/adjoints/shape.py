"""Rules for shape functions and the ndarray members that only move elements.

Every one is linear, so its rule is its transpose: put the cotangent back
where the elements came from.
"""

import numpy as np

from .registry import adjoint


@adjoint(np.ndarray.T)
def T(g, out, self):
    return np.transpose(g)


@adjoint(np.ndarray.reshape)
def reshape_method(g, out, self, *shape):
    return np.reshape(g, np.shape(self))


@adjoint(np.ndarray.ravel)
def ravel_method(g, out, self, order="C"):
    return np.reshape(g, np.shape(self))


@adjoint(np.ndarray.flatten)
def flatten_method(g, out, self, order="C"):
    return np.reshape(g, np.shape(self))


@adjoint(np.ndarray.copy)
def copy_method(g, out, self, order="C"):
    return g


@adjoint(np.ndarray.astype)
def astype_method(g, out, self, dtype, order="K", casting="unsafe", subok=True, copy=True):
    return np.asarray(g).astype(self.dtype)
