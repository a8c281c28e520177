"""srcgrad against other AD systems: hand-written NumPy, autograd, JAX (eager and jit), PyTorch.

Run with ``make bench`` (it builds ``.venv-bench`` with the other systems) or
``.venv-bench/bin/python benchmarks/compare.py [--quick] [--core N]``.

The functions are the ones of ``benchmarks/workloads_*.py``: srcgrad and the
hand-written gradients use them as they are; autograd, JAX and PyTorch run the
*same code objects* with the module names ``np`` and ``math`` bound to their own
array namespaces (see ``rebind``), so every system differentiates literally the
same source. Every backend's result is checked against the hand-written one
before anything is timed.

The process is pinned to one core and every library is asked for one thread
(environment set before NumPy, JAX or PyTorch is imported). All candidates of a
workload run interleaved (round-robin, rotating the starting candidate each
round), and we report the median time per call and the ratio to hand-written.
Repeat counts adapt to each candidate's speed so the whole run takes a few
minutes. A backend that is not installed is skipped with a note.
"""

from __future__ import annotations

import os
import sys

# --- single core, single thread: before NumPy / JAX / PyTorch are imported ------------------
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                           " --xla_cpu_multi_thread_eigen=false"
                           " intra_op_parallelism_threads=1").strip()
os.environ["JAX_PLATFORMS"] = "cpu"
os.environ["JAX_ENABLE_X64"] = "1"          # float64 everywhere, like NumPy
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _pick_core(argv):
    if "--core" in argv:
        return int(argv[argv.index("--core") + 1])
    return max(os.sched_getaffinity(0))


CORE = _pick_core(sys.argv)
os.sched_setaffinity(0, {CORE})             # threads started from now on inherit it

import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import types  # noqa: E402
from dataclasses import dataclass  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import srcgrad  # noqa: E402
from benchmarks import workloads_arrays as wa  # noqa: E402
from benchmarks import workloads_higher as wh  # noqa: E402
from benchmarks import workloads_scalar as ws  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
QUICK = "--quick" in sys.argv

# --- optional backends --------------------------------------------------------------------
NOTES = []


def _try_import(label, *modules):
    try:
        return [importlib.import_module(m) for m in modules]
    except Exception as exc:  # noqa: BLE001  (any failure: skip the backend)
        NOTES.append(f"{label} skipped: cannot import it ({type(exc).__name__}: {exc}); "
                     f"`rm .venv-bench/.installed && make bench` retries the install")
        return None


_ag = _try_import("autograd", "autograd", "autograd.numpy")
autograd, anp = _ag if _ag else (None, None)
_jx = _try_import("JAX", "jax", "jax.numpy")
jax, jnp = _jx if _jx else (None, None)
if jax is not None:
    jax.config.update("jax_enable_x64", True)
_tc = _try_import("PyTorch", "torch")
torch = _tc[0] if _tc else None
if torch is not None:
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass

BACKENDS = ["hand-written", "srcgrad", "autograd", "JAX", "JAX jit", "PyTorch"]
AVAILABLE = {"hand-written": True, "srcgrad": True, "autograd": autograd is not None,
             "JAX": jax is not None, "JAX jit": jax is not None, "PyTorch": torch is not None}


# --- the workloads ------------------------------------------------------------------------
@dataclass
class Workload:
    key: str
    title: str
    kind: str           # "grad" (wrt the first `nwrt` arguments), "hvp" or "d2"
    fn: object          # the function as srcgrad differentiates it
    by_hand: object     # its derivative, written by hand in NumPy
    make_args: object
    nwrt: int = 1


WORKLOADS = [
    Workload("goldstein", "Goldstein-Price gradient (floats)", "grad", ws.goldstein,
             ws.goldstein_grad_by_hand, lambda: (1.0, 1.0), 2),
    Workload("recurrence", "100-step scalar recurrence", "grad", ws.recurrence,
             ws.recurrence_grad_by_hand, lambda: (0.3, 1.7), 2),
    Workload("small_mlp", "small MLP (batch 32, 10-32-1, tanh, MSE)", "grad", wa.small_mlp_loss,
             wa.small_mlp_grad_by_hand, wa.small_mlp_args, 4),
    Workload("large_mlp", "large MLP (batch 1024, 512-512-10, softmax CE)", "grad",
             wa.large_mlp_loss, wa.large_mlp_grad_by_hand, wa.large_mlp_args, 4),
    Workload("rnn", "50-step tanh RNN (batch 16, 32 units)", "grad", wa.rnn_loss,
             wa.rnn_grad_by_hand, wa.rnn_args, 3),
    Workload("hvp", "Rosenbrock HVP (n = 1000)", "hvp", wh.rosenbrock,
             wh.rosenbrock_hvp_by_hand, wh.rosenbrock_args),
    Workload("d2", "second derivative of x^4 - 2x^2 (float)", "d2", wh.quartic,
             wh.quartic_second_by_hand, lambda: (1.5,)),
]


