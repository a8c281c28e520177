"""Adjoint rules, grouped by family; importing this package registers them all."""

from . import elementwise, operators, reductions, scalar_math  # noqa: F401  (registration)
from .registry import adjoint, nondifferentiable

__all__ = ["adjoint", "nondifferentiable"]
