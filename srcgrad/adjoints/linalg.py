"""Rules for linear algebra: ``@``, matmul, dot, inner, outer, tensordot, einsum, trace,
kron, cross and ``np.linalg`` (inv, solve, det, slogdet, cholesky).

Contractions reduce to two ideas. ``dot``, ``inner`` and ``tensordot`` are
tensordots; the cotangent of each operand is again a tensordot (of the output
cotangent with the other operand), computed by ``tdot_ga`` / ``tdot_gb``.
``einsum``'s cotangent for operand k is the einsum that puts the output
cotangent in operand k's place and asks for operand k's labels; labels that
operand k repeats (a diagonal) or sums alone are restored by ``einsum_expand``.

Every helper a rule calls has a rule of its own here (its transpose, as the
helpers are linear in the cotangent they move), so the derivative code can be
differentiated again. The planners that only look at shapes and labels are
non-differentiable.
"""

import functools
import operator
import string

import numpy as np

from ..runtime import matmul_grad_left, matmul_grad_right, unbroadcast
from .registry import adjoint, nondifferentiable

# -- helpers generated code calls ------------------------------------------------


def _as_dtype_of(x, like):
    """``x`` cast to ``like``'s floating dtype (a float32 input gets a float32 cotangent)."""
    if isinstance(like, np.ndarray) and like.dtype.kind == "f" and isinstance(x, np.ndarray) \
            and x.dtype != like.dtype and x.dtype.kind in "fiub":
        return x.astype(like.dtype)
    return x


def _like(x, like):
    """``x`` as the cotangent of ``like``: an array of its dtype, or a scalar for a scalar."""
    if isinstance(like, np.ndarray):
        return _as_dtype_of(np.asarray(x), like)
    x = np.asarray(x)
    return x[()] if x.ndim == 0 else x


def _tdot_axes(na, nb, axes):
    """``tensordot``'s ``axes`` as two lists of non-negative axes."""
    if isinstance(axes, (int, np.integer)):
        axes = int(axes)
        return list(range(na - axes, na)), list(range(axes))
    ax_a, ax_b = axes
    ax_a = [ax_a] if isinstance(ax_a, (int, np.integer)) else list(ax_a)
    ax_b = [ax_b] if isinstance(ax_b, (int, np.integer)) else list(ax_b)
    return [int(i) % na for i in ax_a], [int(i) % nb for i in ax_b]


def tdot_ga(g, a, b, axes):
    """The cotangent of ``a`` for ``out = np.tensordot(a, b, axes)`` with cotangent ``g``."""
    na, nb = np.ndim(a), np.ndim(b)
    ax_a, ax_b = _tdot_axes(na, nb, axes)
    if na == 2 and nb <= 2 and ax_a == [1] and ax_b == [0]:
        b, g = np.asarray(b), np.asarray(g)
        return _like(g @ b.T if nb == 2 else g[:, None] * b, a)
    if na == 1 and nb == 1 and ax_a == [0]:
        return _like(np.multiply(g, b), a)
    free_a = [i for i in range(na) if i not in ax_a]
    free_b = [i for i in range(nb) if i not in ax_b]
    g = np.asarray(g)
    r = np.tensordot(g, b, (list(range(len(free_a), g.ndim)), free_b))
    order = free_a + [ax_a[ax_b.index(j)] for j in sorted(ax_b)]
    if order != sorted(order):
        r = np.transpose(r, np.argsort(order))
    return _like(r, a)


def tdot_gb(g, a, b, axes):
    """The cotangent of ``b`` for ``out = np.tensordot(a, b, axes)`` with cotangent ``g``."""
    na, nb = np.ndim(a), np.ndim(b)
    ax_a, ax_b = _tdot_axes(na, nb, axes)
    if na <= 2 and nb == 2 and ax_a == [na - 1] and ax_b == [0]:
        a, g = np.asarray(a), np.asarray(g)
        return _like(a.T @ g if na == 2 else a[:, None] * g, b)
    if na == 1 and nb == 1 and ax_a == [0]:
        return _like(np.multiply(a, g), b)
    free_a = [i for i in range(na) if i not in ax_a]
    free_b = [i for i in range(nb) if i not in ax_b]
    g = np.asarray(g)
    r = np.tensordot(a, g, (free_a, list(range(len(free_a)))))
    order = [ax_b[ax_a.index(i)] for i in sorted(ax_a)] + free_b
    if order != sorted(order):
        r = np.transpose(r, np.argsort(order))
    return _like(r, b)


def dot_axes(a, b):
    """``np.dot(a, b)`` as ``np.tensordot(a, b, axes)``: these axes."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 0 or nb == 0:
        return 0
    return [na - 1], [0 if nb == 1 else nb - 2]


def inner_axes(a, b):
    """``np.inner(a, b)`` as ``np.tensordot(a, b, axes)``: these axes."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 0 or nb == 0:
        return 0
    return [na - 1], [nb - 1]


