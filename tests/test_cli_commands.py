"""The command line's ``show --stage``, highlighting, ``graph`` and ``check``, end to end.

Most tests run ``python -m srcgrad`` in a subprocess (as a user would); the
highlighter and the DOT builder are also tested in-process. Rendering
``.svg``/``.png`` needs Graphviz's ``dot`` (``make test`` installs it).
"""

import ast
import math
import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import srcgrad
from srcgrad import graph, highlight, stages
from srcgrad.pipeline import STAGES

from .test_cli import assert_clean_error

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANSI = re.compile(r"\033\[[0-9;]*m")


def run(*args, cwd=ROOT, env=None, path=None):
    full_env = dict(os.environ)
    full_env.pop("PYTHONPATH", None)
    full_env.pop("NO_COLOR", None)
    if env:
        full_env.update(env)
    if path is not None:
        full_env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "srcgrad"] + [str(a) for a in args], cwd=cwd,
                          env=full_env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def dot_program():
    program = shutil.which("dot")
    if program is None:
        pytest.fail("Graphviz's 'dot' is not installed: run 'make graphviz' "
                    "(apt-get install graphviz)")
    return program


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli_commands")
    (tmp / "prog.py").write_text(textwrap.dedent("""\
        import math

        import numpy as np

        import srcgrad


        def f(x, y):
            s = 0.0
            for v in [x, y]:
                s += v * math.sin(x)
            if s > 1.0:
                return s * y
            return s


        def arrays(x, w):
            return np.sum(np.sin(x) * w) + np.sum(x ** 3)


        def looped(x, n):
            s = 0.0
            for i in range(n):
                s = s + x * i
            return s


        def vector_out(x):
            return x * 2.0


        def log_of(x):
            return math.log(x)


        def cube_c(x):
            return x ** 3


        @srcgrad.adjoint(cube_c)
        def cube_c_adjoint(g, out, x):
            return g * 2.0 * x ** 2   # deliberately wrong: the derivative is 3 x^2


        def wrong(x, y):
            return cube_c(x) + y * y


        def trying(x):
            y = x
            try:
                y = x * x
            except ValueError:
                pass
            return y


        CONSTANT = 3
    """))
    (tmp / "syntax.py").write_text("def f(x):\n    return (x\n")
    return tmp


# --- show --stage ------------------------------------------------------------------------

def _exec(text, name):
    namespace = {"math": math, "np": np}
    exec(compile(text, "<stage output>", "exec"), namespace)
    return namespace[name]


STAGE_FACTS = {
    "parsed": lambda body: body.count("return ") == 2 and "+=" in body,
    "lower_returns": lambda body: body.count("return ") == 1,
    "lower_loops": lambda body: "for v in" not in body and "range(" in body,
    "normalize_assignments": lambda body: "+=" not in body,
    "to_anf": lambda body: "math.sin(x)\n" in body,
    "reverse_mode": lambda body: "def grad_f(x, y)" in body and "# reverse sweep" in body,
}


@pytest.mark.parametrize("stage", STAGES)
def test_show_stops_after_every_stage(files, stage):
    result = run("show", files / "prog.py:f", "--wrt", "0", "1", "--stage", stage)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    number = STAGES.index(stage) + 1
    assert lines[0] == f"# stage {number}/{len(STAGES)}: {stage} (transforming f)"
    assert lines[1] == "# " + stages.describe(stage)
    body = "\n".join(lines[2:]) + "\n"
    compile(body, "<stage output>", "exec")
    check = STAGE_FACTS.get(stage)
    if check is not None:
        assert check(body), body
    if stage in stages.NORMALIZE_STAGES:
        # normalization keeps the meaning: the printed function computes f
        f = _exec(body, "f")
        for x, y in ((0.3, 2.0), (2.0, 0.5), (1.5, 1.5)):
            s = x * math.sin(x) + y * math.sin(x)
            assert f(x, y) == pytest.approx(s * y if s > 1.0 else s)
    else:
        assert "def grad_f(x, y)" in body
    if stage == "to_anf":   # one primitive per assignment
        for node in ast.walk(ast.parse(body)):
            if isinstance(node, ast.Assign):
                inner = [n for n in ast.walk(node.value)
                         if isinstance(n, (ast.BinOp, ast.Call, ast.Compare))]
                assert len(inner) <= 1, ast.unparse(node)
    if stage == "final":
        plain = run("show", files / "prog.py:f", "--wrt", "0", "1")
        assert body == plain.stdout


