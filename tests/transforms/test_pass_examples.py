"""Each pass's docstring shows a before/after example; this keeps them true.

The "Before" function runs through the pipeline up to (and including) that
pass; its generated text must equal the "After" block.
"""

import importlib.util
import textwrap

import pytest

from srcgrad import codegen, options, pipeline

PASSES = [p for p in pipeline.NORMALIZE + pipeline.DIFFERENTIATE]


def _indented_block(lines, start):
    """The literal block following ``lines[start]`` (a line ending in '::')."""
    head_indent = len(lines[start]) - len(lines[start].lstrip())
    block = []
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= head_indent:
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)).strip("\n")


def _blocks(doc):
    lines = doc.splitlines()
    heads = {}
    for index, line in enumerate(lines):
        word = line.strip().split(" ")[0].rstrip(":")
        if word in ("Before", "After") and line.rstrip().endswith("::") and word not in heads:
            heads[word] = index
    assert set(heads) == {"Before", "After"}, "docstring needs 'Before::' and 'After::' blocks"
    return _indented_block(lines, heads["Before"]), _indented_block(lines, heads["After"])


def _argument_shapes(doc):
    """``Argument shapes: W=(3, 2), b=(2,)`` in a docstring -> {"W": (3, 2), "b": (2,)}."""
    for line in doc.splitlines():
        if line.strip().startswith("Argument shapes:"):
            text = line.split(":", 1)[1]
            return eval(f"dict({text})")  # noqa: S307  (our own docstring)
    return None


def _stage_text(before, stop_after, tmp_path, wrt, shapes=None):
    path = tmp_path / "example_module.py"
    path.write_text("import math\nimport numpy as np\n\n" + before)
    spec = importlib.util.spec_from_file_location(f"example_{stop_after}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = next(v for k, v in vars(module).items() if callable(v) and k not in ("np", "math")
              and getattr(v, "__module__", None) == module.__name__)
    if stop_after in [p.name for p in pipeline.NORMALIZE]:
        ctx = pipeline.normalize(fn, stop_after=stop_after)
        return codegen.to_source([ctx.node])
    params = fn.__code__.co_varnames[:fn.__code__.co_argcount]
    shapes = shapes or {}
    kinds = {name: "array" if name in shapes else "scalar" for name in params}
    ctx = pipeline.get_unit(fn, "grad", wrt, kinds, len(wrt) > 1, stop_after=stop_after,
                            param_shapes=shapes or None)
    return codegen.to_source(ctx.facts["generated"])


@pytest.mark.parametrize("pass_", PASSES, ids=lambda p: p.name)
def test_docstring_example_is_what_the_pass_does(pass_, tmp_path):
    if pass_.name == "check_supported":
        pytest.skip("CheckSupported changes nothing; its example is an error")
    if not options.optimize and pass_.name in ("simplify", "specialize_shapes",
                                               "name_temporaries"):
        pytest.skip("the example shows optimized code (SRCGRAD_OPTIMIZE=0)")
    before, after = _blocks(pass_.__doc__)
    shapes = _argument_shapes(pass_.__doc__)
    wrt = list(shapes)[:2] if shapes else ["x"]
    got = _stage_text(before, pass_.name, tmp_path, wrt, shapes)
    assert got.strip() == after.strip(), f"\n--- docstring After:\n{after}\n--- actual:\n{got}"
