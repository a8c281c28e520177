"""Rules of NumPy's reductions, checked against central differences.

Each reduction is wrapped in a module-level function
``np.sum(w * np.sin(red(x, axis, keepdims)))`` (srcgrad reads its source):
the weight ``w`` (the output's shape) makes the cotangent reaching the rule
a random array, ``sin`` makes the second derivative depend on the rule's
cotangent path as well as on its ``x`` path, and the sum gives a scalar so
the same function is checked at order 1 and at order 2 (with respect to
``w`` too). ``axis`` and ``keepdims`` are extra, non-differentiable
arguments, over a grid of 1-D, 2-D and 3-D shapes.
"""

import numpy as np
import pytest

import srcgrad
from srcgrad.adjoints import reductions as R
from tests.adjoints.shapes import rand

COVERED = {
    np.sum, np.ndarray.sum, np.mean, np.ndarray.mean, np.prod, np.ndarray.prod,
    np.max, np.amax, np.ndarray.max, np.min, np.amin, np.ndarray.min,
    np.var, np.ndarray.var, np.std, np.ndarray.std,
    np.cumsum, np.ndarray.cumsum, np.cumprod, np.ndarray.cumprod, np.linalg.norm,
    # helpers the rules call (their rules make generated code differentiable again)
    R._to_last, R._from_last, R._prod_others_last, R._bcast_offdiag, R._rcumsum,
    R._reshape_as,
}

SHAPES = [(4,), (3, 4), (2, 3, 4)]
AXES = [None, 0, 1, -1, (0, 1), (0, -1)]


def _valid(shape, axis):
    if axis is None:
        return True
    axes = (axis,) if isinstance(axis, int) else axis
    if any(not -len(shape) <= a < len(shape) for a in axes):
        return False
    return len({a % len(shape) for a in axes}) == len(axes)


GRID = [(shape, axis, keepdims) for shape in SHAPES for axis in AXES if _valid(shape, axis)
        for keepdims in (False, True)]
SMALL_GRID = [(shape, axis, keepdims) for shape, axis, keepdims in GRID
              if shape != (4,) and axis in (None, -1, (0, -1)) and keepdims == (axis == -1)]


def _hessian(f, x):
    """The Hessian of scalar ``f`` at 1-D ``x``, by pulling back ``grad(f)``."""
    _, pullback = srcgrad.vjp(srcgrad.grad(f))(x)
    return np.stack([pullback(e) for e in np.eye(x.size)])


def _ids(case):
    shape, axis, keepdims = case
    return f"{'x'.join(map(str, shape))}-axis={axis}-keepdims={keepdims}"


# ------------------------------------------------------------------ the wrapped primals

def f_sum(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.sum(np.sin(x) * x, axis=axis, keepdims=keepdims)))


def m_sum(x, w, axis, keepdims):
    return np.sum(w * np.sin((np.sin(x) * x).sum(axis=axis, keepdims=keepdims)))


def f_mean(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.mean(np.sin(x) * x, axis=axis, keepdims=keepdims)))


def m_mean(x, w, axis, keepdims):
    return np.sum(w * np.sin((np.sin(x) * x).mean(axis=axis, keepdims=keepdims)))


def f_prod(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.prod(x, axis=axis, keepdims=keepdims)))


def m_prod(x, w, axis, keepdims):
    return np.sum(w * np.sin(x.prod(axis=axis, keepdims=keepdims)))


def f_max(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.max(x, axis=axis, keepdims=keepdims)))


def f_amax(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.amax(x, axis=axis, keepdims=keepdims)))


def m_max(x, w, axis, keepdims):
    return np.sum(w * np.sin(x.max(axis=axis, keepdims=keepdims)))


def f_min(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.min(x, axis=axis, keepdims=keepdims)))


def f_amin(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.amin(x, axis=axis, keepdims=keepdims)))


def m_min(x, w, axis, keepdims):
    return np.sum(w * np.sin(x.min(axis=axis, keepdims=keepdims)))


def f_var(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.var(x, axis=axis, keepdims=keepdims)))


def f_var_ddof(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.var(x, axis, None, None, 1, keepdims)))


def m_var(x, w, axis, keepdims):
    return np.sum(w * np.sin(x.var(axis=axis, ddof=1, keepdims=keepdims)))


def f_std(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.std(x, axis=axis, keepdims=keepdims)))


def f_std_ddof(x, w, axis, keepdims):
    return np.sum(w * np.sin(np.std(x, axis=axis, ddof=1, keepdims=keepdims)))


def m_std(x, w, axis, keepdims):
    return np.sum(w * np.sin(x.std(axis=axis, ddof=1, keepdims=keepdims)))