def test_stage_of_a_second_derivative(files):
    result = run("show", files / "prog.py:f", "--stage", "to_anf", "--order", "2")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert "to_anf" in first and "grad_f" in first and "order-2" in first
    assert "def grad_f(x" in result.stdout


def test_unknown_stage_lists_the_stages(files):
    result = run("show", files / "prog.py:f", "--stage", "to_nowhere")
    assert_clean_error(result, "to_nowhere", ", ".join(STAGES))
    assert result.stdout == ""


def test_show_help_lists_stages_and_color():
    result = run("show", "--help")
    assert result.returncode == 0
    assert "--stage" in result.stdout and "--color" in result.stdout
    assert "--no-color" in result.stdout
    assert all(stage in result.stdout for stage in STAGES)


# --- colour ------------------------------------------------------------------------------

def test_highlight_colours_each_kind_and_keeps_the_text():
    text = ('def grad_f(x, y):\n    # reverse sweep\n    s = "a" + np.sin(x) * 2.5\n'
            '    return s if x else None\n')
    coloured = highlight.highlight(text)
    assert highlight.strip(coloured) == text
    c = highlight.COLORS
    r = highlight.RESET
    assert f"{c['keyword']}def{r}" in coloured
    assert f"{c['function']}grad_f{r}" in coloured
    assert f"{c['comment']}# reverse sweep{r}" in coloured
    assert f"{c['string']}\"a\"{r}" in coloured
    assert f"{c['number']}2.5{r}" in coloured
    assert f"{c['function']}sin{r}" in coloured       # a called function
    assert f"{c['keyword']}None{r}" in coloured
    assert f"{c['keyword']}return{r}" in coloured
    assert "\033" not in coloured.splitlines()[2].split("=")[0]   # names stay plain


@pytest.mark.parametrize("text", [
    'x = f"a{{b}}{c!r:>{w}}d" + 1\n',
    "s = '''multi\nline'''  # note\n",
    "def broken(x:\n    return (1,\n",
    "x = 'unterminated\n",
    "",
    "\tif x:\n",
    "x = 'a\u2028b'  # c\x0cd\ny = 1\r\nz = \"q\"\n",
])
def test_highlight_never_changes_the_text(text):
    assert highlight.strip(highlight.highlight(text)) == text


def test_highlight_generated_source_round_trips():
    from examples.goldstein import goldstein

    text = srcgrad.source(srcgrad.grad(goldstein, wrt=(0, 1)))
    coloured = highlight.highlight(text)
    assert coloured != text
    assert highlight.strip(coloured) == text


class _Stream:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


def test_use_color_decision():
    use = highlight.use_color
    assert use("auto", _Stream(True), {})
    assert not use("auto", _Stream(False), {})
    assert not use("auto", _Stream(True), {"NO_COLOR": "1"})
    assert use("auto", _Stream(True), {"NO_COLOR": ""})   # set but empty: ignored
    assert not use("auto", _Stream(True), {"TERM": "dumb"})
    assert use("always", _Stream(False), {"NO_COLOR": "1"})
    assert not use("never", _Stream(True), {})
    assert not use("auto", object(), {})


def test_show_is_plain_when_piped(files):
    result = run("show", files / "prog.py:f")
    assert result.returncode == 0
    assert "\033" not in result.stdout


