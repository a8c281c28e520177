"""Each optimization of generated code, as a golden before/after pair.

"Before" is the generated code with optimizations off (``SRCGRAD_OPTIMIZE=0``),
"after" with them on; both are kept in ``tests/golden/optimizations`` and
reviewed as diffs. Each case also checks that the optimization did what it is
for (the pattern it removes is gone) and that both versions compute the same
gradient, equal to central differences. To accept a deliberate change:
``SRCGRAD_UPDATE_GOLDEN=1 make test``.
"""

import math
import os
import pathlib

import numpy as np
import pytest

import srcgrad
from srcgrad import options

GOLDEN = pathlib.Path(__file__).parent.parent / "golden" / "optimizations"


def folding(x):
    y = x ** 2 + 3.0
    return y * x


def copies(x, y):
    a = x
    b = a * y
    c = b
    return c * a


def fusion(x, y):
    return math.sin(x * y + 1.0) * (x - y)


def dead_code(W, X):
    scores = X @ W
    return np.mean(scores ** 2)


def unread_saves(W, h0, xs):
    h = h0
    for t in range(3):
        h = np.tanh(xs[t] @ W + h)
    return np.sum(h * h)


def shapes(W, b, X, y):
    h = np.tanh(X @ W + b)
    return np.mean((h - y) ** 2)


def _lines(text):
    """The code lines (comments dropped), stripped."""
    return [line.strip() for line in text.splitlines() if not line.strip().startswith("#")]


def _has(line):
    return lambda text: line in _lines(text)


def _contains(fragment):
    return lambda text: any(fragment in line for line in _lines(text))


def _saves_more_than(n):
    return lambda text: sum(line.startswith("stack.append(") for line in _lines(text)) > n


rng = np.random.default_rng(11)
CASES = {
    # name: (function, args, wrt, what the optimization removes: true before, false after)
    "fold_constants": (folding, (1.3,), 0, _contains("(2 - 1)")),
    "propagate_copies": (copies, (0.7, -1.2), (0, 1), _has("a = x")),
    "fuse_single_use": (fusion, (0.4, 0.9), (0, 1), _has("t1 = x * y")),
    "drop_dead_assignments": (dead_code, (rng.standard_normal((3, 2)),
                                          rng.standard_normal((4, 3))), 0, _contains("np.mean(")),
    "drop_unread_saves": (unread_saves, (rng.standard_normal((3, 3)) * 0.5,
                                         rng.standard_normal((2, 3)),
                                         rng.standard_normal((3, 2, 3))), (0, 1),
                          _saves_more_than(2)),
    "specialize_shapes": (shapes, (rng.standard_normal((3, 4)), rng.standard_normal(4),
                                   rng.standard_normal((5, 3)), rng.standard_normal((5, 4))),
                          (0, 1), _contains("unbroadcast(")),
}


def _generated(f, args, wrt, optimize):
    saved = options.optimize
    options.optimize = optimize
    try:
        g = srcgrad.grad(f, wrt=wrt)
        return srcgrad.source(g, *args), g(*args)
    finally:
        options.optimize = saved


def _golden(path, text):
    if os.environ.get("SRCGRAD_UPDATE_GOLDEN") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path.read_text()


@pytest.mark.parametrize("name", sorted(CASES))
def test_optimization_before_and_after(name):
    f, args, wrt, removed = CASES[name]
    before, plain = _generated(f, args, wrt, optimize=False)
    after, optimized = _generated(f, args, wrt, optimize=True)
    assert before == _golden(GOLDEN / f"{name}.before.py", before), f"see {name}.before.py"
    assert after == _golden(GOLDEN / f"{name}.after.py", after), f"see {name}.after.py"
    assert removed(before) and not removed(after)
    plain = plain if isinstance(wrt, tuple) else (plain,)
    optimized = optimized if isinstance(wrt, tuple) else (optimized,)
    for p, o in zip(plain, optimized):
        np.testing.assert_allclose(p, o, rtol=1e-12, atol=1e-12)
    srcgrad.check_grads(f, args, wrt=wrt)
