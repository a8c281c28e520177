"""The command line: ``python -m srcgrad`` and the ``srcgrad`` console script."""

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(os.path.dirname(sys.executable), "srcgrad")

INVOCATIONS = {
    "python -m srcgrad": [sys.executable, "-m", "srcgrad"],
    "srcgrad script": [SCRIPT],
}


@pytest.fixture(params=list(INVOCATIONS))
def cli(request):
    if request.param == "srcgrad script" and not os.path.exists(SCRIPT):
        pytest.skip(f"no console script at {SCRIPT}")
    base = INVOCATIONS[request.param]

    def run(*args, cwd=ROOT, env=None):
        full_env = dict(os.environ)
        full_env.pop("PYTHONPATH", None)
        if env:
            full_env.update(env)
        return subprocess.run(base + [str(a) for a in args], cwd=cwd, env=full_env,
                              capture_output=True, text=True, timeout=120)

    return run


def assert_clean_error(result, *fragments):
    """Non-zero exit, 'srcgrad: error:' on stderr, the fragments, no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("srcgrad: error:"), result.stderr
    assert len(result.stderr.strip().splitlines()) <= 6, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert "def " not in result.stdout


@pytest.fixture
def files(tmp_path):
    (tmp_path / "ok.py").write_text(textwrap.dedent("""\
        import math


        def f(x, y):
            z = x * y * y
            return z


        def g(x):
            return math.sin(x) * x


        CONSTANT = 3
    """))
    (tmp_path / "syntax.py").write_text("def f(x)\n    return x\n")
    (tmp_path / "trying.py").write_text(textwrap.dedent("""\
        def f(x):
            y = x
            try:
                y = x * x
            except ValueError:
                pass
            return y
    """))
    (tmp_path / "boom.py").write_text("raise RuntimeError('boom at import')\n")
    (tmp_path / "noext").write_text("def f(x):\n    return x * x\n")
    pkg = tmp_path / "pkgroot" / "mypkg" / "sub"
    pkg.mkdir(parents=True)
    (tmp_path / "pkgroot" / "mypkg" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text("def h(a, b):\n    c = a * a * b\n    return c\n")
    (pkg / "broken.py").write_text("def h(a)\n    return a\n")
    (pkg / "raising.py").write_text("raise RuntimeError('boom at import')\n")
    return tmp_path


def run_generated(text, name, *args):
    """Exec the printed source and call the function ``name`` it defines."""
    import math

    import numpy as np

    namespace = {"math": math, "np": np}
    exec(compile(text, "<cli output>", "exec"), namespace)
    return namespace[name](*args)


# --- help and version --------------------------------------------------------------------

def test_help(cli):
    result = cli("--help")
    assert result.returncode == 0
    assert "usage: srcgrad" in result.stdout
    assert "show" in result.stdout
    assert result.stderr == ""


def test_show_help_has_an_example(cli):
    result = cli("show", "--help")
    assert result.returncode == 0
    assert "usage: srcgrad show" in result.stdout
    assert "--wrt" in result.stdout and "--order" in result.stdout
    assert "example" in result.stdout.lower()
    assert "srcgrad show " in result.stdout.split("usage:", 1)[1].split("\n", 1)[1]


def test_version(cli):
    import srcgrad

    result = cli("--version")
    assert result.returncode == 0
    assert srcgrad.__version__ in result.stdout


def test_no_command_prints_usage_and_fails(cli):
    result = cli()
    assert result.returncode != 0
    assert "usage: srcgrad" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_script_and_module_are_the_same():
    if not os.path.exists(SCRIPT):
        pytest.skip("no console script")
    for args in (["--help"], ["show", "--help"], ["--version"],
                 ["show", "examples/goldstein.py:goldstein", "--wrt", "0", "1"]):
        a = subprocess.run([sys.executable, "-m", "srcgrad"] + args, cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
        b = subprocess.run([SCRIPT] + args, cwd=ROOT, capture_output=True, text=True,
                           timeout=120)
        assert (a.returncode, a.stdout) == (b.returncode, b.stdout), args


# --- show --------------------------------------------------------------------------------

def test_show_goldstein(cli):
    result = cli("show", "examples/goldstein.py:goldstein")
    assert result.returncode == 0, result.stderr
    assert "def grad_goldstein" in result.stdout
    assert result.stderr == ""
    compile(result.stdout, "<cli output>", "exec")


def test_show_prints_the_same_text_as_source():
    import srcgrad
    from examples.goldstein import goldstein

    result = subprocess.run([sys.executable, "-m", "srcgrad", "show",
                             "examples/goldstein.py:goldstein", "--wrt", "0", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == srcgrad.source(srcgrad.grad(goldstein, wrt=(0, 1)))


def test_show_goldstein_wrt_both(cli):
    result = cli("show", "examples/goldstein.py:goldstein", "--wrt", "0", "1")
    assert result.returncode == 0, result.stderr
    assert "def grad_goldstein" in result.stdout
    assert run_generated(result.stdout, "grad_goldstein", 1.0, 1.0) == (-5376.0, 8064.0)


def test_show_wrt_position_and_name(cli, files):
    by_position = cli("show", files / "ok.py:f", "--wrt", "1")
    by_name = cli("show", files / "ok.py:f", "--wrt", "y")
    by_negative = cli("show", files / "ok.py:f", "--wrt", "-1")
    default = cli("show", files / "ok.py:f")
    for result in (by_position, by_name, by_negative, default):
        assert result.returncode == 0, result.stderr
        assert "def grad_f" in result.stdout
    assert by_position.stdout == by_name.stdout == by_negative.stdout
    assert by_position.stdout != default.stdout
    # f = x * y * y
    assert run_generated(by_position.stdout, "grad_f", 2.0, 3.0) == pytest.approx(12.0)
    assert run_generated(default.stdout, "grad_f", 2.0, 3.0) == pytest.approx(9.0)


def test_show_relative_path_from_another_directory(cli, files):
    result = cli("show", "ok.py:g", cwd=files)
    assert result.returncode == 0, result.stderr
    assert "def grad_g" in result.stdout


def test_show_dotted_module_from_the_repo_root(cli):
    result = cli("show", "examples.goldstein:goldstein")
    assert result.returncode == 0, result.stderr
    assert "def grad_goldstein" in result.stdout


def test_show_dotted_package_module_on_pythonpath(cli, files):
    result = cli("show", "mypkg.sub.mod:h", "--wrt", "b",
                 env={"PYTHONPATH": str(files / "pkgroot")})
    assert result.returncode == 0, result.stderr
    assert "def grad_h" in result.stdout
    assert run_generated(result.stdout, "grad_h", 2.0, 3.0) == pytest.approx(4.0)


def test_show_order_two(cli, files):
    first = cli("show", files / "ok.py:g")
    second = cli("show", files / "ok.py:g", "--order", "2")
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "def " in second.stdout
    assert second.stdout != first.stdout


# --- bad input ---------------------------------------------------------------------------

def test_missing_file(cli, files):
    missing = files / "nope.py"
    assert_clean_error(cli("show", f"{missing}:f"), "nope.py")


def test_missing_function(cli, files):
    assert_clean_error(cli("show", files / "ok.py:nope"), "nope", "ok.py")


def test_not_a_function(cli, files):
    assert_clean_error(cli("show", files / "ok.py:CONSTANT"), "CONSTANT")


def test_missing_module(cli):
    assert_clean_error(cli("show", "no_such_module_xyz.sub:f"), "no_such_module_xyz")


def test_missing_function_in_a_module(cli, files):
    result = cli("show", "mypkg.sub.mod:nope", env={"PYTHONPATH": str(files / "pkgroot")})
    assert_clean_error(result, "nope", "mypkg.sub.mod")


def test_target_without_a_colon(cli, files):
    assert_clean_error(cli("show", files / "ok.py"))


def test_file_with_a_syntax_error(cli, files):
    assert_clean_error(cli("show", files / "syntax.py:f"), "syntax.py:1")


def test_module_with_a_syntax_error(cli, files):
    result = cli("show", "mypkg.sub.broken:h", env={"PYTHONPATH": str(files / "pkgroot")})
    assert_clean_error(result, "broken.py:1")


def test_file_raising_at_import(cli, files):
    assert_clean_error(cli("show", files / "boom.py:f"), "boom.py", "boom at import")


def test_module_raising_at_import(cli, files):
    result = cli("show", "mypkg.sub.raising:h", env={"PYTHONPATH": str(files / "pkgroot")})
    assert_clean_error(result, "boom at import")


def test_file_without_py_extension(cli, files):
    result = cli("show", files / "noext:f")
    if result.returncode == 0:  # reading it as Python is fine too
        assert "def grad_f" in result.stdout
    else:
        assert_clean_error(result, "noext")


def test_function_with_try_except(cli, files):
    assert_clean_error(cli("show", files / "trying.py:f"), "trying.py:3", "try")


def test_builtin_function_without_source(cli):
    assert_clean_error(cli("show", "math:sin"), "sin")


def test_function_calling_numpy_without_a_rule(cli, files):
    (files / "slog.py").write_text(textwrap.dedent("""\
        import numpy as np


        def f(x):
            s = np.fft.fft(x)[1].real
            return s
    """))
    assert_clean_error(cli("show", files / "slog.py:f"), "slog.py:5")


@pytest.mark.parametrize("wrt", ["z", "5", "-3"])
def test_bad_wrt(cli, files, wrt):
    assert_clean_error(cli("show", files / "ok.py:f", "--wrt", wrt), "ok.py:4", wrt)