def test_show_color_flags(files):
    plain = run("show", files / "prog.py:f", "--no-color")
    always = run("show", files / "prog.py:f", "--color", "always", env={"NO_COLOR": "1"})
    never = run("show", files / "prog.py:f", "--color=never")
    assert plain.returncode == always.returncode == never.returncode == 0
    assert "\033" not in plain.stdout and never.stdout == plain.stdout
    assert "\033[" in always.stdout
    assert ANSI.sub("", always.stdout) == plain.stdout
    staged = run("show", files / "prog.py:f", "--stage", "to_anf", "--color", "always")
    assert "\033[" in staged.stdout


def _run_on_a_terminal(args, env):
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    full_env = dict(os.environ)
    full_env.pop("NO_COLOR", None)
    full_env.pop("PYTHONPATH", None)
    full_env["TERM"] = "xterm"
    full_env.update(env)
    try:
        process = subprocess.Popen([sys.executable, "-m", "srcgrad"] + args, cwd=ROOT,
                                   stdout=slave, stderr=subprocess.PIPE, env=full_env)
    finally:
        os.close(slave)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:   # the terminal closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    assert process.wait(timeout=120) == 0, process.stderr.read()
    process.stderr.close()
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_show_colours_on_a_terminal_unless_no_color(files):
    args = ["show", str(files / "prog.py:f")]
    coloured = _run_on_a_terminal(args, {})
    assert "\033[" in coloured
    assert "def" in ANSI.sub("", coloured)
    plain = _run_on_a_terminal(args, {"NO_COLOR": "1"})
    assert "\033" not in plain
    assert plain == ANSI.sub("", coloured)


# --- graph -------------------------------------------------------------------------------

def parse_dot(text):
    """Nodes (id -> attribute text), labels, edges and cluster labels of DOT text we wrote."""
    nodes, edges, clusters = {}, [], []
    for line in text.splitlines():
        line = line.strip()
        edge = re.match(r"^(\w+) -> (\w+)(?: \[(.*)\])?;$", line)
        node = re.match(r'^(\w+) \[label="((?:[^"\\]|\\.)*)", (.*)\];$', line)
        cluster = re.match(r'^label="((?:[^"\\]|\\.)*)"; ', line)
        if edge:
            edges.append((edge.group(1), edge.group(2), edge.group(3) or ""))
        elif node:
            nodes[node.group(1)] = (node.group(2), node.group(3))
        elif cluster:
            clusters.append(cluster.group(1))
    return nodes, edges, clusters


def labels(nodes, label):
    return [i for i, (lab, _) in nodes.items() if lab == label]


def _well_formed(text):
    nodes, edges, _ = parse_dot(text)
    assert text.startswith("digraph srcgrad {") and text.rstrip().endswith("}")
    assert text.count("{") == text.count("}")
    for a, b, _ in edges:
        assert a in nodes and b in nodes, (a, b)
    return nodes, edges


def test_graph_prints_dot_without_output(files):
    result = run("graph", files / "prog.py:f")
    assert result.returncode == 0, result.stderr
    nodes, _ = _well_formed(result.stdout)
    for name in ("x", "y", "s", "items", "result"):
        assert labels(nodes, name), name
    assert labels(nodes, "math.sin") and labels(nodes, "*")


def test_graph_writes_dot_without_graphviz(files, tmp_path):
    out = tmp_path / "f.dot"
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run("graph", files / "prog.py:f", "-o", out, path=str(empty))
    assert result.returncode == 0, result.stderr
    _well_formed(out.read_text())


def test_graph_svg(files, tmp_path, dot_program):
    out = tmp_path / "f.svg"
    result = run("graph", files / "prog.py:f", "-o", out)
    assert result.returncode == 0, result.stderr
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    texts = {t.text for t in root.iter() if t.tag.endswith("text")}
    assert {"x", "y", "s", "result", "math.sin", "*", "next"} <= texts
    assert any(t.startswith("for ") for t in texts if t)
    assert any(t.startswith("if ") for t in texts if t)


