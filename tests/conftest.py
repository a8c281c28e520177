"""Shared test helpers: central differences and comparison."""

import numpy as np
import pytest

from srcgrad import options


def numeric_grad(f, args, index, eps=1e-6):
    """Central-difference partial derivative of scalar ``f`` w.r.t. ``args[index]``."""
    args = list(args)
    x = args[index]
    if isinstance(x, np.ndarray):
        grad = np.zeros_like(x, dtype=float)
        flat = grad.reshape(-1)
        for k in range(x.size):
            up, down = x.copy().reshape(-1), x.copy().reshape(-1)
            up[k] += eps
            down[k] -= eps
            args[index] = up.reshape(x.shape)
            f_up = f(*args)
            args[index] = down.reshape(x.shape)
            f_down = f(*args)
            flat[k] = (f_up - f_down) / (2 * eps)
        return grad
    args[index] = x + eps
    f_up = f(*args)
    args[index] = x - eps
    f_down = f(*args)
    return (f_up - f_down) / (2 * eps)


def assert_grad_matches(f, *args, wrt=None, rtol=1e-5, atol=1e-6):
    """srcgrad's gradient of ``f`` at ``args`` equals central differences."""
    import srcgrad

    positions = tuple(range(len(args))) if wrt is None else tuple(wrt)
    got = srcgrad.grad(f, wrt=positions)(*args)
    for pos, value in zip(positions, got):
        expected = numeric_grad(f, args, pos)
        np.testing.assert_allclose(value, expected, rtol=rtol, atol=atol,
                                   err_msg=f"d/d(arg {pos}) of {f.__name__} at {args}")
    return got


@pytest.fixture
def check():
    return assert_grad_matches


# Tests of the exact text of optimized generated code; the suite also runs with
# SRCGRAD_OPTIMIZE=0 (make test), where only the results must not change.
needs_optimizations = pytest.mark.skipif(
    not options.optimize, reason="checks the text of optimized code (SRCGRAD_OPTIMIZE=0)")
