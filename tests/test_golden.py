"""The generated source of the examples, kept as golden files.

A change to generated code shows up here as a diff to review. To accept a
deliberate change: ``SRCGRAD_UPDATE_GOLDEN=1 make test`` and commit the files.
"""

import os
import pathlib

import pytest

import srcgrad

GOLDEN = pathlib.Path(__file__).parent / "golden"


def _goldstein():
    from examples.goldstein import goldstein
    return srcgrad.grad(goldstein, wrt=(0, 1)), (1.0, 1.0)


CASES = {
    "goldstein_grad": _goldstein,
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