def test_graph_png(files, tmp_path, dot_program):
    out = tmp_path / "f.png"
    result = run("graph", files / "prog.py:f", "-o", out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_graph_adjoint(files, tmp_path, dot_program):
    result = run("graph", "examples/goldstein.py:goldstein", "--wrt", "0", "1", "--adjoint")
    assert result.returncode == 0, result.stderr
    nodes, _ = _well_formed(result.stdout)
    assert "cluster_primal" in result.stdout and "cluster_adjoint" in result.stdout
    assert labels(nodes, "dx") and labels(nodes, "dy")
    assert labels(nodes, "z")
    out = tmp_path / "both.svg"
    assert run("graph", "examples/goldstein.py:goldstein", "--wrt", "0", "1", "--adjoint",
               "-o", out).returncode == 0
    texts = {t.text for t in ET.parse(out).getroot().iter() if t.tag.endswith("text")}
    assert {"x", "y", "z", "dx", "dy"} <= texts
    assert any("reverse sweep" in (t or "") for t in texts)


def test_graph_needs_graphviz_for_svg(files, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "f.svg"
    result = run("graph", files / "prog.py:f", "-o", out, path=str(empty))
    assert_clean_error(result, "Graphviz", "install")
    assert not out.exists()


def test_graph_bad_output_name(files, tmp_path):
    assert_clean_error(run("graph", files / "prog.py:f", "-o", tmp_path / "f.pdf"),
                       ".svg", ".png", ".dot")


def test_graph_unwritable_output(files, tmp_path, dot_program):
    for name in ("f.svg", "f.dot"):
        result = run("graph", files / "prog.py:f", "-o", tmp_path / "missing" / name)
        assert_clean_error(result, "missing")


# --- the DOT builder ---------------------------------------------------------------------

def straight(x, y):
    z = x * y + np.sin(x)
    return z


def branching(x, y):
    if x > 0.0:
        z = x * y
    else:
        z = -y
    return z


def counting(x, n):
    s = 0.0
    for i in range(n):
        s = s + x * i
    return s


def halving(x):
    while x > 1.0:
        x = x / 2.0
    return x


def helper(a, b):
    return a * b + math.exp(a)


def calling(x, y):
    return helper(x, y) + math.sin(y)


def test_dot_straight_line():
    nodes, edges = _well_formed(graph.to_dot(straight))
    (x,), (y,), (z,) = labels(nodes, "x"), labels(nodes, "y"), labels(nodes, "z")
    (times,), (sin,), (plus,) = labels(nodes, "*"), labels(nodes, "np.sin"), labels(nodes, "+")
    assert "shape=box" in nodes[times][1] and "shape=ellipse" in nodes[x][1]
    pairs = {(a, b) for a, b, _ in edges}
    assert {(x, times), (y, times), (x, sin), (plus, z)} <= pairs
    # * and np.sin each feed a variable that feeds +
    for op in (times, sin):
        (var,) = [b for a, b in pairs if a == op]
        assert (var, plus) in pairs
    assert "peripheries=2" in nodes[z][1]            # the output
    assert "penwidth=2" in nodes[x][1] and "penwidth=2" not in nodes[y][1]   # wrt


def test_dot_if_has_branches_and_a_merge():
    text = graph.to_dot(branching)
    nodes, edges, clusters = parse_dot(text)
    assert any(c.startswith("if ") and "source: if x > 0.0:" in c for c in clusters)
    assert "then" in clusters and "else" in clusters
    zs = labels(nodes, "z")
    assert len(zs) == 3                               # then, else, merge
    merge = [z for z in zs if "dashed" in nodes[z][1]]
    assert len(merge) == 1
    assert len([e for e in edges if e[1] == merge[0]]) == 2
    assert labels(nodes, "if") and "diamond" in nodes[labels(nodes, "if")[0]][1]


def test_dot_for_loop_has_a_back_edge():
    text = graph.to_dot(counting)
    nodes, edges, clusters = parse_dot(text)
    assert any(c.startswith("for i in range(n)") for c in clusters)
    carried = [s for s in labels(nodes, "s") if "dashed" in nodes[s][1]]
    assert len(carried) == 1
    back = [e for e in edges if e[1] == carried[0] and "constraint=false" in e[2]]
    assert len(back) == 1
    assert labels(nodes, "next") and labels(nodes, "range")
    assert "peripheries=2" in nodes[carried[0]][1]   # s after the loop is returned


def test_dot_while_loop():
    nodes, edges, clusters = parse_dot(graph.to_dot(halving))
    assert any(c.startswith("while ") and "source: while x > 1.0:" in c for c in clusters)
    assert labels(nodes, "while") and labels(nodes, "/")
    assert any("constraint=false" in e[2] for e in edges)


def test_dot_helper_call_is_marked():
    nodes, _ = _well_formed(graph.to_dot(calling, wrt=(0, 1)))
    (call,) = labels(nodes, "helper")
    (sin,) = labels(nodes, "math.sin")
    assert "peripheries=2" in nodes[call][1] and "bold" in nodes[call][1]
    assert "bold" not in nodes[sin][1]


def test_dot_adjoint_cluster_reads_primal_values():
    text = graph.to_dot(calling, wrt=(0, 1), adjoint=True)
    nodes, edges = _well_formed(text)
    adjoint_part = text.split("cluster_adjoint", 1)[1]
    assert 'label="helper_bwd"' in adjoint_part
    assert "grad_calling: reverse sweep" in adjoint_part
    # the names the generated gradient returns are its outputs
    generated = ast.parse(srcgrad.source(srcgrad.grad(calling, wrt=(0, 1)))).body[0]
    returned = [e.id for e in generated.body[-1].value.elts]
    adjoint_nodes = parse_dot(adjoint_part)[0]
    outputs = [lab for lab, attrs in adjoint_nodes.values() if "peripheries=2" in attrs]
    assert sorted(outputs) == sorted(returned)
    primal_reads = [lab for lab, attrs in adjoint_nodes.values() if "dashed" in attrs]
    assert "helper_tape" in primal_reads and "y" in primal_reads


def everything(x, y, xs):
    acc = []
    total = 0.0
    for _i, v in enumerate(xs):
        if v > 10.0:
            break
        if v < -10.0:
            continue
        acc.append(helper(v, x))
        total += v ** 2
    else:
        total = total - 1.0
    a, b = y, x
    a, b = b, a
    w = sum(acc) + total * a - b if x > 0 and y > 0 else -x
    k = 0
    while k < 3 and w < 100.0:
        w = w * 1.5
        k += 1
    z = np.zeros(3)
    z[0] = w
    z[1] += x
    z[z > 50.0] = 0.0
    m = z.T @ z + z.sum(axis=0, keepdims=False) + np.maximum(z, 0.5)[1]
    if m < 0.0:
        return 0.0
    return float(m) + halving(y)


@pytest.mark.parametrize("adjoint", [False, True])
def test_dot_of_every_construct_renders(adjoint, tmp_path, dot_program):
    args = (1.5, 2.3, [0.5, 1.0])
    srcgrad.check_grads(everything, args, wrt=(0, 1))   # srcgrad does differentiate it
    text = graph.to_dot(everything, wrt=(0, 1), adjoint=adjoint)
    nodes, _ = _well_formed(text)
    for label in ("helper", "halving", "len", "[0] =", ".sum()", ".T", "@", "np.maximum",
                  "float", "while", "if", "next", "neg", "not"):
        assert labels(nodes, label), label
    element_writes = [lab for lab, _ in nodes.values() if re.fullmatch(r"\[\w+\] =", lab)]
    assert len(element_writes) >= 3                  # z[0] = w, z[1] += x, z[z > 50] = 0
    clusters = parse_dot(text)[2]
    for header in ("for i in range(", "while ", "if ", "then", "else"):
        assert any(c.startswith(header) for c in clusters), header
    assert any("(source: while k < 3 and w < 100.0:)" in c for c in clusters)
    assert ("cluster_adjoint" in text) == adjoint
    out = tmp_path / "everything.svg"
    graph.write(text, str(out))
    assert ET.parse(out).getroot().tag.endswith("svg")


def test_dot_quotes_labels():
    assert graph.quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


def test_output_format():
    assert graph.output_format("a/b.SVG") == "svg"
    assert graph.output_format("x.dot") == "dot"
    for bad in ("x.pdf", "noextension", "dir.svg/file"):
        with pytest.raises(ValueError):
            graph.output_format(bad)


# --- check -------------------------------------------------------------------------------

def _rows(stdout):
    """{argument: (analytic, numeric, error, flag)} of the printed tables (last order wins)."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and line.startswith("  ") and parts[0] != "argument":
            try:
                values = [float(p) for p in parts[-4:-1]] if parts[-1] == "MISMATCH" else \
                    [float(p) for p in parts[-3:]]
            except ValueError:
                continue
            label = " ".join(parts[:-4] if parts[-1] == "MISMATCH" else parts[:-3])
            rows[label] = (*values, parts[-1] == "MISMATCH")
    return rows


def test_check_agrees_on_goldstein():
    result = run("check", "examples/goldstein.py:goldstein", "--at", "1.0, 1.0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "argument" in result.stdout and "analytic" in result.stdout
    assert "numeric" in result.stdout and "abs error" in result.stdout
    rows = _rows(result.stdout)
    assert rows["x"][0] == -5376.0 and rows["y"][0] == 8064.0
    assert rows["x"][1] == pytest.approx(-5376.0, rel=1e-7)
    assert not rows["x"][3] and not rows["y"][3]
    assert "ok: all 2 derivatives agree" in result.stdout


def test_check_second_order_floats(files):
    result = run("check", "examples/goldstein.py:goldstein", "--at", "1.0, 1.0", "--order", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "order 1" in result.stdout and "order 2" in result.stdout
    rows = _rows(result.stdout)
    assert rows["x"][0] == pytest.approx(21228.0) and rows["y"][0] == pytest.approx(44748.0)


def test_check_arrays_first_and_second_order(files):
    result = run("check", files / "prog.py:arrays", "--at", "[0.5, 1.0, 2.0], [1.0, 2.0, 3.0]",
                 "--order", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = _rows(result.stdout)
    x = np.array([0.5, 1.0, 2.0])
    w = np.array([1.0, 2.0, 3.0])
    for i in range(3):
        assert rows[f"x[{i}]"][0] == pytest.approx(np.cos(x[i]) * w[i] + 3 * x[i] ** 2)
        assert rows[f"w[{i}]"][0] == pytest.approx(np.sin(x[i]))
        assert f"(H v)[{i}] for x" in rows
    assert "all 12 derivatives agree" in result.stdout


def test_check_reports_a_wrong_rule(files):
    result = run("check", files / "prog.py:wrong", "--at", "2.0, 3.0")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    rows = _rows(result.stdout)
    assert rows["x"][0] == pytest.approx(8.0)             # 2 x^2, the wrong rule
    assert rows["x"][1] == pytest.approx(12.0, rel=1e-6)  # 3 x^2
    assert rows["x"][3] and not rows["y"][3]
    assert "MISMATCH: 1 of 2" in result.stdout
    loose = run("check", files / "prog.py:wrong", "--at", "2.0, 3.0", "--rtol", "10")
    assert loose.returncode == 0, loose.stdout


def test_check_wrt_and_ints(files):
    only_y = run("check", files / "prog.py:wrong", "--at", "2.0, 3.0", "--wrt", "y")
    assert only_y.returncode == 0, only_y.stdout
    assert set(_rows(only_y.stdout)) == {"y"}
    # ints are not differentiated unless named; named, they become floats
    looped = run("check", files / "prog.py:looped", "--at", "1.5, 4")
    assert looped.returncode == 0, looped.stdout + looped.stderr
    assert set(_rows(looped.stdout)) == {"x"} and _rows(looped.stdout)["x"][0] == 6.0
    named = run("check", files / "prog.py:wrong", "--at", "2, 3", "--wrt", "0", "1")
    assert named.returncode == 1 and set(_rows(named.stdout)) == {"x", "y"}
    assert_clean_error(run("check", files / "prog.py:wrong", "--at", "2, 3"), "1.0")


def test_check_negative_values_after_at():
    result = run("check", "examples/goldstein.py:goldstein", "--at", "-1.0, 0.5")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(-1.0, 0.5)" in result.stdout


@pytest.mark.parametrize("at, fragments", [
    ("1.0, (2", ["not a comma-separated list", "never closed"]),
    ("1.0, 2.0, 3.0", ["gives 3 values", "takes 2"]),
    ("1.0", ["gives 1 value", "takes 2"]),
    ("1.0, 'two'", ["string", "'two'"]),
    ("1.0, [1.0, 'a']", ["not a list of numbers"]),
    ("1.0, [[1.0], [2.0, 3.0]]", ["ragged"]),
    ("1.0, None", ["None"]),
    ("", ["empty"]),
    ("__import__('os')", ["not a comma-separated list"]),
])
def test_check_bad_at(at, fragments):
    result = run("check", "examples/goldstein.py:goldstein", "--at", at)
    assert_clean_error(result, *fragments)
    assert result.stdout == ""


def test_check_errors_at_the_point(files):
    assert_clean_error(run("check", files / "prog.py:log_of", "--at", "-1.0"),
                       "prog.py:33", "math domain error")
    assert_clean_error(run("check", files / "prog.py:vector_out", "--at", "[1.0, 2.0]"),
                       "scalar")
    assert_clean_error(run("check", files / "prog.py:arrays", "--at", "[1.0], [2.0]",
                           "--order", "3"), "order 2")
    assert_clean_error(run("check", files / "prog.py:f", "--at", "1.0, 2.0", "--order", "0"),
                       "--order")


def test_check_needs_at(files):
    result = run("check", files / "prog.py:f")
    assert result.returncode == 2
    assert "--at" in result.stderr and "Traceback" not in result.stderr


# --- bad targets, for every command ------------------------------------------------------

COMMANDS = {
    "show": [],
    "graph": [],
    "check": ["--at", "1.0"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("target, fragments", [
    ("nope.py:f", ["nope.py", "no such file"]),
    ("prog.py:nope", ["prog.py", "nope"]),
    ("prog.py:CONSTANT", ["CONSTANT", "not a function"]),
    ("syntax.py:f", ["syntax.py:2", "syntax error"]),
    ("prog.py:trying", ["prog.py:51", "try"]),
    ("no_such_module_xyz:f", ["no_such_module_xyz"]),
])
def test_bad_targets(files, command, target, fragments):
    result = run(command, target, *COMMANDS[command], cwd=files)
    assert_clean_error(result, *fragments)


@pytest.mark.parametrize("command", ["show", "graph", "check"])
def test_help_has_an_example(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert f"usage: srcgrad {command}" in result.stdout
    epilog = result.stdout.split("examples:", 1)[1]
    assert f"srcgrad {command} examples/goldstein.py:goldstein" in epilog


def test_top_level_help_and_version():
    result = run("--help")
    assert result.returncode == 0
    for command in ("show", "graph", "check"):
        assert command in result.stdout
    version = run("--version")
    assert version.returncode == 0 and srcgrad.__version__ in version.stdout
