"""Property tests: srcgrad's derivatives of randomly generated NumPy programs.

Each example is a small program ``f(a[, b[, c]])`` over array arguments of
small shapes that broadcast against each other -- ``(3,)``, ``(2, 3)``,
``(2, 1)``, ``(1, 3)``, ``(3, 2)``, ``(2,)``, a 0-d array ``()`` and a Python
float -- built by hypothesis from a tiny expression language whose generator
tracks the shape of every value, so every program is valid:

* ``+ - * /`` (denominators ``1.0 + y * y``), unary ``-``, ``np.sin``,
  ``np.cos``, ``np.tanh``, ``np.exp(np.clip(x, -3.0, 3.0))``,
  ``np.sqrt(1.0 + x * x)``;
* ``np.sum``/``np.mean``/``np.max`` with ``axis`` in ``None, 0, -1`` and
  ``keepdims`` true or false;
* ``@`` between compatible 1-D/2-D operands, ``.T``, ``x[0]``, ``x[1:]``,
  ``x[::2]``, ``np.expand_dims``, ``.reshape(-1)``, ``np.outer`` of 1-D;
* straight-line code, ``for i in range(k)`` loops with accumulations and
  ``if np.sum(x) > 0:`` branches (shapes stay the same across iterations and
  branches).

Properties:

1. scalar output (``np.sum`` of the result): the shape-specialized ``grad``
   equals the shape-generic generated code and central differences (own full
   gradient and ``srcgrad.check_grads``);
2. array output: ``srcgrad.jacobian`` (batched backward when it applies)
   equals the stacked rows of the ``vjp`` pullback and the numeric Jacobian;
3. second order: ``srcgrad.check_grads(f, args, order=2)``.

Like ``test_random_programs``, the program is rendered twice: plainly, into a
real module file that srcgrad reads, and "traced", run only by this test: it
checks the generator's shape bookkeeping at every assignment and measures
how far the point is from every kink (``np.max`` ties, ``np.clip`` bounds,
branch conditions), so that numeric differences are taken on one smooth piece.
Examples too close to a kink, non-finite or huge are discarded.

Failures found by this search are kept below, shrunk to minimal programs, as
explicit regression tests (each was a bug the properties found, now fixed).
"""

import contextlib
import importlib.util
import itertools
import math
import os
import sys
import uuid

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st

import srcgrad
from srcgrad import pipeline

PARAMS = ("a", "b", "c")
POOL = ("x0", "x1", "x2", "x3")
CONSTS = (0.5, 2.0, -1.5, 0.3, -0.7)
ARG_KINDS = ("float", (), (3,), (2,), (2, 3), (2, 1), (1, 3), (3, 2))
MAX_SIZE = 36          # elements of any intermediate value
MARGIN = 1e-3          # min distance to a kink (max tie, clip bound, branch)
HUGE = 1e4
H1, H2 = 1e-6, 1e-5    # central-difference steps
RTOL_EXACT = 1e-10     # two srcgrad paths computing the same thing
RTOL_NUM, ATOL_NUM = 1e-5, 1e-6


class GeneratorBug(AssertionError):
    """The generator's shape bookkeeping disagrees with NumPy (a bug in this test)."""


# --------------------------------------------------------------------------
# shapes
# --------------------------------------------------------------------------

def size(shape):
    return int(np.prod(shape, dtype=int))


def bshape(s, t):
    try:
        return tuple(np.broadcast_shapes(s, t))
    except ValueError:
        return None


def ok(shape):
    return shape is not None and len(shape) <= 3 and size(shape) <= MAX_SIZE


def reduced(shape, axis, keepdims):
    if axis is None:
        return (1,) * len(shape) if keepdims else ()
    ax = axis % len(shape)
    if keepdims:
        return shape[:ax] + (1,) + shape[ax + 1:]
    return shape[:ax] + shape[ax + 1:]


def matmul_shape(s, t):
    if len(s) not in (1, 2) or len(t) not in (1, 2) or s[-1] != t[0]:
        return None
    return s[:-1] + t[1:]


