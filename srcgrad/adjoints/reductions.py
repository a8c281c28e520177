"""Rules for NumPy reductions (``axis`` as int, tuple, None or negative; ``keepdims``).

Covered: ``sum``, ``mean``, ``prod``, ``max``/``amax``, ``min``/``amin``, ``var``,
``std`` (with ``ddof``), ``cumsum``, ``cumprod`` and ``np.linalg.norm``, as
NumPy functions and, where NumPy has one, as ``ndarray`` methods. Keywords
these rules do not know (``where=``, ``initial=``, ``mean=``, ``correction=``)
make srcgrad report an error rather than give a wrong gradient.

Choices:

- ``max``/``min`` (and ``norm`` with ``ord=inf``/``-inf``/matrix ``1``/``inf``):
  the cotangent goes to the positions that attain the extremum; *ties split
  it equally* (each of k tied positions gets 1/k), as JAX does.
- ``prod`` never divides by its input: the cotangent of ``a[i]`` is the
  product of the other elements of its slice, from exclusive running
  products, so it is exact with one or several zeros in a slice.
- ``cumprod`` divides by its input: its gradient is wrong (inf/nan) where an
  input element is 0.
- ``np.linalg.norm`` supports vector orders None, 2, 1, inf, -inf, 0 and any
  other p, and matrix orders None/'fro', 1, -1, inf, -inf; matrix orders 2,
  -2 and 'nuc' (singular values) raise ``NotImplementedError``.

Every helper a rule calls has a rule itself (below, or in ``runtime_rules``)
or is marked non-differentiable, so generated code can be differentiated
again: ``prod``'s "product of the others" helper differentiates into itself
applied to an n-by-n expansion of each slice (order k costs n**(k-1) times
the memory of order 1).
"""

import numpy as np

from ..runtime import unreduce
from .registry import adjoint, nondifferentiable

# -- helpers -------------------------------------------------------------------


def _axes(ndim, axis):
    """``axis`` (None, int, tuple, negative) as a sorted tuple of axes in ``range(ndim)``."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return tuple(sorted(int(a) % ndim for a in axes)) if ndim else ()


def _float_dtype(a):
    dtype = np.result_type(a)
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _to_last(a, axis):
    """``a`` with the axes ``axis`` moved to the end and merged into one: ``(*kept, n)``."""
    a = np.asarray(a)
    axes = _axes(a.ndim, axis)
    kept = tuple(i for i in range(a.ndim) if i not in axes)
    n = 1
    for i in axes:
        n *= a.shape[i]
    b = np.transpose(a, kept + axes)
    return b.reshape(b.shape[:len(kept)] + (n,))


def _from_last(b, like, axis):
    """The inverse of ``_to_last``: ``b`` of shape ``(*kept, n)`` back to ``like``'s shape."""
    shape = np.shape(like)
    axes = _axes(len(shape), axis)
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    b = np.reshape(b, tuple(shape[i] for i in kept) + tuple(shape[i] for i in axes))
    return np.transpose(b, tuple(np.argsort(kept + axes)))


def _prod_others_last(b):
    """``out[..., i]`` = the product of ``b[..., k]`` over ``k != i`` (no division)."""
    b = np.asarray(b)
    ones = np.ones_like(b[..., :1])
    left = np.cumprod(np.concatenate([ones, b[..., :-1]], axis=-1), axis=-1)
    flipped = np.flip(b, -1)
    right = np.flip(np.cumprod(np.concatenate([ones, flipped[..., :-1]], axis=-1), axis=-1), -1)
    return left * right


def _bcast_offdiag(h):
    """``out[..., j, i]`` = ``h[..., i]`` for ``i != j``, 0 on the diagonal: ``(..., n, n)``."""
    h = np.asarray(h)
    return h[..., None, :] * _offdiag_mask(h)


def _offdiag_mask(h):
    """``1 - eye(n)`` for the last axis of ``h`` (in ``h``'s float type)."""
    n = np.shape(h)[-1]
    return 1 - np.eye(n, dtype=_float_dtype(h))


def _eye_last(h):
    """``eye(n)`` for the last axis of ``h`` (in ``h``'s float type)."""
    return np.eye(np.shape(h)[-1], dtype=_float_dtype(h))


def _rcumsum(x, axis):
    """Reversed cumulative sum along ``axis`` (the transpose of ``np.cumsum``)."""
    return np.flip(np.cumsum(np.flip(x, axis), axis), axis)


def _reshape_as(h, like):
    """``h`` reshaped to ``like``'s shape."""
    shape = np.shape(like)
    return h if np.shape(h) == shape else np.reshape(h, shape)


