"""Functions whose outputs carry no gradient (shapes, indices, comparisons, rounding, RNG)."""

import numpy as np

from .registry import nondifferentiable

for _fn in (np.sign, np.floor, np.ceil, np.round, np.rint, np.trunc, np.isnan, np.isinf,
            np.isfinite, np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort,
            np.nonzero, np.flatnonzero, np.searchsorted, np.equal, np.not_equal, np.less,
            np.less_equal, np.greater, np.greater_equal, np.logical_and, np.logical_or,
            np.logical_not, np.logical_xor, np.zeros, np.ones, np.empty, np.full, np.arange,
            np.linspace, np.eye, np.identity, np.zeros_like, np.ones_like, np.empty_like,
            np.full_like, np.result_type, np.iscomplexobj, np.isscalar, np.allclose,
            np.isclose, np.array_equal, np.count_nonzero, np.unique, np.any, np.all):
    nondifferentiable(_fn)

for _name in ("argmax", "argmin", "argsort", "nonzero", "searchsorted", "argpartition", "any",
              "all"):
    nondifferentiable(getattr(np.ndarray, _name))

for _name in dir(np.random):
    _obj = getattr(np.random, _name)
    if callable(_obj) and not isinstance(_obj, type):
        nondifferentiable(_obj)