def index_shape(shape, ix):
    if ix == "0":
        return shape[1:]
    if ix == "1:":
        return (shape[0] - 1,) + shape[1:]
    return ((shape[0] + 1) // 2,) + shape[1:]  # "::2"


# --------------------------------------------------------------------------
# expressions: (node, shape) pairs; nodes are nested tuples
# --------------------------------------------------------------------------

EXPR_KINDS = ("leaf", "+", "-", "*", "div", "unary", "unary", "red", "red", "matmul",
              "matmul", "T", "idx", "expand", "flat", "outer")
UNARY = ("neg", "sin", "cos", "tanh", "exp", "sqrt")
REDUCTIONS = ("sum", "mean", "max")


def total_sum(e):
    """``np.sum(e)``: a scalar, which broadcasts against anything."""
    return ("red", "sum", e[0], None, False), ()


def binop(op, left, right):
    shape = bshape(left[1], right[1])
    if not ok(shape):
        right = total_sum(right)
        shape = left[1]
    node = ("div", left[0], right[0]) if op == "div" else ("bin", op, left[0], right[0])
    return node, shape


def fit(e, shape):
    """``e``, or its total sum, so that it broadcasts into ``shape`` without growing it."""
    return e if bshape(e[1], shape) == shape else total_sum(e)


@st.composite
def leaf(draw, env):
    names = sorted(env)
    if not names or draw(st.integers(0, 4)) == 0:
        return ("const", draw(st.sampled_from(CONSTS))), ()
    n = draw(st.sampled_from(names))
    return ("name", n), env[n]


@st.composite
def expr(draw, env, depth):
    kind = "leaf" if depth <= 0 else draw(st.sampled_from(EXPR_KINDS))
    if kind == "leaf":
        return draw(leaf(env))
    sub = lambda: draw(expr(env, depth - 1))  # noqa: E731
    if kind in ("+", "-", "*", "div"):
        return binop(kind, sub(), sub())
    if kind == "unary":
        x = sub()
        return (draw(st.sampled_from(UNARY)), x[0]), x[1]
    if kind == "red":
        x = sub()
        fname = draw(st.sampled_from(REDUCTIONS))
        axis = None if not x[1] else draw(st.sampled_from((None, 0, -1)))
        keepdims = draw(st.booleans())
        return ("red", fname, x[0], axis, keepdims), reduced(x[1], axis, keepdims)
    if kind == "matmul":
        left, right = sub(), sub()
        if draw(st.booleans()):  # prefer a compatible variable on the right
            names = [n for n in sorted(env) if matmul_shape(left[1], env[n]) is not None
                     or (len(env[n]) == 2 and matmul_shape(left[1], env[n][::-1]))]
            if names:
                n = draw(st.sampled_from(names))
                right = ("name", n), env[n]
        for l_, r_ in ((left, right), (left, transpose(right)), (transpose(left), right)):
            shape = matmul_shape(l_[1], r_[1])
            if shape is not None:
                return ("matmul", l_[0], r_[0]), shape
        return binop("*", left, right)
    if kind == "T":
        x = sub()
        return transpose(x) if x[1] else x
    if kind == "idx":
        x = sub()
        if not x[1]:
            return x
        ix = draw(st.sampled_from(("0", "1:", "::2")))
        if ix == "1:" and x[1][0] < 2:
            ix = "::2"
        return ("idx", x[0], ix), index_shape(x[1], ix)
    if kind == "expand":
        x = sub()
        if len(x[1]) > 2:
            return x
        axis = draw(st.sampled_from((0, -1)))
        shape = (1,) + x[1] if axis == 0 else x[1] + (1,)
        return ("expand", x[0], axis), shape
    if kind == "flat":
        x = sub()
        return (("flat", x[0]), (size(x[1]),)) if x[1] else x
    if kind == "outer":
        u, v = sub(), sub()
        if not u[1] or not v[1] or size(u[1]) * size(v[1]) > MAX_SIZE:
            return binop("*", u, v)
        u, v = flat1(u), flat1(v)
        return ("outer", u[0], v[0]), (u[1][0], v[1][0])
    raise AssertionError(kind)


def transpose(x):
    if len(x[1]) < 2:
        return x
    return ("T", x[0]), x[1][::-1]


def flat1(x):
    return x if len(x[1]) == 1 else (("flat", x[0]), (size(x[1]),))


# --------------------------------------------------------------------------
# statements and programs
# --------------------------------------------------------------------------

class Ctx:
    def __init__(self, mode):
        self.mode = mode            # "straight" | "control"
        self.tmp = itertools.count()


@st.composite
def block(draw, ctx, env, n_min, n_max, inner=None):
    """(stmts, env after).  ``inner`` is None at top level, else "for" or "if": the
    block then keeps every outer variable's shape and its own names stay local."""
    outer = env
    env = dict(env)
    stmts = []
    kinds = ["assign"] * 3
    if ctx.mode == "control" and inner is None:
        kinds += ["for", "if"]
    if inner == "for":
        kinds += ["accum", "accum"]
        if "i" not in env:
            env["i"] = ()
    for _ in range(draw(st.integers(n_min, n_max))):
        kind = draw(st.sampled_from(kinds))
        if kind == "assign":
            if inner is None:
                target = draw(st.sampled_from(sorted(set(POOL) | set(env))))
                e = draw(expr(env, 3))
            else:
                keep = [n for n in sorted(outer) if n != "i"]
                target = draw(st.sampled_from(keep + [f"t{next(ctx.tmp)}"]))
                e = draw(expr(env, 3))
                if target in outer and e[1] != outer[target]:  # keep its shape
                    e = binop("+", (("name", target), outer[target]), fit(e, outer[target]))
            stmts.append(("assign", target, e[0], e[1]))
            env[target] = e[1]
        elif kind == "accum":
            target = draw(st.sampled_from([n for n in sorted(outer) if n != "i"]))
            e = fit(draw(expr(env, 2)), outer[target])
            decay = draw(st.sampled_from((0.9, 0.5, -0.8)))
            stmts.append(("accum", target, decay, e[0], outer[target]))
        elif kind == "for":
            k = draw(st.integers(0, 3))
            body, _ = draw(block(ctx, env, 1, 3, "for"))
            stmts.append(("for", k, body))
        elif kind == "if":
            var = draw(st.sampled_from(sorted(env)))
            body, _ = draw(block(ctx, env, 1, 2, "if"))
            orelse = None
            if draw(st.booleans()):
                orelse, _ = draw(block(ctx, env, 1, 2, "if"))
            stmts.append(("if", var, body, orelse))
    if inner is not None:
        return stmts, outer
    return stmts, env


@st.composite
def case(draw, mode, out):
    """(stmts, return node, return shape, args)."""
    n = draw(st.integers(1, 3))
    kinds = [draw(st.sampled_from(ARG_KINDS)) for _ in range(n)]
    env = {p: (() if k == "float" else k) for p, k in zip(PARAMS, kinds)}
    n_max = 5 if mode == "straight" else 3
    stmts, env = draw(block(Ctx(mode), env, 0, n_max))
    ret = draw(expr(env, 2))
    assigned = [s[1] for s in stmts if s[0] == "assign"]
    if assigned and draw(st.booleans()):  # make the last statement matter
        last = assigned[-1]
        ret = binop(draw(st.sampled_from("+*")), (("name", last), env[last]), ret)
    if not has_name(ret[0]):  # depend on the arguments
        p = draw(st.sampled_from(sorted(env)))
        ret = binop("*", ret, (("name", p), env[p]))
    if out == "scalar":
        ret = total_sum(ret)
    elif not ret[1]:
        arrays = [p for p in sorted(env) if env[p]]
        if arrays:
            p = draw(st.sampled_from(arrays))
            ret = binop("*", ret, (("name", p), env[p]))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    args = tuple(float(np.round(rng.uniform(-1.5, 1.5), 3)) if k == "float"
                 else np.array(np.round(rng.uniform(-1.5, 1.5, k), 3)) for k in kinds)
    return stmts, ret[0], ret[1], args


def has_name(node):
    return node[0] == "name" or any(isinstance(n, tuple) and has_name(n) for n in node)


# --------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------

def r_expr(e, tr):
    k = e[0]
    if k == "name":
        return e[1]
    if k == "const":
        return f"({e[1]!r})" if e[1] < 0 else repr(e[1])
    if k == "bin":
        return f"({r_expr(e[2], tr)} {e[1]} {r_expr(e[3], tr)})"
    if k == "div":
        d = r_expr(e[2], tr)
        return f"({r_expr(e[1], tr)} / (1.0 + {d} * {d}))"
    if k == "neg":
        return f"(-{r_expr(e[1], tr)})"
    if k in ("sin", "cos", "tanh"):
        return f"np.{k}({r_expr(e[1], tr)})"
    if k == "exp":
        return f"np.exp({'_T' if tr else 'np'}.clip({r_expr(e[1], tr)}, -3.0, 3.0))"
    if k == "sqrt":
        x = r_expr(e[1], tr)
        return f"np.sqrt(1.0 + {x} * {x})"
    if k == "red":
        _, fname, x, axis, keepdims = e
        opts = (f", axis={axis}" if axis is not None else "") + (
            ", keepdims=True" if keepdims else "")
        fn = "_T.max" if tr and fname == "max" else f"np.{fname}"
        return f"{fn}({r_expr(x, tr)}{opts})"
    if k == "matmul":
        return f"({r_expr(e[1], tr)} @ {r_expr(e[2], tr)})"
    if k == "T":
        return f"{r_expr(e[1], tr)}.T"
    if k == "idx":
        return f"{r_expr(e[1], tr)}[{e[2]}]"
    if k == "expand":
        return f"np.expand_dims({r_expr(e[1], tr)}, {e[2]})"
    if k == "flat":
        return f"{r_expr(e[1], tr)}.reshape(-1)"
    if k == "outer":
        return f"np.outer({r_expr(e[1], tr)}, {r_expr(e[2], tr)})"
    raise AssertionError(e)


def strip(s):
    return s[1:-1] if s.startswith("(") and s.endswith(")") and balanced(s[1:-1]) else s


def balanced(s):
    depth = 0
    for ch in s:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def r_block(stmts, tr, ind):
    pad = "    " * ind
    out = []
    for s in stmts:
        k = s[0]
        if k == "assign":
            rhs = r_expr(s[2], tr)
            out.append(f"{pad}{s[1]} = " + (f"_T.v({rhs}, {s[3]!r})" if tr else strip(rhs)))
        elif k == "accum":
            rhs = f"{s[1]} * {s[2]!r} + {r_expr(s[3], tr)}"
            out.append(f"{pad}{s[1]} = " + (f"_T.v({rhs}, {s[4]!r})" if tr else rhs))
        elif k == "for":
            out.append(f"{pad}for i in range({s[1]}):")
            out += r_block(s[2], tr, ind + 1)
        elif k == "if":
            test = f"_T.pos(np.sum({s[1]}))" if tr else f"np.sum({s[1]}) > 0"
            out.append(f"{pad}if {test}:")
            out += r_block(s[2], tr, ind + 1)
            if s[3] is not None:
                out.append(f"{pad}else:")
                out += r_block(s[3], tr, ind + 1)
        else:
            raise AssertionError(s)
    return out


def render(stmts, ret, ret_shape, nargs, tr=False):
    head = ["import numpy as np", "", "", f"def f({', '.join(PARAMS[:nargs])}):"]
    r = r_expr(ret, tr)
    tail = f"    return _T.v({r}, {ret_shape!r})" if tr else f"    return {strip(r)}"
    return "\n".join(head + r_block(stmts, tr, 1) + [tail]) + "\n"


def r_args(args):
    return "(" + ", ".join(repr(a) if isinstance(a, float)
                           else f"np.array({a.tolist()!r})" for a in args) + ",)"


# --------------------------------------------------------------------------
# evaluation helpers
# --------------------------------------------------------------------------

class Tracer:
    """Checks shapes; records the distance to the nearest kink and the largest value."""

    def __init__(self):
        self.margin = math.inf
        self.big = 0.0

    def _near(self, d):
        if np.size(d):
            self.margin = min(self.margin, float(np.min(d)))

    def max(self, x, axis=None, keepdims=False):
        a = np.asarray(x, dtype=float)
        s = np.sort(a.reshape(-1) if axis is None else np.moveaxis(a, axis, -1), axis=-1)
        if s.shape[-1] >= 2:
            self._near(s[..., -1] - s[..., -2])
        return np.max(x, axis=axis, keepdims=keepdims)

    def clip(self, x, lo, hi):
        self._near(np.minimum(np.abs(np.asarray(x) - lo), np.abs(np.asarray(x) - hi)))
        return np.clip(x, lo, hi)

    def pos(self, s):
        self._near(abs(s))
        return s > 0

    def v(self, x, shape):
        if np.shape(x) != shape:
            raise GeneratorBug(f"value of shape {np.shape(x)}, generator says {shape}")
        m = float(np.max(np.abs(x))) if np.size(x) else 0.0
        self.big = max(self.big, m if math.isfinite(m) else math.inf)
        return x


def guard(tsrc, args):
    """Run the traced program; discard the example near a kink or with huge values."""
    t = Tracer()
    env = {"_T": t}
    exec(compile(tsrc, "<traced>", "exec"), env)
    with np.errstate(all="ignore"):
        value = env["f"](*args)
    assume(t.big <= HUGE and t.margin >= MARGIN)
    return value


@pytest.fixture(scope="module")
def moddir(tmp_path_factory):
    return tmp_path_factory.mktemp("random_array_programs")


def load(src, moddir):
    name = f"srcgrad_rap_{uuid.uuid4().hex}"
    path = moddir / f"{name}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def perturbed(args, pos, k, h):
    x = args[pos]
    out = list(args)
    if isinstance(x, float):
        out[pos] = x + h
    else:
        y = x.copy().reshape(-1)
        y[k] += h
        out[pos] = y.reshape(x.shape)
    return out


def numeric_jacobian(f, args, pos, h):
    """d f / d args[pos]: shape ``out.shape + x.shape``."""
    x = args[pos]
    with np.errstate(all="ignore"):
        cols = [(np.asarray(f(*perturbed(args, pos, k, h)), dtype=float)
                 - np.asarray(f(*perturbed(args, pos, k, -h)), dtype=float)) / (2 * h)
                for k in range(np.size(x))]
        out_shape = np.shape(f(*args))
    return np.stack(cols, axis=-1).reshape(out_shape + np.shape(x))


def scale(*xs):
    return max([1.0] + [float(np.max(np.abs(x))) for x in xs if np.size(x)])


def exact_close(got, want):
    return np.shape(got) == np.shape(want) and np.allclose(
        got, want, rtol=RTOL_EXACT, atol=RTOL_EXACT * scale(want))


def numeric_close(got, want):
    return np.shape(got) == np.shape(want) and np.allclose(
        got, want, rtol=RTOL_NUM, atol=ATOL_NUM * scale(want))


def reliable(f, args, pos, numeric):
    """The numeric derivative does not depend on the step (else discard the example)."""
    other = numeric_jacobian(f, args, pos, H2)
    return np.allclose(numeric, other, rtol=1e-4, atol=1e-5 * scale(numeric))


def is_array_or_float(x):
    return isinstance(x, (float, np.floating)) or type(x) is np.ndarray


# --------------------------------------------------------------------------
# the properties
# --------------------------------------------------------------------------

@contextlib.contextmanager
def prepared(c, moddir):
    """(f, src, args) of a generated case; its module is dropped afterwards."""
    stmts, ret, ret_shape, args = c
    src = render(stmts, ret, ret_shape, len(args))
    note(f"program:\n{src}args = {r_args(args)}")
    guard(render(stmts, ret, ret_shape, len(args), tr=True), args)
    mod = load(src, moddir)
    try:
        yield mod.f, src, args
    finally:
        sys.modules.pop(mod.__name__, None)


def check_scalar(c, moddir):
    with prepared(c, moddir) as (f, src, args):
        _check_scalar(f, src, args)


def _check_scalar(f, src, args):
    where = f"\nprogram:\n{src}args = {r_args(args)}"
    wrt = tuple(range(len(args)))
    g = srcgrad.grad(f, wrt=wrt)
    got = g(*args)
    unit = g.__srcgrad_derivative__.last
    assert unit.param_shapes or all(isinstance(a, float) for a in args), where
    generic = g.__srcgrad_derivative__.specialize(args, {}, shaped=False)(*args)
    assert isinstance(got, tuple) and len(got) == len(args), where
    for i, (x, gs, gg) in enumerate(zip(args, got, generic)):
        assert is_array_or_float(gs) and np.shape(gs) == np.shape(x), (
            f"gradient {i}: {gs!r} for an argument of shape {np.shape(x)}{where}")
        assert exact_close(gs, gg), (
            f"d/d{PARAMS[i]}: shape-specialized {gs!r} != shape-generic {gg!r}{where}")
        num = numeric_jacobian(f, args, i, H1)
        if not numeric_close(gs, num):
            assume(reliable(f, args, i, num))
            raise AssertionError(f"d/d{PARAMS[i]}: srcgrad {gs!r} != numeric {num!r}{where}")
    srcgrad.check_grads(f, args, wrt=wrt)


def took_batched_path(f):
    return any(u.batched_backward for u in list(pipeline._units.values())
               if u.mode == "split" and u.fn is f)


def check_array(c, moddir):
    with prepared(c, moddir) as (f, src, args):
        _check_array(f, src, args)


def _check_array(f, src, args):
    where = f"\nprogram:\n{src}args = {r_args(args)}"
    for pos in range(len(args)):
        J = srcgrad.jacobian(f, wrt=pos)(*args)
        event("batched jacobian" if took_batched_path(f) else "jacobian by rows")
        value, pullback = srcgrad.vjp(f, wrt=pos)(*args)
        vshape = np.shape(value)
        rows = [pullback(np.eye(size(vshape))[k].reshape(vshape) if vshape else 1.0)
                for k in range(size(vshape))]
        stacked = np.array([np.broadcast_to(np.asarray(r, dtype=float), np.shape(args[pos]))
                            for r in rows]).reshape(vshape + np.shape(args[pos]))
        assert np.shape(J) == stacked.shape, (
            f"jacobian wrt {PARAMS[pos]} has shape {np.shape(J)}, expected "
            f"{stacked.shape}{where}")
        assert exact_close(J, stacked), (
            f"jacobian wrt {PARAMS[pos]}:\n{J!r}\n!= stacked vjp rows\n{stacked!r}{where}")
        num = numeric_jacobian(f, args, pos, H1)
        if not numeric_close(J, num):
            assume(reliable(f, args, pos, num))
            raise AssertionError(
                f"jacobian wrt {PARAMS[pos]}:\n{J!r}\n!= numeric\n{num!r}{where}")


def check_second_order(c, moddir):
    with prepared(c, moddir) as (f, _, args):
        srcgrad.check_grads(f, args, order=2)


# examples per property; SRCGRAD_HYPOTHESIS_EXAMPLES=200 for a longer search
EXAMPLES = int(os.environ.get("SRCGRAD_HYPOTHESIS_EXAMPLES", "30"))
SETTINGS = dict(deadline=None, report_multiple_bugs=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(c=case("straight", "scalar"))
def test_scalar_straight_line(c, moddir):
    check_scalar(c, moddir)


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(c=case("control", "scalar"))
def test_scalar_loops_and_branches(c, moddir):
    check_scalar(c, moddir)


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(c=case("straight", "array"))
def test_jacobian_straight_line(c, moddir):
    check_array(c, moddir)


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(c=case("control", "array"))
def test_jacobian_loops_and_branches(c, moddir):
    check_array(c, moddir)


@settings(max_examples=max(EXAMPLES // 3, 5), **SETTINGS)
@given(c=st.one_of(case("straight", "scalar"), case("control", "scalar")))
def test_second_order(c, moddir):
    check_second_order(c, moddir)


# --------------------------------------------------------------------------
# the generator itself
# --------------------------------------------------------------------------

@settings(max_examples=max(EXAMPLES, 50), deadline=None)
@given(c=st.one_of(case("straight", "array"), case("control", "scalar")))
def test_generated_programs_are_valid(c):
    """Every generated program runs, and every value has the shape the generator says."""
    stmts, ret, ret_shape, args = c
    t = Tracer()
    env = {"_T": t}
    exec(compile(render(stmts, ret, ret_shape, len(args), tr=True), "<traced>", "exec"), env)
    with np.errstate(all="ignore"):
        env["f"](*args)


# --------------------------------------------------------------------------
# regressions found by the search above (minimal repros)
# --------------------------------------------------------------------------

def load_source(body, moddir):
    return load("import numpy as np\n\n\n" + body, moddir).f


BROADCAST_SUM_OPERAND = [
    # d/da np.sum(a * (a + b)) = 4a + b.sum(0); the shaped code gave 3a + b.sum(0)
    ("def f(a, b):\n    return np.sum(a * (a + b))\n",
     (np.array([0.411, -0.691, -1.377]),
      np.array([[-1.45, 0.94, 1.238], [0.32, 0.688, 0.131]]))),
    # the (1, 1) operand np.sum(b, keepdims=True) of a (1, 3) difference
    ("def f(a, b):\n    return np.sum((a @ b.T) * (np.sum(b, keepdims=True) - a))\n",
     (np.array([[0.5, 0.6, 0.7]]), np.array([[1.346, -0.565, -0.23]]))),
    # the unreduce of an axis sum left to broadcasting: d/da = 3, the shaped code gave 1
    ("def f(a, c):\n    return np.sum(np.sum(a + c, axis=1))\n",
     (np.array([[-1.275], [-1.375]]), np.array([[0.461, 1.435, -0.362]]))),
]


@pytest.mark.parametrize("body, args", BROADCAST_SUM_OPERAND,
                         ids=["a*(a+b)", "keepdims-sum", "axis-sum"])
def test_regression_shaped_grad_of_broadcast_operand(body, args, moddir):
    """Found by this search (fixed since): a cotangent left to broadcasting (a seed or an
    unreduce kept smaller than its value, e.g. 'dt1 = 1.0 * a' for t1 = a + b of shape
    (2, 3)) was unbroadcast to an operand in its lazy form first; when the lazy shape
    already equalled the operand's, nothing was summed and the factor of broadcast
    copies was lost."""
    f = load_source(body, moddir)
    g = srcgrad.grad(f, wrt=(0, 1))
    got = g(*args)
    generic = g.__srcgrad_derivative__.specialize(args, {}, shaped=False)(*args)
    for i, (shaped, plain) in enumerate(zip(got, generic)):
        np.testing.assert_allclose(plain, numeric_jacobian(f, args, i, H1), rtol=1e-6)
        np.testing.assert_allclose(shaped, plain, rtol=1e-12, err_msg=f"d/d{PARAMS[i]}")


def test_regression_batched_jacobian_transpose(moddir):
    f = load_source("def f(a):\n    return np.sin(a.T)\n", moddir)
    a = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    J = srcgrad.jacobian(f)(a)
    expected = np.einsum("ji,jk,il->ijkl", np.cos(a), np.eye(2), np.eye(3))
    np.testing.assert_allclose(J, expected, rtol=1e-12)


def test_regression_batched_jacobian_float_overwritten_in_branch(moddir):
    """Found by this search (fixed since): the batched backward code left the unbatched
    cotangent 'da = 0.0' for a float argument overwritten in a branch."""
    f = load_source("def f(a, b):\n    if np.sum(b) > 0:\n        a = 0.5\n"
                    "    return a * b\n", moddir)
    J = srcgrad.jacobian(f, wrt=0)(0.4, np.array([0.7, 1.4, 1.5]))
    np.testing.assert_array_equal(J, np.zeros(3))


def test_regression_batched_jacobian_array_unused_in_branch(moddir):
    """Found by this search (fixed since): 'db = zeros_like(b)' (no batch axis) in the
    batched backward code on a branch that does not use b."""
    f = load_source("def f(b, c):\n    if np.sum(c) < 0:\n        c = c + b\n"
                    "    return c\n", moddir)
    b = np.array([[-0.141, 1.403, 1.102]])
    c = np.array([[0.89, 0.615, -0.332]])
    J = srcgrad.jacobian(f, wrt=0)(b, c)
    np.testing.assert_array_equal(J, np.zeros((1, 3, 1, 3)))


def test_regression_batched_jacobian_empty_loop(moddir):
    """Found by this search (fixed since): a loop with no iterations left 'db = 0.0' (no
    batch axis) in the batched backward code."""
    f = load_source("def f(a, b):\n    for i in range(0):\n        a = a + b\n"
                    "    return a\n", moddir)
    J = srcgrad.jacobian(f, wrt=1)(np.array([0.3, 0.5]), np.array([0.2, 0.1]))
    np.testing.assert_array_equal(J, np.zeros((2, 2)))


SCALAR_OPERAND = [
    # f = 13 * sum(a): d/da = 13; a (2, 3), b a float
    ("def f(a, b):\n    c = np.expand_dims(a, 0)\n    if b > 0:\n        c = c * 2.0\n"
     "    return np.sum(np.expand_dims(a, -1) + np.sum(c))\n",
     (np.array([[1.328, -0.176, -0.517], [0.089, -0.816, 0.054]]), 0.3),
     (np.full((2, 3), 13.0), 0.0)),
    # d/da = 2, d/db = 3 (the 3 elements of a); a (3,), b (2, 1)
    ("def f(a, b):\n    if np.sum(a) > 0:\n        a = a * 2.0\n    c = a\n"
     "    return np.sum(c + np.sum(b))\n",
     (np.array([1.384, 0.309, -1.099]), np.array([[0.383], [0.912]])),
     (np.full(3, 2.0), np.full((2, 1), 3.0))),
]


@pytest.mark.parametrize("body, args, expected", SCALAR_OPERAND, ids=["expand_dims", "alias"])
def test_regression_shaped_grad_scalar_operand_after_branch(body, args, expected, moddir):
    f = load_source(body, moddir)
    got = srcgrad.grad(f, wrt=(0, 1))(*args)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12)


SCALAR_UNBROADCAST_ADJOINT = [
    # f = (b[1] + S) * S with S = sum(c): d2f/dc2 = 2 everywhere; b (2, 1), c (2,)
    ("def f(b, c):\n    x3 = b.reshape(-1) + np.sum(c)\n    return np.sum(x3[1:] * c)\n",
     (np.array([[0.912], [-0.919]]), np.array([0.052, 0.369])), np.full((2, 2), 2.0)),
    # f = b . c + S^2 with S = sum(c): d2f/dc2 = 2 everywhere; b (2,), c (2, 1)
    ("def f(b, c):\n    return np.sum((b + np.sum(c.reshape(-1))) @ c)\n",
     (np.array([-0.677, 0.946]), np.array([[-0.342], [0.719]])), np.full((2, 1, 2, 1), 2.0)),
    # no error, a wrong value: f = (3 c + 3)^2 for a float c has f'' = 18, srcgrad says 6
    ("def f(n, c):\n    s = np.sum(c + np.ones(n))\n    return s * s\n",
     (3, 1.111), 18.0),
]


@pytest.mark.parametrize("body, args, expected", SCALAR_UNBROADCAST_ADJOINT,
                         ids=["slice", "matmul", "float-hessian"])
def test_regression_second_order_unbroadcast_to_scalar(body, args, expected, moddir):
    f = load_source(body, moddir)
    np.testing.assert_allclose(srcgrad.hessian(f, wrt=1)(*args), expected, rtol=1e-12)


def test_regression_second_order_matvec_in_loop(moddir):
    f = load_source("def f(a, w):\n    for i in range(2):\n        a = w @ a\n"
                    "    return np.sum(a)\n", moddir)
    a = np.array([0.071, -0.818])
    w = np.array([[0.5, 0.2], [0.3, 0.1]])
    srcgrad.check_grads(f, (a, w), order=2)


def test_regression_second_order_expand_dims_in_loop(moddir):
    f = load_source("def f(a, w):\n    for i in range(1):\n"
                    "        a = np.expand_dims(a, 1) * w\n    return np.sum(a)\n", moddir)
    srcgrad.check_grads(f, (np.array([0.071, -0.818]), np.array([0.7])), order=2)


RESHAPE_OF_SCALAR_ZERO = [
    # h is overwritten in the loop: its cotangent is the loop's zero 'dh = 0.0'
    ("def f(c, w):\n    h = c.reshape(-1)\n    for i in range(2):\n        h = np.tanh(w)\n"
     "    return np.sum(h)\n",
     (np.array([[-0.6, 1.121, -1.484], [0.964, 0.891, -0.096]]),
      np.array([0.3, 0.2, 0.1, 0.4, 0.5, 0.6])),
     lambda c, w: (np.zeros((2, 3)), 1.0 - np.tanh(w) ** 2)),
    # c == 0.0: matmul_cotangents returns the zero cotangents as the float 0.0
    ("def f(b, c):\n    x = b.reshape(-1)\n    return (x @ x) * c\n",
     (np.array([[-1.484, 0.964], [0.891, -0.096], [-0.591, -0.665]]), 0.0),
     lambda b, c: (np.zeros((3, 2)), np.sum(b * b))),
]


@pytest.mark.parametrize("body, args, expected", RESHAPE_OF_SCALAR_ZERO,
                         ids=["overwritten-in-loop", "zero-factor"])
def test_regression_reshape_adjoint_of_scalar_zero(body, args, expected, moddir):
    f = load_source(body, moddir)
    got = srcgrad.grad(f, wrt=(0, 1))(*args)
    for g, e in zip(got, expected(*args)):
        np.testing.assert_allclose(g, e, rtol=1e-12)


def test_regression_second_order_axis_sum_in_loop(moddir):
    f = load_source("def f(b):\n    a = 0.5\n    for i in range(2):\n"
                    "        a = a + np.sum(b * b)\n"
                    "        b = np.sum(np.expand_dims(b, -1), axis=-1)\n    return a\n", moddir)
    srcgrad.check_grads(f, (np.array([0.783, 0.404, -0.887]),), order=2)
