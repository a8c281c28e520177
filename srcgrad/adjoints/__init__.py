"""Adjoint rules, grouped by family; importing this package registers them all.

| module | family |
|---|---|
| operators.py | ``+ - * / ** // % @``, unary minus |
| scalar_math.py | the ``math`` module and numeric builtins on floats |
| elementwise.py | NumPy ufuncs and other elementwise functions |
| reductions.py | sum, mean, prod, max, min, var, std, cumsum, norm, ... |
| shape.py | reshape, transpose, concatenate, stack, split, pad, ... |
| indexing.py | element writes (``x[i] = v``) |
| linalg.py | matmul, dot, einsum, inv, solve, det, cholesky, ... |
| nondiff.py | functions whose outputs carry no gradient |
| runtime_rules.py | the helpers generated code calls, so it can be differentiated again |
"""

from . import (  # noqa: F401  (importing registers the rules)
    elementwise,
    indexing,
    linalg,
    nondiff,
    operators,
    reductions,
    runtime_rules,
    scalar_math,
    shape,
)
from .registry import adjoint, nondifferentiable

__all__ = ["adjoint", "nondifferentiable"]