REDUCTIONS = {
    f_sum: np.sum, m_sum: np.sum, f_mean: np.mean, m_mean: np.mean,
    f_prod: np.prod, m_prod: np.prod,
    f_max: np.max, f_amax: np.max, m_max: np.max, f_min: np.min, f_amin: np.min,
    m_min: np.min,
    f_var: np.var, f_var_ddof: np.var, m_var: np.var,
    f_std: np.std, f_std_ddof: np.std, m_std: np.std,
}
# the function forms get the whole grid, the method and alias forms a sample of it
FULL = [f_sum, f_mean, f_prod, f_max, f_min, f_var_ddof, f_std]
SAMPLED = [m_sum, m_mean, m_prod, f_amax, m_max, f_amin, m_min, f_var, m_var, f_std_ddof, m_std]


def _point(f, shape, axis, keepdims, seed=0, dtype=np.float64):
    x = rand(shape, seed=seed)
    if f in (f_prod, m_prod):
        x = x * 0.5 + np.sign(x)  # |x| in about [0.5, 2]: products of 24 stay moderate
    out = REDUCTIONS[f](x, axis=axis, keepdims=keepdims)
    w = rand(np.shape(out), seed=seed + 1)
    if dtype != np.float64:
        x = x.astype(dtype)
        w = np.asarray(w, dtype=dtype)
    return x, w


@pytest.mark.parametrize("case", GRID, ids=_ids)
@pytest.mark.parametrize("f", FULL, ids=lambda f: f.__name__)
def test_reduction_grid(f, case):
    shape, axis, keepdims = case
    x, w = _point(f, shape, axis, keepdims)
    srcgrad.check_grads(f, (x, w, axis, keepdims), order=2, wrt=(0, 1))


@pytest.mark.parametrize("case", SMALL_GRID, ids=_ids)
@pytest.mark.parametrize("f", SAMPLED, ids=lambda f: f.__name__)
def test_reduction_methods_and_aliases(f, case):
    shape, axis, keepdims = case
    x, w = _point(f, shape, axis, keepdims, seed=3)
    srcgrad.check_grads(f, (x, w, axis, keepdims), order=2, wrt=(0, 1))


@pytest.mark.parametrize("f", FULL + SAMPLED, ids=lambda f: f.__name__)
def test_float32_in_float32_gradient_out(f):
    x, w = _point(f, (3, 4), 1, False, seed=5, dtype=np.float32)
    gx, gw = srcgrad.grad(f, wrt=(0, 1))(x, w, 1, False)
    assert gx.dtype == np.float32 and gw.dtype == np.float32
    assert gx.shape == x.shape and gw.shape == w.shape
    srcgrad.check_grads(f, (x, w, 1, False), order=1, wrt=(0, 1))


# ------------------------------------------------------------------ prod with zeros

def f_prod_all(x):
    return np.prod(x)


def f_prod_method_all(x):
    return x.prod()


def f_prod_axis(x, w, axis):
    return np.sum(w * np.prod(x, axis=axis))


def _with_zeros():
    x = rand((3, 4), seed=7)
    x[0, 1] = 0.0                    # row 0: one zero
    x[1, 0] = x[1, 3] = 0.0          # row 1: two zeros
    x[2, :] = [0.0, 0.0, 0.0, 2.0]   # row 2: three zeros
    return x


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
def test_prod_with_zeros_against_finite_differences(axis):
    x = _with_zeros()
    w = rand(np.shape(np.prod(x, axis=axis)), seed=8)
    srcgrad.check_grads(f_prod_axis, (x, w, axis), order=2, wrt=(0, 1))


def test_prod_with_zeros_exact_values():
    x = np.array([2.0, 0.0, 3.0, 5.0])
    np.testing.assert_array_equal(srcgrad.grad(f_prod_all)(x), [0.0, 30.0, 0.0, 0.0])
    np.testing.assert_array_equal(srcgrad.grad(f_prod_method_all)(x), [0.0, 30.0, 0.0, 0.0])
    two = np.array([2.0, 0.0, 3.0, 0.0])
    np.testing.assert_array_equal(srcgrad.grad(f_prod_all)(two), np.zeros(4))
    # the Hessian is not zero: d2/dx1 dx3 prod = 2 * 3
    h = _hessian(f_prod_all, two)
    expected = np.zeros((4, 4))
    expected[1, 3] = expected[3, 1] = 6.0
    np.testing.assert_allclose(h, expected)
    assert np.all(np.isfinite(srcgrad.grad(f_prod_all)(np.zeros(5))))


# ------------------------------------------------------------------ max / min ties

def f_max_all(x):
    return np.max(x)


