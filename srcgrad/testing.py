"""``check_grads``: srcgrad's derivatives against central differences.

For each argument differentiated, the derivative along a few random
directions (and, for non-scalar outputs, against a random cotangent) is
compared with the central difference of ``f`` itself. For ``order=k``, the
same check runs on the (k-1)-th derivative (an array-valued derivative is
first contracted with a fixed random array, so ``grad`` applies to it), so
every order is checked against differences of the order below.
"""

from __future__ import annotations

import numpy as np

from . import trees


def _vdot(a, b):
    la, _ = trees.flatten(a)
    lb, _ = trees.flatten(b)
    return float(sum(np.vdot(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
                     for x, y in zip(la, lb)))


def _random_like(tree, rng):
    leaves, rebuild = trees.flatten(tree)
    out = []
    for leaf in leaves:
        if isinstance(leaf, np.ndarray):
            out.append(rng.standard_normal(leaf.shape).astype(leaf.dtype
                                                               if np.issubdtype(leaf.dtype,
                                                                                np.floating)
                                                               else float))
        else:
            out.append(float(rng.standard_normal()))
    return rebuild(out)


def _axpy(alpha, x, y):
    """``y + alpha * x`` for pytrees."""
    lx, _ = trees.flatten(x)
    ly, rebuild = trees.flatten(y)
    return rebuild([b + alpha * a for a, b in zip(lx, ly)])


def _default_wrt(args):
    positions = []
    for i, value in enumerate(args):
        leaves, _ = trees.flatten(value)
        if leaves and all(trees.is_differentiable_leaf(leaf) for leaf in leaves):
            positions.append(i)
    return tuple(positions)


def check_grads(f, args, order=1, wrt=None, *, eps=None, rtol=1e-4, atol=1e-6, directions=2,
                seed=0):
    """Check srcgrad's derivatives of ``f`` at ``args`` against central differences.

    Args:
        f: the function (any output: scalar, array, tuple of arrays).
        args: the point, a tuple of arguments.
        order: check derivatives up to this order.
        wrt: positions to differentiate (default: every float/float-array argument).
        eps: finite-difference step (default: 1e-6 in float64, 1e-3 in float32).
        rtol, atol: tolerances on each directional derivative.

    Returns:
        None when all agree.

    Raises:
        AssertionError: naming the argument, order and direction with the
            worst mismatch, with the analytic and numeric values.

    Example::

        >>> import srcgrad
        >>> srcgrad.check_grads(lambda x: x ** 3, (2.0,), order=1)
    """
    from .api import vjp

    args = tuple(args)
    positions = _default_wrt(args) if wrt is None else (
        (wrt,) if isinstance(wrt, int) else tuple(wrt))
    rng = np.random.default_rng(seed)
    worst = None
    for position in positions:
        mismatch = _check_one(f, args, position, rng, eps, rtol, atol, directions, vjp)
        if mismatch is not None and (worst is None or mismatch[0] > worst[0]):
            worst = mismatch
    if worst is not None:
        raise AssertionError(worst[1])
    if order > 1:
        from .api import grad
        for position in positions:
            # the first derivative is a srcgrad function of the same arguments
            derivative = grad(f, wrt=position)
            if order > 2:
                derivative = _scalarized(derivative, args, rng)
            check_grads(derivative, args, order - 1, wrt=positions, eps=eps,
                        rtol=rtol, atol=atol, directions=directions, seed=seed + 1)
    return None


def _scalarized(derivative, args, rng):
    """``x -> <derivative(x), u>`` for a fixed random ``u`` when the derivative is an array.

    ``grad`` needs a scalar output, so the derivatives of an array-valued
    derivative are checked along a random direction; the function is written
    out as source so srcgrad differentiates it like any other.
    """
    sample = derivative(*args)
    if not isinstance(sample, np.ndarray) or not _is_nonscalar(sample):
        return derivative
    from .compile import register_source

    names = [f"a{i}" for i in range(len(args))]
    text = (f"def make(derivative, direction, np):\n"
            f"    def along_direction({', '.join(names)}):\n"
            f"        return np.sum(derivative({', '.join(names)}) * direction)\n"
            f"    return along_direction\n")
    namespace = {}
    exec(compile(text, register_source("check_grads direction", text), "exec"), namespace)
    direction = rng.standard_normal(sample.shape).astype(sample.dtype)
    scalar = namespace["make"](derivative, direction, np)
    scalar.__qualname__ = f"<{getattr(derivative, '__qualname__', 'derivative')}, u>"
    return scalar


def _check_one(f, args, position, rng, eps, rtol, atol, directions, vjp):
    value, pullback = vjp(f, wrt=position)(*args)
    x = args[position]
    leaves, _ = trees.flatten(x)
    low_precision = any(isinstance(leaf, np.ndarray) and leaf.dtype == np.float32
                        for leaf in leaves)
    step = eps if eps is not None else (1e-3 if low_precision else 1e-6)
    tol_scale = 1e3 if low_precision else 1.0
    cotangent = _random_like(value, rng) if _is_nonscalar(value) else 1.0
    grad = pullback(cotangent)
    worst = None
    for _ in range(directions):
        v = _random_like(x, rng)
        analytic = _vdot(grad, v)
        up = list(args)
        up[position] = _axpy(step, v, x)
        down = list(args)
        down[position] = _axpy(-step, v, x)
        numeric = (_vdot(f(*up), cotangent) - _vdot(f(*down), cotangent)) / (2 * step)
        error = abs(analytic - numeric)
        allowed = tol_scale * (atol + rtol * max(abs(numeric), abs(analytic)))
        if not np.isfinite(analytic) or error > allowed:
            ratio = error / allowed if np.isfinite(error) else np.inf
            message = (f"check_grads: derivative of {getattr(f, '__qualname__', f)} with respect "
                       f"to argument {position} disagrees with central differences:\n"
                       f"  analytic {analytic!r}\n  numeric  {numeric!r}\n"
                       f"  abs error {error:.3g} (allowed {allowed:.3g}) along a random "
                       f"direction, step {step}")
            if worst is None or ratio > worst[0]:
                worst = (ratio, message)
    return worst


def _is_nonscalar(value):
    if isinstance(value, np.ndarray):
        return value.size != 1 or value.ndim > 0
    return isinstance(value, (list, tuple, dict))