def mT(x):
    """The matrix transpose of a stack of matrices (the last two axes swapped)."""
    return np.swapaxes(x, -1, -2)


def add_axes(x, n):
    """``x`` with ``n`` trailing axes of length 1."""
    return np.reshape(x, np.shape(x) + (1,) * n) if n else x


def drop_axes(x, n):
    """``x`` without its ``n`` trailing axes of length 1 (a scalar if none is left)."""
    if not n:
        return x
    shape = np.shape(x)[:-n]
    out = np.reshape(x, shape)
    return out[()] if not shape else out


def reshape_to(x, shape):
    """``np.reshape(x, shape)``; a scalar for ``shape == ()``. A number standing for a
    whole cotangent (the zero ``0.0``) is spread over ``shape``."""
    if shape != () and np.ndim(x) == 0 and x == 0 and np.size(shape) and np.prod(shape) != 1:
        return np.zeros(shape)  # the zero number standing for a zero cotangent
    out = np.reshape(x, shape)
    return out[()] if shape == () else out


def tril_half(x):
    """The lower triangle of (a stack of) square matrices, with the diagonal halved."""
    n = np.shape(x)[-1]
    dtype = np.result_type(x, np.float32)
    return x * (np.tri(n, dtype=dtype) - np.eye(n, dtype=dtype) / 2)


def trace_adjoint(g, a, offset, axis1, axis2):
    """The cotangent of ``a`` for ``np.trace(a, offset, axis1, axis2)`` (``g`` on the diagonal)."""
    shape = np.shape(a)
    dtype = np.result_type(g, a, np.float32) if not isinstance(a, np.ndarray) or \
        a.dtype.kind != "f" else a.dtype
    eye = np.eye(shape[axis1], shape[axis2], k=offset, dtype=dtype)
    full = np.asarray(add_axes(np.asarray(g), 2) * eye, dtype=dtype)
    return np.moveaxis(full, (-2, -1), (axis1 % len(shape), axis2 % len(shape)))


_LETTERS = string.ascii_letters


@functools.lru_cache(maxsize=512)
def _einsum_plan(subscripts, ndims):
    """The explicit labels of the operands and output (``...`` and implicit mode spelled out)."""
    spec = subscripts.replace(" ", "")
    if "->" in spec:
        lhs, rhs = spec.split("->")
    else:
        lhs, rhs = spec, None
    inputs = lhs.split(",")
    if len(inputs) != len(ndims):
        raise ValueError(f"einsum subscripts {subscripts!r} name {len(inputs)} operands, "
                         f"but {len(ndims)} were given")
    used = set(spec) - set(".,->")
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for labels, ndim in zip(inputs, ndims):
        if "..." in labels:
            n_ell = max(n_ell, ndim - (len(labels) - 3))
    ell = "".join(spare[:n_ell])
    explicit = []
    for labels, ndim in zip(inputs, ndims):
        if "..." in labels:
            k = ndim - (len(labels) - 3)
            labels = labels.replace("...", ell[n_ell - k:] if k else "")
        explicit.append(labels)
    if rhs is None:
        counts = {}
        for labels in inputs:
            for c in labels.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        output = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        output = rhs.replace("...", ell)
    return explicit, output


@functools.lru_cache(maxsize=512)
def _einsum_adjoint_specs(subscripts, ndims):
    inputs, output = _einsum_plan(subscripts, ndims)
    specs = []
    for k, labels in enumerate(inputs):
        others = set(output)
        for j, other in enumerate(inputs):
            if j != k:
                others |= set(other)
        reduced = "".join(c for i, c in enumerate(labels)
                          if c in others and c not in labels[:i])
        operands = ",".join(output if j == k else other for j, other in enumerate(inputs))
        specs += [f"{operands}->{reduced}", f"{labels}->{reduced}"]
    return tuple(specs)


def einsum_adjoint_specs(subscripts, *operands):
    """For each operand k: the einsum giving its cotangent (the output cotangent in place of
    operand k), and the ``einsum_expand`` spec restoring its repeated and lone labels."""
    return _einsum_adjoint_specs(subscripts, tuple(np.ndim(x) for x in operands))