def f_min_axis0(x):
    return np.sum(np.min(x, axis=0) * np.array([1.0, 10.0]))


def test_max_ties_split_the_gradient_equally():
    np.testing.assert_allclose(srcgrad.grad(f_max_all)(np.array([1.0, 3.0, 3.0, -2.0])),
                               [0.0, 0.5, 0.5, 0.0])
    x = np.array([[1.0, 4.0], [1.0, 2.0], [1.0, 3.0]])
    np.testing.assert_allclose(srcgrad.grad(f_min_axis0)(x),
                               [[1 / 3, 0.0], [1 / 3, 10.0], [1 / 3, 0.0]])


# ------------------------------------------------------------------ cumsum, cumprod

def f_cumsum(x, w, axis):
    return np.sum(w * np.sin(np.cumsum(np.sin(x) * x, axis=axis)))


def m_cumsum(x, w, axis):
    return np.sum(w * np.sin((np.sin(x) * x).cumsum(axis=axis)))


def f_cumprod(x, w, axis):
    return np.sum(w * np.sin(np.cumprod(x, axis=axis)))


def m_cumprod(x, w, axis):
    return np.sum(w * np.sin(x.cumprod(axis)))


CUM_GRID = [(shape, axis) for shape in SHAPES for axis in (None, 0, 1, -1)
            if _valid(shape, axis)]
CUMULATIVE = {f_cumsum: np.cumsum, m_cumsum: np.cumsum, f_cumprod: np.cumprod,
              m_cumprod: np.cumprod}


@pytest.mark.parametrize("case", CUM_GRID, ids=lambda c: f"{c[0]}-axis={c[1]}")
@pytest.mark.parametrize("f", list(CUMULATIVE), ids=lambda f: f.__name__)
def test_cumulative(f, case):
    shape, axis = case
    x = rand(shape, seed=11)
    if CUMULATIVE[f] is np.cumprod:
        x = x * 0.3 + np.sign(x)  # nonzero, |x| in about [0.7, 2]
    w = rand(np.shape(CUMULATIVE[f](x, axis=axis)), seed=12)
    srcgrad.check_grads(f, (x, w, axis), order=2, wrt=(0, 1))
    gx = srcgrad.grad(f)(x.astype(np.float32), w.astype(np.float32), axis)
    assert gx.dtype == np.float32 and gx.shape == x.shape


# ------------------------------------------------------------------ norm

def f_norm(x, w, ord, axis, keepdims):
    return np.sum(w * np.sin(np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)))


def f_norm_positional(x, w, ord, axis, keepdims):
    return np.sum(w * np.sin(np.linalg.norm(x, ord, axis, keepdims)))


def f_norm_plain(x):
    return np.linalg.norm(x)


VECTOR_ORDS = [None, 2, 1, np.inf, -np.inf, 3, 1.5, 0.5, -2]
VECTOR_CASES = [((5,), None), ((5,), 0), ((3, 4), 1), ((3, 4), -2), ((2, 3, 4), -1)]
MATRIX_ORDS = [None, "fro", 1, -1, np.inf, -np.inf]
MATRIX_CASES = [((3, 4), None), ((3, 4), (1, 0)), ((2, 3, 4), (0, 2)), ((2, 3, 4), (-1, -2))]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("case", VECTOR_CASES, ids=lambda c: f"{c[0]}-axis={c[1]}")
@pytest.mark.parametrize("ord", VECTOR_ORDS, ids=str)
def test_vector_norm(ord, case, keepdims):
    shape, axis = case
    x = rand(shape, seed=21)
    w = rand(np.shape(np.linalg.norm(x, ord, axis, keepdims)), seed=22)
    # every order is smooth away from ties and zeros (1, inf: piecewise linear)
    srcgrad.check_grads(f_norm, (x, w, ord, axis, keepdims), order=2, wrt=(0, 1))


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("case", MATRIX_CASES, ids=lambda c: f"{c[0]}-axis={c[1]}")
@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_matrix_norm(ord, case, keepdims):
    shape, axis = case
    x = rand(shape, seed=23)
    w = rand(np.shape(np.linalg.norm(x, ord, axis, keepdims)), seed=24)
    srcgrad.check_grads(f_norm, (x, w, ord, axis, keepdims), order=2, wrt=(0, 1))


def test_norm_positional_arguments_whole_array_and_float32():
    x = rand((2, 3, 4), seed=25)
    srcgrad.check_grads(f_norm_positional, (x, 0.7, None, None, False), order=2, wrt=(0, 1))
    srcgrad.check_grads(f_norm_positional, (x, rand((1, 1, 1)), None, None, True), order=2,
                        wrt=(0, 1))
    np.testing.assert_allclose(srcgrad.grad(f_norm_plain)(x), x / np.linalg.norm(x))
    g32 = srcgrad.grad(f_norm)(x.astype(np.float32), np.ones(3, np.float32), 1, (0, 2), False)
    assert g32.dtype == np.float32