class Namespace:
    """Stands in for ``np`` or ``math``: attribute lookups go to ``lookup``."""

    def __init__(self, lookup):
        self._lookup = lookup

    def __getattr__(self, name):
        return self._lookup(name)


def rebind(fn, **names):
    """The same code object as ``fn``, with module globals ``names`` replaced."""
    scope = dict(fn.__globals__)
    scope.update(names)
    new = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__)
    new.__qualname__ = fn.__qualname__
    return new


def _torch_namespace():
    def reduction(op):
        def reduce(a, axis=None, keepdims=False):
            return op(a) if axis is None else op(a, dim=axis, keepdim=keepdims)
        return reduce

    special = {"sum": reduction(torch.sum), "mean": reduction(torch.mean),
               "max": reduction(torch.amax)}
    return Namespace(lambda name: special[name] if name in special else getattr(torch, name))


def _in_backend(fn, np_like):
    """``fn``'s code with ``np`` and ``math`` served by ``np_like``."""
    return rebind(fn, np=np_like, math=np_like)


def build(backend, w):
    """(callable, args) computing ``w``'s derivative with ``backend``; args are native."""
    args = w.make_args()
    k = w.nwrt
    if backend == "hand-written":
        return w.by_hand, args
    if backend == "srcgrad":
        if w.kind == "grad":
            return srcgrad.grad(w.fn, wrt=tuple(range(k))), args
        if w.kind == "hvp":
            return srcgrad.hvp(w.fn), args
        return srcgrad.grad(srcgrad.grad(w.fn)), args
    if backend == "autograd":
        f = _in_backend(w.fn, anp)
        if w.kind == "grad":
            return autograd.grad(f, tuple(range(k))), args
        if w.kind == "hvp":
            return autograd.hessian_vector_product(f), args
        return autograd.grad(autograd.grad(f)), args
    if backend in ("JAX", "JAX jit"):
        f = _in_backend(w.fn, jnp)
        if w.kind == "grad":
            g = jax.grad(f, argnums=tuple(range(k)))
        elif w.kind == "hvp":
            df = jax.grad(f)

            def g(x, v):  # forward-over-reverse, as JAX's documentation recommends
                return jax.jvp(df, (x,), (v,))[1]
        else:
            g = jax.grad(jax.grad(f))
        if backend == "JAX jit":
            g = jax.jit(g)
        jargs = tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args)
        return (lambda *a: jax.block_until_ready(g(*a))), jargs
    if backend == "PyTorch":
        f = _in_backend(w.fn, _torch_namespace())

        def tensor(a, leaf):
            t = (torch.from_numpy(a) if isinstance(a, np.ndarray)
                 else torch.tensor(a, dtype=torch.float64))
            return t.requires_grad_(True) if leaf else t

        if w.kind == "grad":
            targs = tuple(tensor(a, i < k) for i, a in enumerate(args))

            def g(*a):
                return torch.autograd.grad(f(*a), a[:k])
            return g, targs
        if w.kind == "hvp":
            x, v = tensor(args[0], True), tensor(args[1], False)

            def g(x, v):  # reverse-over-reverse (double backward)
                (dx,) = torch.autograd.grad(f(x), x, create_graph=True)
                return torch.autograd.grad(dx, x, v)[0]
            return g, (x, v)
        x = tensor(args[0], True)

        def g(x):
            (dx,) = torch.autograd.grad(f(x), x, create_graph=True)
            return torch.autograd.grad(dx, x)[0]
        return g, (x,)
    raise ValueError(backend)


def to_numpy(value):
    if isinstance(value, (tuple, list)):
        return [to_numpy(v) for v in value]
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().numpy()
    return np.asarray(value, dtype=float)