def einsum_expand(x, spec, like):
    """Spread ``x`` (labelled by ``spec``'s output) over ``like`` (labelled by its input).

    The transpose of ``np.einsum(spec, y)`` for ``y`` shaped like ``like``: labels
    ``like`` repeats get ``x`` on their diagonal (zeros elsewhere), labels only
    ``like`` has are broadcast, and axes einsum broadcast (length 1 in ``like``
    or in ``x``) are summed or broadcast back.
    """
    full, reduced = spec.split("->")
    sizes = dict(zip(full, np.shape(like)))
    x = _fit(x, tuple(sizes[c] for c in reduced))
    if full != reduced:
        dtype = x.dtype if x.dtype.kind == "f" else np.float64
        spare = iter(c for c in _LETTERS if c not in full)
        out_labels = []
        operands, labels = [x], [reduced]
        for i, c in enumerate(full):
            if c in full[:i]:            # a repeated label: a diagonal
                new = next(spare)
                operands.append(np.eye(sizes[c], dtype=dtype))
                labels.append(c + new)
                out_labels.append(new)
            else:
                if c not in reduced and full.count(c) == 1:   # a lone label: broadcast
                    operands.append(np.ones(sizes[c], dtype=dtype))
                    labels.append(c)
                out_labels.append(c)
        x = np.einsum(",".join(labels) + "->" + "".join(out_labels), *operands)
    return _like(x, like)


def _fit(y, shape):
    """``y`` summed or broadcast along its length-1 axes to ``shape`` (same ndim)."""
    y = np.asarray(y)
    if y.shape == shape:
        return y
    axes = tuple(i for i, (m, n) in enumerate(zip(y.shape, shape)) if n == 1 and m != 1)
    if axes:
        y = np.sum(y, axis=axes, keepdims=True)
    return y if y.shape == shape else np.broadcast_to(y, shape)


def fit_to(y, like):
    """``y`` summed or broadcast along its length-1 axes to ``like``'s shape."""
    return _fit(y, np.shape(like))


def kron_plan(a, b):
    """Shapes and specs to split a ``np.kron(a, b)`` cotangent into ``a``'s and ``b``'s."""
    sa, sb = np.shape(a), np.shape(b)
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    upper, lower = _LETTERS[26:26 + n], _LETTERS[:n]
    inter = "".join(u + v for u, v in zip(upper, lower))
    split = tuple(s for pair in zip(pa, pb) for s in pair)
    return split, pa, pb, f"{inter},{lower}->{upper}", f"{upper},{inter}->{lower}"


for _planner in (dot_axes, inner_axes, einsum_adjoint_specs, kron_plan):
    nondifferentiable(_planner)


# -- rules of the helpers -------------------------------------------------------


@adjoint(tdot_ga)
def tdot_ga_(g, out, g_in, a, b, axes):
    # <g, tdot_ga(g_in, a, b)> = <tensordot(g, b), g_in>
    return np.tensordot(g, b, axes), None, tdot_gb(g_in, g, b, axes)


@adjoint(tdot_gb)
def tdot_gb_(g, out, g_in, a, b, axes):
    return np.tensordot(a, g, axes), tdot_ga(g_in, a, g, axes)


@adjoint(mT)
def mT_(g, out, x):
    return mT(g)


@adjoint(add_axes)
def add_axes_(g, out, x, n):
    return drop_axes(g, n)


@adjoint(drop_axes)
def drop_axes_(g, out, x, n):
    return add_axes(g, n)


@adjoint(reshape_to)
def reshape_to_(g, out, x, shape):
    return reshape_to(g, np.shape(x))


@adjoint(tril_half)
def tril_half_(g, out, x):
    return tril_half(g)


@adjoint(trace_adjoint)
def trace_adjoint_(g, out, g_in, a, offset, axis1, axis2):
    return np.trace(g, offset, axis1, axis2)


@adjoint(einsum_expand)
def einsum_expand_(g, out, x, spec, like):
    return fit_to(np.einsum(spec, g), x)


@adjoint(fit_to)
def fit_to_(g, out, y, like):
    return fit_to(g, y)


# -- products -------------------------------------------------------------------


@adjoint(operator.matmul)
def matmul_op(g, out, a, b):
    return matmul_grad_left(g, a, b), matmul_grad_right(g, a, b)


@adjoint(np.matmul)
def matmul(g, out, x1, x2):
    return matmul_grad_left(g, x1, x2), matmul_grad_right(g, x1, x2)


@adjoint(np.tensordot)
def tensordot(g, out, a, b, axes=2):
    return tdot_ga(g, a, b, axes), tdot_gb(g, a, b, axes)


@adjoint(np.dot, kind="scalar")
def dot_scalar(g, out, a, b, out_=None):
    return g * b, g * a


@adjoint(np.dot)
def dot(g, out, a, b, out_=None):
    axes = dot_axes(a, b)
    return tdot_ga(g, a, b, axes), tdot_gb(g, a, b, axes)


@adjoint(np.ndarray.dot)
def dot_method(g, out, self, b, out_=None):
    axes = dot_axes(self, b)
    return tdot_ga(g, self, b, axes), tdot_gb(g, self, b, axes)


