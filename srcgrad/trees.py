"""Pytrees: nested dicts, lists and tuples with floats or arrays at the leaves.

>>> leaves, rebuild = flatten({"b": [1.0, 2.0], "a": (3.0,)})
>>> leaves
[3.0, 1.0, 2.0]
>>> rebuild([30.0, 10.0, 20.0])
{'b': [10.0, 20.0], 'a': (30.0,)}
"""

from __future__ import annotations

import numpy as np


def flatten(tree):
    """(leaves, rebuild) with dict keys visited in sorted order."""
    if isinstance(tree, dict):
        keys = sorted(tree, key=repr)
        parts = [flatten(tree[k]) for k in keys]
        counts = [len(p[0]) for p in parts]
        leaves = [leaf for p in parts for leaf in p[0]]

        def rebuild(values):
            out, start = {}, 0
            rebuilt = {}
            for key, (_, rb), n in zip(keys, parts, counts):
                rebuilt[key] = rb(values[start:start + n])
                start += n
            for key in tree:  # keep the caller's key order
                out[key] = rebuilt[key]
            return out
        return leaves, rebuild
    if isinstance(tree, (list, tuple)):
        parts = [flatten(item) for item in tree]
        counts = [len(p[0]) for p in parts]
        leaves = [leaf for p in parts for leaf in p[0]]
        kind = type(tree)

        def rebuild(values):
            items, start = [], 0
            for (_, rb), n in zip(parts, counts):
                items.append(rb(values[start:start + n]))
                start += n
            return kind(items) if kind in (list, tuple) else kind(*items)
        return leaves, rebuild
    return [tree], lambda values: values[0]


def zeros_like(tree):
    leaves, rebuild = flatten(tree)
    return rebuild([np.zeros_like(np.asarray(leaf, dtype=float)) if isinstance(leaf, np.ndarray)
                    else 0.0 for leaf in leaves])


def is_differentiable_leaf(value):
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, np.ndarray):
        return np.issubdtype(value.dtype, np.floating)
    return isinstance(value, (float, np.floating))