def _extremum_weights(a, out, axis, keepdims):
    """Where ``a`` attains the reduction ``out`` (its max or min): 1/k for each of k ties."""
    mask = (np.asarray(a) == unreduce(out, a, axis, keepdims)).astype(_float_dtype(a))
    return mask / np.sum(mask, axis=axis, keepdims=True)


def _norm_case(x, ord, axis):
    """``("vector" | "matrix", axes)`` for ``np.linalg.norm(x, ord, axis)``."""
    ndim = np.ndim(x)
    if axis is None:
        if ord is None or ndim == 1:
            return "vector", tuple(range(ndim))
        return "matrix", (0, 1)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if len(axes) == 1:
        return "vector", (int(axes[0]) % ndim,)
    return "matrix", tuple(int(a) % ndim for a in axes)


def _norm_power(x, ord, axis):
    """The ``p`` of a smooth (p-)norm, or None for the piecewise-linear ones."""
    case, _ = _norm_case(x, ord, axis)
    if case == "matrix":
        if ord is None or ord == "fro":
            return 2.0
        if ord in (1, -1, np.inf, -np.inf):
            return None
        raise NotImplementedError(
            f"srcgrad has no gradient for np.linalg.norm of a matrix with ord={ord!r} "
            "(singular values); use ord=None/'fro', 1, -1, inf or -inf")
    if ord is None:
        return 2.0
    if ord in (0, 1, np.inf, -np.inf):
        return None
    return float(ord)


def _norm_weights(x, ord, axis):
    """d norm / d x for the piecewise-linear norms (ties at the extremum split equally)."""
    x = np.asarray(x)
    case, axes = _norm_case(x, ord, axis)
    dtype = _float_dtype(x)
    sign = np.sign(x).astype(dtype)
    ax = np.abs(x)
    if case == "vector":
        if ord == 0:
            return np.zeros_like(sign)
        if ord == 1:
            return sign
        best = np.max(ax, axis=axes, keepdims=True) if ord > 0 else \
            np.min(ax, axis=axes, keepdims=True)
        mask = (ax == best).astype(dtype)
        return sign * mask / np.sum(mask, axis=axes, keepdims=True)
    row, col = axes
    # ord 1: the max over columns of column sums (summed over rows); inf: rows
    summed, other = (row, col) if ord in (1, -1) else (col, row)
    sums = np.sum(ax, axis=summed, keepdims=True)
    best = np.max(sums, axis=other, keepdims=True) if ord > 0 else \
        np.min(sums, axis=other, keepdims=True)
    mask = (sums == best).astype(dtype)
    return sign * mask / np.sum(mask, axis=other, keepdims=True)


for _fn in (_offdiag_mask, _eye_last, _extremum_weights, _norm_power, _norm_weights):
    nondifferentiable(_fn)


# -- rules of the helpers (so generated code differentiates again) -------------


@adjoint(_to_last)
def _to_last_(g, out, a, axis):
    return _from_last(g, a, axis)


@adjoint(_from_last)
def _from_last_(g, out, b, like, axis):
    return _to_last(g, axis)


@adjoint(_prod_others_last)
def _prod_others_last_(g, out, b):
    # d out[i] / d b[j] = product over k not in {i, j} (i != j), which is the
    # product of the others of row j of the matrix "b with b[j] replaced by 1"
    return np.sum(_bcast_offdiag(g) * _prod_others_last(_bcast_offdiag(b) + _eye_last(b)),
                  axis=-1)


@adjoint(_bcast_offdiag)
def _bcast_offdiag_(g, out, h):
    return np.sum(g * _offdiag_mask(h), axis=-2)


@adjoint(_rcumsum)
def _rcumsum_(g, out, x, axis):
    return np.cumsum(g, axis)


@adjoint(_reshape_as)
def _reshape_as_(g, out, h, like):
    return _reshape_as(g, h)


# -- sum, mean -----------------------------------------------------------------


@adjoint(np.sum)
def sum_(g, out, a, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, a, axis, keepdims)


@adjoint(np.ndarray.sum)
def sum_method(g, out, self, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, self, axis, keepdims)


def reduction_count(a, axis):
    """How many elements each output of a reduction over ``axis`` combines."""
    shape = np.shape(a)
    if axis is None:
        return max(int(np.prod(shape)), 1)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return max(int(np.prod([shape[k] for k in axes])), 1)


nondifferentiable(reduction_count)


@adjoint(np.mean)
def mean(g, out, a, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, a, axis, keepdims) / reduction_count(a, axis)