@adjoint(np.inner, kind="scalar")
def inner_scalar(g, out, a, b):
    return g * b, g * a


@adjoint(np.inner)
def inner(g, out, a, b):
    axes = inner_axes(a, b)
    return tdot_ga(g, a, b, axes), tdot_gb(g, a, b, axes)


@adjoint(np.outer)
def outer(g, out, a, b, out_=None):
    return (reshape_to(np.dot(g, reshape_to(b, (-1,))), np.shape(a)),
            reshape_to(np.dot(reshape_to(a, (-1,)), g), np.shape(b)))


@adjoint(np.kron)
def kron(g, out, a, b):
    split, pa, pb, spec_a, spec_b = kron_plan(a, b)
    gs = reshape_to(g, split)
    return (reshape_to(np.einsum(spec_a, gs, reshape_to(b, pb)), np.shape(a)),
            reshape_to(np.einsum(spec_b, reshape_to(a, pa), gs), np.shape(b)))


@adjoint(np.cross)
def cross(g, out, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return (unbroadcast(np.cross(b, g, axisb, axisc, axisa, axis), a),
            unbroadcast(np.cross(g, a, axisc, axisa, axisb, axis), b))


@adjoint(np.trace)
def trace(g, out, a, offset=0, axis1=0, axis2=1, dtype=None, out_=None):
    return trace_adjoint(g, a, offset, axis1, axis2)


@adjoint(np.ndarray.trace)
def trace_method(g, out, self, offset=0, axis1=0, axis2=1, dtype=None, out_=None):
    return trace_adjoint(g, self, offset, axis1, axis2)


# -- einsum: one variant per operand count (the subscripts are not differentiated) ---


@adjoint(np.einsum, nargs=2)
def einsum_1(g, out, subscripts, a, optimize=False):
    s0, e0 = einsum_adjoint_specs(subscripts, a)
    return None, einsum_expand(np.einsum(s0, g, optimize=optimize), e0, a)


@adjoint(np.einsum, nargs=3)
def einsum_2(g, out, subscripts, a, b, optimize=False):
    s0, e0, s1, e1 = einsum_adjoint_specs(subscripts, a, b)
    return (None,
            einsum_expand(np.einsum(s0, g, b, optimize=optimize), e0, a),
            einsum_expand(np.einsum(s1, a, g, optimize=optimize), e1, b))


@adjoint(np.einsum, nargs=4)
def einsum_3(g, out, subscripts, a, b, c, optimize=False):
    s0, e0, s1, e1, s2, e2 = einsum_adjoint_specs(subscripts, a, b, c)
    return (None,
            einsum_expand(np.einsum(s0, g, b, c, optimize=optimize), e0, a),
            einsum_expand(np.einsum(s1, a, g, c, optimize=optimize), e1, b),
            einsum_expand(np.einsum(s2, a, b, g, optimize=optimize), e2, c))


@adjoint(np.einsum, nargs=5)
def einsum_4(g, out, subscripts, a, b, c, d, optimize=False):
    s0, e0, s1, e1, s2, e2, s3, e3 = einsum_adjoint_specs(subscripts, a, b, c, d)
    return (None,
            einsum_expand(np.einsum(s0, g, b, c, d, optimize=optimize), e0, a),
            einsum_expand(np.einsum(s1, a, g, c, d, optimize=optimize), e1, b),
            einsum_expand(np.einsum(s2, a, b, g, d, optimize=optimize), e2, c),
            einsum_expand(np.einsum(s3, a, b, c, g, optimize=optimize), e3, d))


# -- np.linalg --------------------------------------------------------------------


@adjoint(np.linalg.inv)
def inv(g, out, a):
    ot = mT(out)
    return -np.matmul(np.matmul(ot, g), ot)


@adjoint(np.linalg.solve)
def solve(g, out, a, b):
    k = 1 if np.ndim(b) == 1 else 0          # NumPy 2: b is a vector only when 1-D
    gb = np.linalg.solve(mT(a), add_axes(g, k))
    return unbroadcast(-np.matmul(gb, mT(add_axes(out, k))), a), unbroadcast(drop_axes(gb, k), b)


@adjoint(np.linalg.det)
def det(g, out, a):
    return add_axes(g * out, 2) * mT(np.linalg.inv(a))


@adjoint(np.linalg.slogdet)
def slogdet(g, out, a):
    return add_axes(g[1], 2) * mT(np.linalg.inv(a))


@adjoint(np.linalg.cholesky)
def cholesky(g, out, a, upper=False):
    low = mT(out) if upper else out
    g_low = mT(g) if upper else g
    inv_low = np.linalg.inv(low)
    s = np.matmul(mT(inv_low), np.matmul(tril_half(np.matmul(mT(low), g_low)), inv_low))
    return 0.5 * (s + mT(s))
