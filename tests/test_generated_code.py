"""The generated code: source(), determinism, comments, linecache, tracebacks, show()."""

import inspect
import itertools
import linecache
import math
import os
import subprocess
import sys
import textwrap
import traceback

import numpy as np
import pytest

import srcgrad

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_counter = itertools.count()


def define(src, name):
    """Define ``name`` from ``src`` under a fresh linecache filename (a fresh code object)."""
    filename = f"<ipython-input-{next(_counter)}-gen>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    namespace = {"np": np, "math": math}
    exec(compile(src, filename, "exec"), namespace)
    return namespace[name]


def marked(x, y):
    a = x * y  # alpha
    b = a + x  # beta
    c = b * b  # gamma
    return c


def poly(x, y):
    z = x * y  # marker
    w = z * z + np.sin(x)
    return w


def log_of(x):
    return math.log(x)


def sqrt_of(x):
    y = math.sqrt(x)
    return y


def inverse(x):
    y = 1.0 / x
    return y


# --- source() ----------------------------------------------------------------------------

def test_source_returns_text_with_a_def():
    g = srcgrad.grad(poly)
    g(1.0, 2.0)
    text = srcgrad.source(g)
    assert isinstance(text, str)
    assert "def " in text
    assert "def grad_poly(" in text


def test_source_before_any_call():
    text = srcgrad.source(srcgrad.grad(poly))
    assert "def grad_poly(" in text


def test_source_of_value_and_grad_and_tuple_wrt():
    g = srcgrad.value_and_grad(poly, wrt=(0, 1))
    g(1.0, 2.0)
    text = srcgrad.source(g)
    assert "def " in text
    compile(text, "<test>", "exec")


def test_source_of_a_non_srcgrad_function_is_an_error():
    with pytest.raises(srcgrad.SrcgradError):
        srcgrad.source(poly)


def test_generated_text_compiles():
    for g, args in [(srcgrad.grad(poly), (1.0, 2.0)),
                    (srcgrad.grad(poly, wrt=(0, 1)), (1.0, 2.0)),
                    (srcgrad.grad(marked, wrt="y"), (1.0, 2.0)),
                    (srcgrad.value_and_grad(marked), (1.0, 2.0)),
                    (srcgrad.grad(poly), (np.array([1.0]), np.array([2.0])))]:
        g(*args)
        text = srcgrad.source(g)
        compile(text, "<generated>", "exec")


def test_generated_text_runs_and_gives_the_gradient():
    g = srcgrad.grad(poly, wrt=(0, 1))
    g(1.0, 2.0)
    namespace = {"math": math, "np": np}
    exec(compile(srcgrad.source(g), "<generated>", "exec"), namespace)
    assert namespace["grad_poly"](1.5, 2.0) == pytest.approx(g(1.5, 2.0))


# --- determinism -------------------------------------------------------------------------

POLY_SRC = textwrap.dedent("""\
    def twin(x, y):
        z = x * y  # marker
        w = z * z + math.sin(x) * y
        v = w / (1.0 + x * x)
        return v
""")


def test_deterministic_across_independent_transforms():
    first = define(POLY_SRC, "twin")
    second = define(POLY_SRC, "twin")
    assert first.__code__ is not second.__code__
    for wrt in (0, (0, 1)):
        g1, g2 = srcgrad.grad(first, wrt=wrt), srcgrad.grad(second, wrt=wrt)
        assert g1(0.3, 0.7) == g2(0.3, 0.7)
        assert srcgrad.source(g1) == srcgrad.source(g2)


def test_deterministic_for_the_same_function_object():
    g1 = srcgrad.grad(poly, wrt=(0, 1))
    g2 = srcgrad.grad(poly, wrt=(0, 1))
    g1(1.0, 2.0)
    g2(1.0, 2.0)
    assert srcgrad.source(g1) == srcgrad.source(g2)


