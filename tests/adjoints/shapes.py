"""Shared inputs for rule tests: shapes, broadcasting pairs, random arrays."""

import numpy as np

UNARY_SHAPES = [(), (3,), (2, 3), (2, 3, 4)]
BINARY_SHAPES = [
    ((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 3, 4), (2, 3, 4)),   # same shapes
    ((2, 3), (3,)), ((3,), (2, 3)), ((2, 1), (1, 3)), ((2, 3, 4), (4,)),  # broadcasting
    ((), (2, 3)), ((2, 3), ()), ((4, 1, 3), (2, 1)),
]


def rand(shape, seed=0, low=None, high=None, positive=False):
    """A float array (or a Python float for shape ()), away from 0 if ``positive``."""
    rng = np.random.default_rng(abs(hash((shape, seed))) % 2**32)
    if low is not None:
        x = rng.uniform(low, high, size=shape)
    elif positive:
        x = rng.uniform(0.5, 2.0, size=shape)
    else:
        x = rng.standard_normal(shape)
    return float(x) if shape == () else x
