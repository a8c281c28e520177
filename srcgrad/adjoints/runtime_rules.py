"""Rules for the helpers generated code calls, so generated code can be differentiated again."""

from .. import runtime
from .registry import nondifferentiable

nondifferentiable(runtime.scalar_seed)
