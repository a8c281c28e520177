"""srcgrad.adjoint and srcgrad.nondifferentiable: users' own rules."""

import math

import numpy as np
import pytest

import srcgrad
from srcgrad import NoRuleError


def softplus_c(x):
    """Stands for a function srcgrad cannot read (a C extension)."""
    return np.log1p(np.exp(x))



@srcgrad.adjoint(softplus_c)
def softplus_c_adjoint(g, out, x):
    return g / (1.0 + np.exp(-x))


def uses_softplus(x):
    return np.sum(softplus_c(x) * x)


def test_a_registered_rule_is_used_instead_of_reading_the_source():
    x = np.array([-1.0, 0.5, 2.0])
    srcgrad.check_grads(uses_softplus, (x,), order=2)
    assert "softplus_c_adjoint" not in srcgrad.source(srcgrad.grad(uses_softplus), x)
    assert "np.exp(-x)" in srcgrad.source(srcgrad.grad(uses_softplus), x)


def two_outputs(a, b):
    return a * b, a + b


@srcgrad.adjoint(two_outputs)
def two_outputs_adjoint(g, out, a, b):
    ga, gb = g
    return ga * b + gb, ga * a + gb


def uses_two_outputs(x, y):
    p, s = two_outputs(x, y)
    return p * s


def test_a_rule_for_a_function_with_several_outputs():
    srcgrad.check_grads(uses_two_outputs, (1.5, -0.5))


def noisy_round(x):
    return math.floor(x * 10.0) / 10.0


srcgrad.nondifferentiable(noisy_round)


def uses_noisy_round(x):
    return x * x + noisy_round(x)


def test_nondifferentiable_functions_carry_no_gradient():
    assert srcgrad.grad(uses_noisy_round)(1.25) == pytest.approx(2.5)


def opaque(x):
    return x * 3.0


def test_the_error_for_a_missing_rule_says_how_to_register_one():
    import types
    code = compile("def hidden(v):\n    return v * 2.0\n", "<generated>", "exec")
    namespace = {}
    exec(code, namespace)
    hidden = namespace["hidden"]
    globals()["hidden"] = hidden

    def calls_hidden(x):
        return hidden(x) + x

    with pytest.raises(NoRuleError) as info:
        srcgrad.grad(calls_hidden)(1.0)
    assert "srcgrad.adjoint" in str(info.value) and "hidden" in str(info.value)
    assert isinstance(hidden, types.FunctionType)
