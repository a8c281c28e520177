"""A WGAN-GP gradient penalty, trained by double backprop through srcgrad's own code.

The critic D(params, x) is a small tanh MLP giving one score per sample. The
gradient penalty of WGAN-GP pushes the critic towards being 1-Lipschitz:

    penalty(params) = mean over samples of (|grad_x D(params, x_i)| - 1)**2

The inner gradient is ``srcgrad.grad(critic_sum, wrt="x")``, called inside the
penalty. Training the critic needs the gradient of the penalty with respect to
``params`` -- a derivative of a derivative. ``srcgrad.grad(penalty, wrt="params")``
reads the generated inner gradient like any other Python function and
differentiates it again. SGD drives the penalty towards zero.

Run: .venv/bin/python examples/gradient_penalty.py
"""

import numpy as np

import srcgrad


def init_params(inputs=2, hidden=16, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((inputs, hidden)),
        "b1": rng.standard_normal(hidden) * 0.1,
        "w2": rng.standard_normal(hidden),
        "b2": np.zeros(1),
    }


def critic(W1, b1, w2, b2, x):
    """One score per row of ``x``."""
    hidden = np.tanh(x @ W1 + b1)
    return hidden @ w2 + b2


def critic_sum(W1, b1, w2, b2, x):
    """Rows are independent, so the gradient of the sum is the per-sample gradients."""
    return np.sum(critic(W1, b1, w2, b2, x))


grad_critic_x = srcgrad.grad(critic_sum, wrt="x")


def penalty(params, x):
    # a grad-made function called inside a differentiated one takes floats and
    # arrays (not dicts), so the parameters are passed one by one
    g = grad_critic_x(params["W1"], params["b1"], params["w2"], params["b2"], x)
    norms = np.sqrt(np.sum(g * g, axis=1))
    return np.mean((norms - 1.0) ** 2)


penalty_and_grad = srcgrad.value_and_grad(penalty, wrt="params")


def samples(n=64, seed=1):
    """Points between a "real" and a "fake" batch, as WGAN-GP draws them."""
    rng = np.random.default_rng(seed)
    real = rng.standard_normal((n, 2)) * 0.5 + np.array([2.0, 0.0])
    fake = rng.standard_normal((n, 2))
    mix = rng.uniform(size=(n, 1))
    return mix * real + (1.0 - mix) * fake


def train(steps=300, learning_rate=0.05, seed=0):
    params = init_params(seed=seed)
    x = samples(seed=seed + 1)
    curve = []
    for step in range(steps):
        value, grads = penalty_and_grad(params, x)
        params = {name: params[name] - learning_rate * grads[name] for name in params}
        curve.append(value)
        if step % 50 == 0 or step == steps - 1:
            print(f"step {step:4d}  gradient penalty {value:.6f}")
    return params, x, curve


def main():
    params, x, curve = train()
    g = grad_critic_x(params["W1"], params["b1"], params["w2"], params["b2"], x)
    norms = np.linalg.norm(g, axis=1)
    print(f"penalty {curve[0]:.4f} -> {curve[-1]:.6f}")
    print(f"|grad_x D| over the samples: min {norms.min():.4f}, max {norms.max():.4f}")
    print("\nThe generated gradient of the penalty (double backprop; helpers omitted):\n")
    print(srcgrad.source(penalty_and_grad).split("\n\n\n")[0])
    return curve, norms


if __name__ == "__main__":
    main()