def check(w, got, want):
    got, want = to_numpy(got), to_numpy(want)
    if not isinstance(want, list):
        got, want = [got], [want]
    assert len(got) == len(want), f"{len(got)} results, expected {len(want)}"
    for a, b in zip(got, want):
        assert np.shape(a) == np.shape(b), f"shape {np.shape(a)} != {np.shape(b)}"
        scale = max(1.0, float(np.max(np.abs(b))))   # entries near 0 of a large gradient
        assert np.allclose(a, b, rtol=1e-6, atol=1e-9 * scale), \
            f"max abs difference {np.max(np.abs(np.asarray(a) - b)):.3g} (scale {scale:.3g})"


# --- timing -------------------------------------------------------------------------------
SAMPLE = 0.002 if QUICK else 0.005          # seconds of calls per timed sample
BUDGET = 1.0 if QUICK else 8.0              # seconds per workload (all candidates)
MIN_ROUNDS, MAX_ROUNDS = (3, 9) if QUICK else (7, 41)


def per_call(fn, args, number):
    start = time.perf_counter()
    for _ in range(number):
        fn(*args)
    return (time.perf_counter() - start) / number


def estimate(fn, args):
    """Rough seconds per call (after warm-up)."""
    number, elapsed = 1, 0.0
    while True:
        elapsed = per_call(fn, args, number) * number
        if elapsed > 0.02 or number >= 1 << 20:
            return elapsed / number
        number *= 4


def interleaved(candidates):
    """Median seconds per call of each candidate ({label: (fn, args)}), interleaved."""
    numbers, cost = {}, 0.0
    for label, (fn, args) in candidates.items():
        t = estimate(fn, args)
        numbers[label] = max(1, round(SAMPLE / t))
        cost += numbers[label] * t
    rounds = int(min(MAX_ROUNDS, max(MIN_ROUNDS, BUDGET / cost)))
    labels = list(candidates)
    samples = {label: [] for label in labels}
    for r in range(rounds):
        for label in labels[r % len(labels):] + labels[:r % len(labels)]:
            fn, args = candidates[label]
            samples[label].append(per_call(fn, args, numbers[label]))
    return {label: statistics.median(s) for label, s in samples.items()}, rounds


def fmt_time(seconds):
    if seconds >= 1e-1:
        return f"{seconds * 1e3:.0f} ms"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} µs"


def fmt_bytes(n):
    if n is None:
        return "—"
    if abs(n) >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    return f"{n / 1024:.0f} KiB"


def time_workloads():
    rows, problems = [], []
    for w in WORKLOADS:
        candidates = {}
        for backend in BACKENDS:
            if not AVAILABLE[backend]:
                continue
            try:
                fn, args = build(backend, w)
                got = fn(*args)
                fn(*args)  # warm up (transform, trace, compile)
                check(w, got, w.by_hand(*w.make_args()))
            except Exception as exc:  # noqa: BLE001  (report it, time the others)
                problems.append(f"{backend} on {w.title}: {type(exc).__name__}: "
                                f"{str(exc).splitlines()[0] if str(exc) else ''}")
                continue
            candidates[backend] = (fn, args)
        medians, rounds = interleaved(candidates)
        base = medians["hand-written"]
        rows.append((w, medians, base, rounds))
        print(f"  {w.title}: " + ", ".join(f"{b} {fmt_time(m)} ({m / base:.2f}x)"
                                            for b, m in medians.items()), file=sys.stderr)
    return rows, problems


# --- transform time (first call) ----------------------------------------------------------
def fresh_copy(fn):
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                              fn.__closure__)


def clear_srcgrad_caches():
    from srcgrad import pipeline
    pipeline._units.clear()
    importlib.import_module("srcgrad.source")._cache.clear()


def first_call_times():
    """Median seconds of a first call: srcgrad's transform, JAX jit's trace + compile."""
    out = []
    cases = [("Goldstein-Price gradient", WORKLOADS[0]),
             ("small MLP loss gradient", WORKLOADS[2])]
    for title, w in cases:
        args = w.make_args()
        cached = srcgrad.grad(w.fn, wrt=tuple(range(w.nwrt)))
        cached(*args)
        steady = min(per_call(cached, args, 200) for _ in range(5))
        firsts = []
        for _ in range(3 if QUICK else 7):
            clear_srcgrad_caches()
            g = srcgrad.grad(fresh_copy(w.fn), wrt=tuple(range(w.nwrt)))
            start = time.perf_counter()
            g(*args)
            firsts.append(time.perf_counter() - start)
        row = {"title": title, "srcgrad": statistics.median(firsts), "srcgrad_min": min(firsts),
               "steady": steady}
        if jax is not None:
            jits = []
            jargs = tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args)
            for _ in range(3):
                g = jax.jit(jax.grad(_in_backend(w.fn, jnp), argnums=tuple(range(w.nwrt))))
                start = time.perf_counter()
                jax.block_until_ready(g(*jargs))
                jits.append(time.perf_counter() - start)
            row["jax_jit"] = statistics.median(jits)
        out.append(row)
    return out


