"""Hessian-vector products with ``srcgrad.hvp``, without ever forming the Hessian.

``srcgrad.hvp(f)(x, v)`` is reverse over reverse: the pullback of srcgrad's
generated gradient, applied to ``v``. It costs a small multiple of one gradient,
so it works where the n x n Hessian would not fit (here n = 1000 is cheap, but the
same code runs for n = 10**6).

1. The seed fact: for f(x) = sum(x**2), H = 2I, so H v = 2v = [8, 10] at v = [4, 5].
2. The n-dimensional Rosenbrock function: srcgrad's H v against a hand-written
   HVP (n = 1000) and against the full ``srcgrad.hessian(f)(x) @ v`` (n = 6).
3. Newton-CG: each step solves H d = -g by conjugate gradients that only ever ask
   for H v, and the loss falls to the minimum at x = (1, ..., 1).

Run: .venv/bin/python examples/hvp.py
"""

import numpy as np

import srcgrad


def sum_of_squares(x):
    return np.sum(x ** 2)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


grad_rosenbrock = srcgrad.grad(rosenbrock)
hvp_rosenbrock = srcgrad.hvp(rosenbrock)


def rosenbrock_hvp_by_hand(x, v):
    """H(x) v for Rosenbrock, from its tridiagonal Hessian."""
    hv = np.zeros_like(x)
    hv[:-1] += (1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0) * v[:-1] - 400.0 * x[:-1] * v[1:]
    hv[1:] += 200.0 * v[1:] - 400.0 * x[:-1] * v[:-1]
    return hv


def conjugate_gradient(hv, g, iterations=50, tol=1e-10):
    """Approximately solve H d = -g from products H v only (stops at negative curvature)."""
    d = np.zeros_like(g)
    r = -g
    p = r.copy()
    for _ in range(iterations):
        hp = hv(p)
        curvature = p @ hp
        if curvature <= 0:
            return d if d.any() else -g
        alpha = (r @ r) / curvature
        d = d + alpha * p
        r_next = r - alpha * hp
        if np.linalg.norm(r_next) < tol:
            break
        p = r_next + (r_next @ r_next) / (r @ r) * p
        r = r_next
    return d


def newton_cg(x, steps=30, tol=1e-8):
    """Newton-CG with a backtracking line search; returns the losses."""
    losses = [rosenbrock(x)]
    print(f"Newton-CG on Rosenbrock, n = {x.size}\n  step  0  loss {losses[0]:.6e}")
    for step in range(1, steps + 1):
        g = grad_rosenbrock(x)
        d = conjugate_gradient(lambda v: hvp_rosenbrock(x, v), g)
        t = 1.0
        while rosenbrock(x + t * d) > losses[-1] + 1e-4 * t * (g @ d) and t > 1e-10:
            t = t / 2
        x = x + t * d
        losses.append(rosenbrock(x))
        gnorm = np.linalg.norm(grad_rosenbrock(x))
        print(f"  step {step:2d}  loss {losses[-1]:.6e}  |g| {gnorm:.2e}  t = {t:g}")
        if gnorm < tol:
            break
    return x, losses


def main():
    x, v = np.array([1.0, 2.0]), np.array([4.0, 5.0])
    seed = srcgrad.hvp(sum_of_squares)(x, v)
    print(f"HVP of sum(x**2) at x = {x}, v = {v}: {seed}")

    rng = np.random.default_rng(0)
    x, v = rng.uniform(-2, 2, 1000), rng.standard_normal(1000)
    by_hand = rosenbrock_hvp_by_hand(x, v)
    error_by_hand = np.max(np.abs(hvp_rosenbrock(x, v) - by_hand)) / np.max(np.abs(by_hand))
    print(f"Rosenbrock n = 1000: srcgrad HVP vs hand-written, max rel. error {error_by_hand:.1e}")

    x, v = rng.uniform(-2, 2, 6), rng.standard_normal(6)
    full = srcgrad.hessian(rosenbrock)(x) @ v
    error_full = np.max(np.abs(hvp_rosenbrock(x, v) - full)) / np.max(np.abs(full))
    print(f"Rosenbrock n = 6: srcgrad HVP vs hessian(f)(x) @ v, max rel. error {error_full:.1e}")

    start = 1.0 + 0.3 * rng.standard_normal(1000)
    x, losses = newton_cg(start)
    print(f"distance to the minimum (1, ..., 1): {np.max(np.abs(x - 1.0)):.1e}")
    return seed, error_by_hand, error_full, losses


if __name__ == "__main__":
    main()