_PROCESS_CODE = (
    "import srcgrad\n"
    "from examples.goldstein import goldstein\n"
    "from tests.test_generated_code import marked, poly\n"
    "for fn in (goldstein, marked, poly):\n"
    "    g = srcgrad.grad(fn, wrt=(0, 1))\n"
    "    g(1.0, 2.0)\n"
    "    print(srcgrad.source(g))\n"
    "    print('=' * 20)\n"
)


def _source_in_a_new_process(hashseed):
    env = dict(os.environ, PYTHONHASHSEED=str(hashseed))
    out = subprocess.run([sys.executable, "-c", _PROCESS_CODE], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_deterministic_across_processes():
    texts = [_source_in_a_new_process(seed) for seed in (0, 1, 12345)]
    assert "def grad_goldstein(" in texts[0]
    assert texts[0] == texts[1] == texts[2]


def test_same_text_in_process_and_in_a_new_process():
    from examples.goldstein import goldstein

    g = srcgrad.grad(goldstein, wrt=(0, 1))
    g(1.0, 2.0)
    other = _source_in_a_new_process(7).split("=" * 20 + "\n")[0]
    assert srcgrad.source(g) + "\n" == other


# --- comments quoting the source ---------------------------------------------------------

def test_reverse_sweep_blocks_are_headed_by_the_source_line():
    g = srcgrad.grad(marked, wrt=(0, 1))
    g(1.0, 2.0)
    lines = [line.strip() for line in srcgrad.source(g).splitlines()]
    comments = [line for line in lines if line.startswith("#")]
    headers = {}
    for key, statement in [("alpha", "a = x * y"), ("beta", "b = a + x"),
                           ("gamma", "c = b * b")]:
        matching = [i for i, line in enumerate(lines)
                    if line.startswith("#") and statement in line]
        assert len(matching) == 1, (statement, comments)
        headers[key] = matching[0]
        # a block follows the comment: the next line is code
        assert not lines[matching[0] + 1].startswith("#")
    # the reverse sweep runs backwards through the statements, after the forward sweep
    assert headers["gamma"] < headers["beta"] < headers["alpha"]
    forward_b = [i for i, line in enumerate(lines) if line.startswith("b = ")]
    assert forward_b and forward_b[0] < headers["gamma"]


def test_comment_quotes_the_statement_with_a_marker():
    g = srcgrad.grad(poly)
    g(1.0, 2.0)
    comments = [line.strip() for line in srcgrad.source(g).splitlines()
                if line.strip().startswith("#")]
    assert any("z = x * y" in c for c in comments), comments
    assert any("w = z * z + np.sin(x)" in c for c in comments), comments


def test_multiline_statement_is_quoted_on_one_comment_line():
    from examples.goldstein import goldstein

    g = srcgrad.grad(goldstein)
    g(1.0, 1.0)
    comments = [line.strip() for line in srcgrad.source(g).splitlines()
                if line.strip().startswith("#") and "z = " in line]
    assert len(comments) == 1
    assert comments[0].startswith("# z = (1 + (x + y + 1)**2")


# --- linecache, inspect, tracebacks ------------------------------------------------------

def _generated_frames(exc):
    tb = exc.__traceback__
    frames = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith("<srcgrad"):
            frames.append(tb)
        tb = tb.tb_next
    return frames


def _raise_in(g, *args):
    try:
        g(*args)
    except Exception as exc:  # noqa: BLE001
        return exc, traceback.format_exc()
    pytest.fail(f"{g.__name__}{args} did not raise")


@pytest.mark.parametrize("fn, arg, error, text", [
    (sqrt_of, 0.0, ZeroDivisionError, None),     # forward sweep fine, reverse divides by 0
    (inverse, 0.0, ZeroDivisionError, "1.0 / x"),  # forward sweep divides by 0
    (log_of, 0.0, ValueError, "math.log(x)"),
])
def test_traceback_shows_the_generated_line(fn, arg, error, text):
    g = srcgrad.grad(fn)
    exc, formatted = _raise_in(g, arg)
    assert isinstance(exc, error)
    frames = _generated_frames(exc)
    assert frames, formatted
    tb = frames[-1]
    filename = tb.tb_frame.f_code.co_filename
    line = linecache.getline(filename, tb.tb_lineno).strip()
    assert line, f"{filename} is not in linecache"
    assert line in srcgrad.source(g)
    assert line in formatted
    assert filename in formatted
    if text is not None:
        assert text in line


def sqrt_chain(x):
    y = math.sqrt(x)
    z = y * x
    return z


def test_reverse_sweep_error_is_located_in_the_reverse_sweep():
    g = srcgrad.grad(sqrt_chain)
    exc, formatted = _raise_in(g, 0.0)  # the forward sweep is fine at 0; the reverse is not
    assert isinstance(exc, ZeroDivisionError)
    tb = _generated_frames(exc)[-1]
    filename = tb.tb_frame.f_code.co_filename
    generated = [line.strip() for line in linecache.getlines(filename)]
    failing = tb.tb_lineno - 1
    forward = generated.index("y = math.sqrt(x)")
    header = [i for i, line in enumerate(generated)
              if line.startswith("#") and "y = math.sqrt(x)" in line]
    assert len(header) == 1
    assert forward < header[0] < failing
    assert generated[failing] in formatted
    assert generated[failing] in srcgrad.source(g)


def test_inspect_getsource_of_the_generated_function():
    g = srcgrad.grad(sqrt_of)
    exc, _ = _raise_in(g, 0.0)
    frame = _generated_frames(exc)[-1].tb_frame
    text = inspect.getsource(frame.f_code)
    assert text.lstrip().startswith("def grad_sqrt_of(")
    assert textwrap.dedent(text).strip() in srcgrad.source(g)


def test_generated_source_is_in_linecache_for_every_call_path():
    def h(x, y):
        return x * y + math.cos(x)

    for g in (srcgrad.grad(h), srcgrad.value_and_grad(h, wrt=(0, 1))):
        g(1.0, 2.0)
        assert any(name.startswith("<srcgrad") and "h" in name and
                   "".join(linecache.cache[name][2]).find("def ") >= 0
                   for name in list(linecache.cache))


# --- the float path ----------------------------------------------------------------------

def test_float_code_calls_no_unbroadcast():
    for fn, args, wrt in [(poly, (1.0, 2.0), 0), (poly, (1.0, 2.0), (0, 1)),
                          (marked, (1.0, 2.0), (0, 1)), (sqrt_of, (2.0,), 0)]:
        g = srcgrad.grad(fn, wrt=wrt)
        g(*args)
        text = srcgrad.source(g)
        assert "unbroadcast" not in text, text


def test_goldstein_float_code_calls_no_unbroadcast():
    from examples.goldstein import goldstein

    g = srcgrad.grad(goldstein, wrt=(0, 1))
    g(1.0, 1.0)
    assert "unbroadcast" not in srcgrad.source(g)


def test_array_code_differs_from_float_code():
    g = srcgrad.grad(poly)
    g(np.array([1.0]), np.array([2.0]))
    array_text = srcgrad.source(g)
    g2 = srcgrad.grad(poly)
    g2(1.0, 2.0)
    assert "unbroadcast" not in srcgrad.source(g2)
    assert array_text != srcgrad.source(g2)


# --- show() ------------------------------------------------------------------------------

@pytest.mark.parametrize("wrt", [0, 1, "y", (0, 1)])
def test_show_prints_the_source(capsys, wrt):
    srcgrad.show(poly, wrt=wrt)
    printed = capsys.readouterr().out
    assert printed == srcgrad.source(srcgrad.grad(poly, wrt=wrt))
    assert "def grad_poly(" in printed


def test_show_second_order_differs_from_first_order(capsys):
    srcgrad.show(poly, order=1)
    first = capsys.readouterr().out
    srcgrad.show(poly, order=2)
    second = capsys.readouterr().out
    assert "def " in second
    assert second != first