# --- peak memory of the RNN gradient ------------------------------------------------------
MEMORY_SIZES = [("batch 16, 32 units (timed above)", 16, 32),
                ("batch 256, 256 units", 256, 256)]
RSS_RESOLUTION = 256 * 1024                 # below this, the RSS growth is mostly page noise
NUMPY_BASED = {"hand-written", "srcgrad", "autograd"}


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def _reset_high_water():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")          # resets VmHWM to the current RSS (Linux >= 4.0)


def memory_worker(backend):
    """In a fresh process: peak memory of one call of the RNN gradient, per size."""
    result = {}
    rnn = next(w for w in WORKLOADS if w.key == "rnn")
    for title, batch, size in MEMORY_SIZES:
        w = Workload(rnn.key, title, rnn.kind, rnn.fn, rnn.by_hand,
                     lambda batch=batch, size=size: wa.rnn_args(batch=batch, size=size), 3)
        fn, args = build(backend, w)
        check(w, fn(*args), w.by_hand(*w.make_args()))
        fn(*args)
        rss = []
        for _ in range(3):
            gc.collect()
            before = _status_kib("VmRSS")
            _reset_high_water()
            out = fn(*args)
            rss.append((_status_kib("VmHWM") - before) * 1024)
            del out
        entry = {"rss": statistics.median(rss)}
        if backend in NUMPY_BASED:
            gc.collect()
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            out = fn(*args)
            entry["tracemalloc"] = tracemalloc.get_traced_memory()[1] - base
            del out
            tracemalloc.stop()
        if backend == "JAX jit":
            stats = jax.jit(jax.grad(_in_backend(w.fn, jnp), argnums=(0, 1, 2))).lower(
                *(jnp.asarray(a) for a in args)).compile().memory_analysis()
            if stats is not None:
                entry["xla"] = stats.temp_size_in_bytes + stats.output_size_in_bytes
        result[title] = entry
    return result


def measure_memory():
    """Run memory_worker for every backend in its own process, pinned to our core."""
    env = dict(os.environ)
    # Every block >= 64 KiB gets its own mapping, returned to the system when freed, so the
    # resident set follows the live arrays (glibc would otherwise keep freed blocks around).
    env.update(MALLOC_MMAP_THRESHOLD_="65536", MALLOC_TRIM_THRESHOLD_="131072")
    results, problems = {}, []
    for backend in BACKENDS:
        if not AVAILABLE[backend]:
            continue
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--core", str(CORE),
                               "--memory-worker", backend],
                              env=env, capture_output=True, text=True, timeout=600)
        try:
            results[backend] = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            problems.append(f"memory, {backend}: {tail}")
    return results, problems


