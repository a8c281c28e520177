"""Side-by-side timings: srcgrad's generated gradients against hand-written ones.

Each workload's candidates run interleaved in one process (round-robin over
many rounds), so machine noise hits them alike; we report the median time per
call and the ratio to the hand-written gradient. Run with ``make bench``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import srcgrad  # noqa: E402
from benchmarks import workloads_arrays as wa  # noqa: E402
from benchmarks import workloads_higher as wh  # noqa: E402
from benchmarks import workloads_scalar as ws  # noqa: E402


def per_call(fn, args, number):
    start = time.perf_counter()
    for _ in range(number):
        fn(*args)
    return (time.perf_counter() - start) / number


def compare(name, candidates, args, number=2000, rounds=25, target=None):
    """Median seconds per call of each candidate, interleaved (``target``: the ratio aimed at)."""
    for fn in candidates.values():
        fn(*args)  # warm up (and transform)
    samples = {label: [] for label in candidates}
    for _ in range(rounds):
        for label, fn in candidates.items():
            samples[label].append(per_call(fn, args, number))
    medians = {label: statistics.median(s) for label, s in samples.items()}
    base = medians["hand-written"]
    print(f"\n{name}")
    for label, m in medians.items():
        goal = ""
        if target is not None and label != "hand-written":
            goal = f"   target <= {target:g}x: {'met' if m / base <= target else 'MISSED'}"
        print(f"  {label:<14} {m * 1e6:9.2f} us/call   ratio {m / base:5.2f}x{goal}")
    return medians


def transform_time(fn, args, wrt):
    """Seconds for the first call of a fresh grad (parse, transform, compile)."""
    from srcgrad import pipeline
    pipeline._units.clear()
    import importlib
    importlib.import_module("srcgrad.source")._cache.clear()
    start = time.perf_counter()
    srcgrad.grad(fn, wrt=wrt)(*args)
    return time.perf_counter() - start


def main():
    results = {}
    g = srcgrad.grad(ws.goldstein, wrt=(0, 1))
    assert g(1.0, 1.0) == (-5376.0, 8064.0)
    results["goldstein"] = compare("Goldstein-Price gradient at (1, 1)",
                                   {"hand-written": ws.goldstein_grad_by_hand, "srcgrad": g},
                                   (1.0, 1.0))
    r = srcgrad.grad(ws.recurrence, wrt=(0, 1))
    got, want = r(0.3, 1.7), ws.recurrence_grad_by_hand(0.3, 1.7)
    assert all(abs(a - b) < 1e-9 * (1 + abs(b)) for a, b in zip(got, want)), (got, want)
    results["recurrence"] = compare("100-step scalar recurrence gradient",
                                    {"hand-written": ws.recurrence_grad_by_hand, "srcgrad": r},
                                    (0.3, 1.7), number=200)
    for name, loss, by_hand, make_args, wrt, number in [
        ("small MLP (batch 32, 10-32-1, tanh, MSE)", wa.small_mlp_loss,
         wa.small_mlp_grad_by_hand, wa.small_mlp_args, (0, 1, 2, 3), 500),
        ("large MLP (batch 1024, 512-512-10, softmax cross-entropy)", wa.large_mlp_loss,
         wa.large_mlp_grad_by_hand, wa.large_mlp_args, (0, 1, 2, 3), 3),
        ("50-step tanh RNN (batch 16, 32 units)", wa.rnn_loss, wa.rnn_grad_by_hand,
         wa.rnn_args, (0, 1, 2), 20),
    ]:
        args = make_args()
        g = srcgrad.grad(loss, wrt=wrt)
        for got, want in zip(g(*args), by_hand(*args)):
            assert np.allclose(got, want, rtol=1e-6, atol=1e-9), name
        results[name] = compare(name, {"hand-written": by_hand, "srcgrad": g}, args,
                                number=number, rounds=15)
    d2 = srcgrad.grad(srcgrad.grad(wh.quartic))
    for x in (1.5, -0.3, 2.0):
        assert np.allclose(d2(x), wh.quartic_second_by_hand(x), rtol=1e-12), x
    results["second derivative"] = compare(
        "second derivative of x^4 - 2x^2 at 1.5 (grad(grad(f)))",
        {"hand-written": wh.quartic_second_by_hand, "srcgrad": d2}, (1.5,), number=20000,
        target=3)
    x, v = wh.rosenbrock_args()
    hvp = srcgrad.hvp(wh.rosenbrock)
    assert np.allclose(hvp(x, v), wh.rosenbrock_hvp_by_hand(x, v), rtol=1e-10, atol=1e-9)
    results["hvp"] = compare("Rosenbrock Hessian-vector product (n = 1000, srcgrad.hvp)",
                             {"hand-written": wh.rosenbrock_hvp_by_hand, "srcgrad": hvp},
                             (x, v), number=200, rounds=15, target=2)
    x100 = np.linspace(-1.0, 1.0, 100)
    hessian = srcgrad.hessian(wh.rosenbrock)
    rows = srcgrad.hvp(wh.rosenbrock)

    def hessian_row_by_row(x):  # n Hessian-vector products: what a batched pass replaces
        return np.array([rows(x, e) for e in np.eye(x.size)])

    assert np.allclose(hessian(x100), hessian_row_by_row(x100), rtol=1e-12, atol=1e-12)
    results["hessian"] = compare(
        "Rosenbrock Hessian (n = 100): srcgrad.hessian (one batched pass) vs n HVPs",
        {"hand-written": hessian_row_by_row, "srcgrad": hessian}, (x100,), number=5,
        rounds=7)
    times = [transform_time(ws.goldstein, (1.0, 1.0), (0, 1)) for _ in range(7)]
    print(f"\nfirst transform of Goldstein-Price (parse + transform + compile): "
          f"median {statistics.median(times) * 1e3:.1f} ms, min {min(times) * 1e3:.1f} ms")
    times = [transform_time(wa.small_mlp_loss, wa.small_mlp_args(), (0, 1, 2, 3))
             for _ in range(7)]
    print(f"first transform of the small MLP loss: "
          f"median {statistics.median(times) * 1e3:.1f} ms, min {min(times) * 1e3:.1f} ms")
    second = []
    for _ in range(5):
        start = time.perf_counter()
        from srcgrad import pipeline
        pipeline._units.clear()
        srcgrad.grad(srcgrad.grad(ws.goldstein, wrt=0), wrt=0)(1.0, 1.0)
        second.append(time.perf_counter() - start)
    print(f"first transform of grad(grad(Goldstein-Price)): "
          f"median {statistics.median(second) * 1e3:.1f} ms, min {min(second) * 1e3:.1f} ms")
    return results


if __name__ == "__main__":
    main()