@adjoint(np.ndarray.mean)
def mean_method(g, out, self, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, self, axis, keepdims) / reduction_count(self, axis)


# -- prod ----------------------------------------------------------------------


@adjoint(np.prod)
def prod(g, out, a, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, a, axis, keepdims) * _from_last(_prod_others_last(_to_last(a, axis)),
                                                       a, axis)


@adjoint(np.ndarray.prod)
def prod_method(g, out, self, axis=None, dtype=None, out_=None, keepdims=False):
    return unreduce(g, self, axis, keepdims) * _from_last(
        _prod_others_last(_to_last(self, axis)), self, axis)


# -- max, min (ties split equally) ---------------------------------------------


@adjoint(np.max)
def max_(g, out, a, axis=None, out_=None, keepdims=False):
    return unreduce(g, a, axis, keepdims) * _extremum_weights(a, out, axis, keepdims)


@adjoint(np.amax)
def amax(g, out, a, axis=None, out_=None, keepdims=False):
    return unreduce(g, a, axis, keepdims) * _extremum_weights(a, out, axis, keepdims)


@adjoint(np.ndarray.max)
def max_method(g, out, self, axis=None, out_=None, keepdims=False):
    return unreduce(g, self, axis, keepdims) * _extremum_weights(self, out, axis, keepdims)


@adjoint(np.min)
def min_(g, out, a, axis=None, out_=None, keepdims=False):
    return unreduce(g, a, axis, keepdims) * _extremum_weights(a, out, axis, keepdims)


@adjoint(np.amin)
def amin(g, out, a, axis=None, out_=None, keepdims=False):
    return unreduce(g, a, axis, keepdims) * _extremum_weights(a, out, axis, keepdims)


@adjoint(np.ndarray.min)
def min_method(g, out, self, axis=None, out_=None, keepdims=False):
    return unreduce(g, self, axis, keepdims) * _extremum_weights(self, out, axis, keepdims)


# -- var, std ------------------------------------------------------------------


@adjoint(np.var)
def var(g, out, a, axis=None, dtype=None, out_=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    return unreduce(g, a, axis, keepdims) * centered * (2.0 / (np.size(a) / np.size(out) - ddof))


@adjoint(np.ndarray.var)
def var_method(g, out, self, axis=None, dtype=None, out_=None, ddof=0, keepdims=False):
    centered = self - np.mean(self, axis=axis, keepdims=True)
    return unreduce(g, self, axis, keepdims) * centered * (
        2.0 / (np.size(self) / np.size(out) - ddof))


@adjoint(np.std)
def std(g, out, a, axis=None, dtype=None, out_=None, ddof=0, keepdims=False):
    centered = a - np.mean(a, axis=axis, keepdims=True)
    return unreduce(g / out, a, axis, keepdims) * centered * (
        1.0 / (np.size(a) / np.size(out) - ddof))


@adjoint(np.ndarray.std)
def std_method(g, out, self, axis=None, dtype=None, out_=None, ddof=0, keepdims=False):
    centered = self - np.mean(self, axis=axis, keepdims=True)
    return unreduce(g / out, self, axis, keepdims) * centered * (
        1.0 / (np.size(self) / np.size(out) - ddof))


# -- cumsum, cumprod (axis None: over the flattened array) ----------------------


@adjoint(np.cumsum)
def cumsum(g, out, a, axis=None, dtype=None, out_=None):
    return _reshape_as(_rcumsum(g, axis), a)


@adjoint(np.ndarray.cumsum)
def cumsum_method(g, out, self, axis=None, dtype=None, out_=None):
    return _reshape_as(_rcumsum(g, axis), self)


@adjoint(np.cumprod)
def cumprod(g, out, a, axis=None, dtype=None, out_=None):
    return _reshape_as(_rcumsum(g * out, axis), a) / a


@adjoint(np.ndarray.cumprod)
def cumprod_method(g, out, self, axis=None, dtype=None, out_=None):
    return _reshape_as(_rcumsum(g * out, axis), self) / self


# -- norm ----------------------------------------------------------------------


@adjoint(np.linalg.norm)
def norm(g, out, x, ord=None, axis=None, keepdims=False):
    p = _norm_power(x, ord, axis)
    gx = unreduce(g, x, axis, keepdims)
    return gx * (_norm_weights(x, ord, axis) if p is None
                 else x / unreduce(out, x, axis, keepdims) if p == 2.0
                 else np.sign(x) * (np.abs(x) / unreduce(out, x, axis, keepdims)) ** (p - 1.0))