# --- report -------------------------------------------------------------------------------
def versions():
    parts = [f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    for label, mod in (("autograd", autograd), ("JAX", jax), ("PyTorch", torch)):
        if mod is not None:
            version = getattr(mod, "__version__", None)
            if version is None:
                try:
                    from importlib.metadata import version as dist_version
                    version = dist_version(label.lower())
                except Exception:  # noqa: BLE001
                    version = "?"
            parts.append(f"{label} {version}")
    return ", ".join(parts)


def report(rows, problems, firsts, memory, memory_problems):
    shown = [b for b in BACKENDS if AVAILABLE[b]]
    lines = ["# srcgrad against other AD systems", "",
             f"`make bench` (benchmarks/compare.py{' --quick' if QUICK else ''}): "
             f"{versions()}; one process pinned to core {CORE}, one thread per library, "
             "float64 everywhere. Median time per call, all backends interleaved; in "
             "parentheses the ratio to the hand-written NumPy derivative.", "",
             "| workload | " + " | ".join(shown) + " |",
             "|---|" + "---|" * len(shown)]
    for w, medians, base, _rounds in rows:
        cells = []
        for b in shown:
            m = medians.get(b)
            if m is None:
                cells.append("failed")
            elif b == "hand-written":
                cells.append(fmt_time(m))
            else:
                cells.append(f"{fmt_time(m)} ({m / base:.2f}×)")
        lines.append(f"| {w.title} | " + " | ".join(cells) + " |")
    lines += ["", "HVP: srcgrad, autograd and PyTorch differentiate the gradient in reverse "
              "mode again (reverse over reverse); JAX uses `jvp` of `grad` (forward over "
              "reverse). Second derivative: `grad(grad(f))` in every system. JAX timings "
              "include `block_until_ready`; PyTorch and JAX get their inputs as "
              "tensors/arrays made before timing (floats stay Python floats for JAX)."]
    if firsts:
        lines += ["", "## First call (transform)", "",
                  "| function | srcgrad first call (parse, transform, compile) | "
                  "srcgrad cached call | JAX jit first call (trace, compile) |",
                  "|---|---|---|---|"]
        for r in firsts:
            jit = fmt_time(r["jax_jit"]) if "jax_jit" in r else "—"
            lines.append(f"| {r['title']} | {fmt_time(r['srcgrad'])} (min "
                         f"{fmt_time(r['srcgrad_min'])}) | {fmt_time(r['steady'])} | {jit} |")
        lines += ["", "srcgrad's caches (pipeline units, parsed sources) are cleared and a "
                  "fresh function object is differentiated each time, so every first call "
                  "does the whole transform."]
    if memory:
        lines += ["", "## Peak memory of one RNN gradient call", "",
                  "| backend | " + " | ".join(
                      f"{t}: tracemalloc | RSS high-water" for t, _, _ in MEMORY_SIZES)
                  + " |", "|---|" + "---|---|" * len(MEMORY_SIZES)]
        for b in shown:
            if b not in memory:
                continue
            cells = []
            for t, _, _ in MEMORY_SIZES:
                e = memory[b].get(t, {})
                rss = e.get("rss")
                cells += [fmt_bytes(e.get("tracemalloc")),
                          "< 256 KiB (noise)" if rss is not None and rss < RSS_RESOLUTION
                          else fmt_bytes(rss)]
            lines.append(f"| {b} | " + " | ".join(cells) + " |")
        xla = [f"{t}: {fmt_bytes(memory['JAX jit'][t]['xla'])}" for t, _, _ in MEMORY_SIZES
               if "xla" in memory.get("JAX jit", {}).get(t, {})]
        lines += ["", "Each backend runs in a fresh process (after two warm-up calls, so no "
                  "transform or compilation is counted). *RSS high-water*: growth of the "
                  "process's peak resident set (`VmHWM`, reset through "
                  "`/proc/self/clear_refs`) during one call, above the resident set before "
                  "it, with glibc told to map every block of 64 KiB or more separately and "
                  "to return it when freed; it sees every allocator (NumPy, PyTorch's, "
                  "XLA's) but only in whole pages, and below 256 KiB it is noise (the small "
                  "RNN's whole tape is about 200 KiB). *tracemalloc*: exact peak of Python "
                  "and NumPy allocations above those before the call; it cannot see "
                  "PyTorch's or XLA's allocators, so it is given for the NumPy-based "
                  "backends only. Both include the returned "
                  "gradients (Wx, Wh, b)."
                  + (f" XLA's own buffer plan for the jitted gradient (temporaries + "
                     f"outputs): {'; '.join(xla)}." if xla else "")]
    notes = NOTES + problems + memory_problems
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def main():
    if "--memory-worker" in sys.argv:
        print(json.dumps(memory_worker(sys.argv[sys.argv.index("--memory-worker") + 1])))
        return
    start = time.perf_counter()
    print(f"timing on core {CORE} ({'quick' if QUICK else 'full'} run)...", file=sys.stderr)
    rows, problems = time_workloads()
    print("peak memory of the RNN gradient (one process per backend)...", file=sys.stderr)
    memory, memory_problems = measure_memory()
    print("first-call (transform) times...", file=sys.stderr)
    firsts = first_call_times()
    text = report(rows, problems, firsts, memory, memory_problems)
    print(text)
    if not QUICK:
        with open(os.path.join(HERE, "results.md"), "w") as f:
            f.write(text)
    print(f"({time.perf_counter() - start:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
