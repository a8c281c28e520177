"""srcgrad: source-to-source reverse-mode automatic differentiation for Python and NumPy."""

from .adjoints import adjoint, nondifferentiable
from .api import grad, hessian, hvp, jacobian, show, source, value_and_grad, vjp
from .errors import (
                     NonDifferentiableArgumentError,
                     NonScalarOutputError,
                     NoRuleError,
                     SourceUnavailableError,
                     SrcgradError,
                     UnsupportedSyntaxError,
                     WrtError,
)
from .testing import check_grads

__version__ = "0.1.0"

__all__ = [
    "grad", "value_and_grad", "vjp", "source", "show", "adjoint", "nondifferentiable",
    "check_grads", "hessian", "hvp", "jacobian",
    "SrcgradError", "UnsupportedSyntaxError", "NoRuleError", "NonScalarOutputError",
    "NonDifferentiableArgumentError", "WrtError", "SourceUnavailableError", "__version__",
]
