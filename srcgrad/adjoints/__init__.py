"""Adjoint rules, grouped by family; importing this package registers them all."""

from . import elementwise, indexing, linalg, methods, operators, reductions, scalar_math  # noqa: F401  (importing registers the rules)
from .registry import adjoint, nondifferentiable

__all__ = ["adjoint", "nondifferentiable"]
