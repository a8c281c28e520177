"""The generated source of the examples, kept as golden files.

A change to generated code shows up here as a diff to review. To accept a
deliberate change: ``SRCGRAD_UPDATE_GOLDEN=1 make test`` and commit the files.
"""

import os
import pathlib

import pytest

import srcgrad

from .conftest import needs_optimizations

pytestmark = needs_optimizations

GOLDEN = pathlib.Path(__file__).parent / "golden"


def _goldstein():
    from examples.goldstein import goldstein
    return srcgrad.grad(goldstein, wrt=(0, 1)), (1.0, 1.0)


def _small_mlp():
    from benchmarks import workloads_arrays as wa
    return srcgrad.grad(wa.small_mlp_loss, wrt=(0, 1, 2, 3)), wa.small_mlp_args()


def _linear_regression():
    import numpy as np

    from examples.linear_regression import mse
    rng = np.random.default_rng(0)
    return srcgrad.value_and_grad(mse, wrt=("w", "b")), (np.zeros(3), 0.0,
                                                          rng.standard_normal((5, 3)),
                                                          rng.standard_normal(5))


def _spiral_loss():
    import numpy as np

    from examples import mlp_spiral
    X, y = mlp_spiral.spiral(points_per_class=5)
    return srcgrad.grad(mlp_spiral.loss), (mlp_spiral.init_params(hidden=4), X, np.eye(3)[y])


CASES = {
    "goldstein_grad": _goldstein,
    "small_mlp_grad": _small_mlp,
    "linear_regression_value_and_grad": _linear_regression,
    "spiral_mlp_loss_grad": _spiral_loss,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_generated_source_matches_golden_file(name):
    g, args = CASES[name]()
    g(*args)  # specialize on the example's argument types
    text = srcgrad.source(g)
    path = GOLDEN / f"{name}.py"
    if os.environ.get("SRCGRAD_UPDATE_GOLDEN") or not path.exists():
        path.write_text(text)
    assert text == path.read_text(), f"generated source of {name} changed; see {path}"
    compile(text, str(path), "exec")