def test_norm_zero_order_counts_and_has_zero_gradient():
    x = rand((5,), seed=26)
    np.testing.assert_array_equal(srcgrad.grad(f_norm)(x, 1.0, 0, None, False), np.zeros(5))


def test_norm_inf_ties_split_equally():
    x = np.array([3.0, -1.0, -3.0, 2.0])
    np.testing.assert_allclose(srcgrad.grad(f_norm_plain_inf)(x), [0.5, 0.0, -0.5, 0.0])


def f_norm_plain_inf(x):
    return np.linalg.norm(x, np.inf)


def test_matrix_norm_with_singular_values_is_reported():
    with pytest.raises(NotImplementedError, match="ord=2"):
        srcgrad.grad(f_norm)(rand((3, 4), seed=27), 1.0, 2, None, False)


# ------------------------------------------------------------------ logsumexp

def f_logsumexp(x, w, axis):
    m = np.max(x, axis, keepdims=True)
    return np.sum(w * (m + np.log(np.sum(np.exp(x - m), axis, keepdims=True))))


def f_logsumexp_all(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


LSE_CASES = [(shape, axis) for shape in SHAPES for axis in AXES if _valid(shape, axis)]


@pytest.mark.parametrize("case", LSE_CASES, ids=lambda c: f"{c[0]}-axis={c[1]}")
def test_logsumexp_pattern(case):
    shape, axis = case
    x = rand(shape, seed=31) * 3.0
    w = rand(np.shape(np.max(x, axis, keepdims=True)), seed=32)
    srcgrad.check_grads(f_logsumexp, (x, w, axis), order=2, wrt=(0, 1))
    # the max's gradient cancels: what is left is w times the softmax
    e = np.exp(x - np.max(x, axis, keepdims=True))
    softmax = e / np.sum(e, axis, keepdims=True)
    np.testing.assert_allclose(srcgrad.grad(f_logsumexp)(x, w, axis), w * softmax,
                               rtol=1e-12, atol=1e-15)


def test_logsumexp_of_large_values_is_finite():
    x = np.array([1000.0, 1001.0, 999.0])
    g = srcgrad.grad(f_logsumexp_all)(x)
    e = np.exp(x - 1001.0)
    np.testing.assert_allclose(g, e / e.sum(), rtol=1e-12)
    h = _hessian(f_logsumexp_all, x)
    p = e / e.sum()
    np.testing.assert_allclose(h, np.diag(p) - np.outer(p, p), atol=1e-12)


# ------------------------------------------------------------------ the helpers on their own

def h_prod_others(b, w):
    return np.sum(w * np.sin(R._prod_others_last(b)))


def h_to_from_last(a, w, axis):
    b = R._to_last(a, axis)
    return np.sum(w * np.sin(R._from_last(b * b, a, axis)))


def h_rcumsum(x, w, axis):
    return np.sum(w * np.sin(R._rcumsum(x * x, axis)))


@pytest.mark.parametrize("shape", [(4,), (2, 5)])
def test_prod_others_helper_to_order_2(shape):
    # order 2 of the helper is order 3 of prod: its rule's rule is exercised
    b = rand(shape, seed=41)
    b.flat[1] = 0.0
    srcgrad.check_grads(h_prod_others, (b, rand(shape, seed=42)), order=2)


@pytest.mark.parametrize("axis", [None, 1, (0, 2), (-1, 0)])
def test_to_last_from_last_helpers(axis):
    a = rand((2, 3, 4), seed=43)
    srcgrad.check_grads(h_to_from_last, (a, rand((2, 3, 4), seed=44), axis), order=2,
                        wrt=(0, 1))


def test_rcumsum_helper():
    x = rand((3, 4), seed=45)
    srcgrad.check_grads(h_rcumsum, (x, rand((3, 4), seed=46), 1), order=2, wrt=(0, 1))
    np.testing.assert_array_equal(R._rcumsum(np.array([1.0, 2.0, 3.0]), 0), [6.0, 5.0, 3.0])


# ------------------------------------------------------------------ keywords the rules do not know

def f_max_initial(x):
    return np.max(x, initial=0.0)


def test_unknown_keyword_is_an_error_not_a_wrong_gradient():
    with pytest.raises(srcgrad.SrcgradError, match="initial"):
        srcgrad.grad(f_max_initial)(rand((3,), seed=51))
