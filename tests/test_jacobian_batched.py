"""jacobian / hessian from one pass of the batched backward code.

Each Jacobian is compared with one pullback per output row (the vjp) and with
central differences; ``BATCHED`` cases must really take the batched path.
"""

import numpy as np
import pytest

import srcgrad
from srcgrad import options, pipeline

rng = np.random.default_rng(5)


def r(*shape):
    return rng.standard_normal(shape)


def rowsum_sin(x):
    return np.sum(np.sin(x) * x, axis=1)


def keepdims_softmax(s):
    e = np.exp(s - np.max(s, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def affine_tanh(W, x):
    return np.tanh(W @ x + 0.5)


def vector_times_matrix(x, M):
    return np.cos(x @ M) * 2.0


def outer_and_transpose(u, v):
    return (np.outer(u, v) * u[0]).T


def rnn(W, h0):
    h = h0
    for _ in range(3):
        h = np.tanh(h @ W + 0.1)
    return h


def slices(x):
    return x[1:] * x[:-1] - x[::2].sum()


def branch(x):
    if np.sum(x) > 0.0:
        y = x * x
    else:
        y = -x
    return y[::-1] + 1.0


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def mlp_loss(w, X):
    h = np.tanh(X @ w[:6].reshape(3, 2))
    return np.mean(h ** 2)


def scalar_out(x):
    return np.sum(x ** 3)


JACOBIANS = [
    (rowsum_sin, (r(2, 3),), 0),
    (keepdims_softmax, (r(2, 4),), 0),
    (affine_tanh, (r(3, 4), r(4)), 0),
    (affine_tanh, (r(3, 4), r(4)), 1),
    (vector_times_matrix, (r(3), r(3, 2)), 0),
    (vector_times_matrix, (r(3), r(3, 2)), 1),
    (outer_and_transpose, (r(3), r(2)), 0),
    (rnn, (r(2, 2) * 0.5, r(2, 2)), 0),
    (rnn, (r(2, 2) * 0.5, r(2, 2)), 1),
    (slices, (r(6),), 0),
    (branch, (np.abs(r(4)),), 0),
    (branch, (-np.abs(r(4)),), 0),
    (scalar_out, (r(4),), 0),
]


def _loop_jacobian(f, args, wrt):
    value, pullback = srcgrad.vjp(f, wrt=wrt)(*args)
    value = np.asarray(value)
    rows = [pullback(np.eye(value.size)[i].reshape(value.shape)) for i in range(value.size)]
    return np.array(rows).reshape(value.shape + np.shape(args[wrt]))


def _numeric_jacobian(f, args, wrt, eps=1e-6):
    x = np.asarray(args[wrt], dtype=float)
    cols = []
    for i in range(x.size):
        step = np.zeros(x.size)
        step[i] = eps
        up, down = list(args), list(args)
        up[wrt] = x + step.reshape(x.shape)
        down[wrt] = x - step.reshape(x.shape)
        cols.append((np.asarray(f(*up)) - np.asarray(f(*down))) / (2 * eps))
    out = np.stack(cols, axis=-1)
    return out.reshape(np.shape(f(*args)) + x.shape)


def _took_batched_path(f):
    return any(u.batched_backward for u in list(pipeline._units.values())
               if u.mode == "split" and u.fn.__name__ in (f.__name__, f"grad_{f.__name__}"))


@pytest.mark.parametrize("f, args, wrt", JACOBIANS,
                         ids=[f"{c[0].__name__}-{c[2]}" for c in JACOBIANS])
def test_batched_jacobian(f, args, wrt):
    J = srcgrad.jacobian(f, wrt=wrt)(*args)
    np.testing.assert_allclose(J, _loop_jacobian(f, args, wrt), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(J, _numeric_jacobian(f, args, wrt), rtol=1e-5, atol=1e-7)
    if options.optimize:  # the batched form needs the shape-specialized code
        assert _took_batched_path(f), f"{f.__name__}: fell back to one pullback per row"


@pytest.mark.parametrize("f, x", [(rosenbrock, r(6)), (scalar_out, r(3))])
def test_batched_hessian(f, x):
    H = srcgrad.hessian(f)(x)
    hvps = np.array([srcgrad.hvp(f)(x, e) for e in np.eye(x.size)])
    np.testing.assert_allclose(H, hvps, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-12)
    if options.optimize:
        assert _took_batched_path(f)


def test_hessian_of_a_loss_with_parameters_in_one_vector():
    w, X = r(6) * 0.5, r(5, 3)
    H = srcgrad.hessian(mlp_loss)(w, X)
    g = srcgrad.grad(mlp_loss)
    numeric = np.array([(g(w + 1e-6 * e, X) - g(w - 1e-6 * e, X)) / 2e-6 for e in np.eye(6)])
    np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-7)


def test_repeated_pullbacks_of_a_loop_replay_the_tape():
    value, pullback = srcgrad.vjp(rnn, wrt=0)(r(2, 2) * 0.5, r(2, 2))
    first = pullback(np.ones_like(value))
    np.testing.assert_array_equal(pullback(np.ones_like(value)), first)


def test_unbatchable_code_falls_back_to_rows():
    W = r(3, 2)

    def uses_a_global_matrix(x):  # W's shape is not part of the specialization
        return np.tanh(x @ W) * x[0]

    x = r(3)
    J = srcgrad.jacobian(uses_a_global_matrix)(x)
    np.testing.assert_allclose(J, _numeric_jacobian(uses_a_global_matrix, (x,), 0),
                               rtol=1e-5, atol=1e-7)


@pytest.mark.skipif(not options.optimize, reason="the example shows shape-specialized code")
def test_docstring_example_of_the_batching_transform(tmp_path):
    import importlib.util
    import textwrap

    from srcgrad.transforms import batch_backward

    doc = batch_backward.__doc__
    before = textwrap.dedent(doc.split("x (2, 3))::")[1].split("After")[0]).strip()
    after = textwrap.dedent(doc.split("one per row)::")[1]).strip()
    path = tmp_path / "batching_example.py"
    path.write_text("import numpy as np\n\n\ndef f(x):\n"
                    "    return np.sum(np.sin(x) * x, axis=1)\n")
    spec = importlib.util.spec_from_file_location("batching_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    srcgrad.jacobian(module.f)(np.ones((2, 3)))
    unit = next(u for u in list(pipeline._units.values())
                if u.mode == "split" and u.fn is module.f)
    assert unit.compiled.body_text.split("\n\n\n")[1].strip() == before
    assert unit.batched_backward.__srcgrad_unit__.body_text.strip() == after
