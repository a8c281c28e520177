"""A two-layer MLP learns the classic 3-class spiral, trained by SGD on srcgrad gradients.

Run: .venv/bin/python examples/mlp_spiral.py   (saves spiral.png if matplotlib is installed)
"""

import sys

import numpy as np

import srcgrad


def spiral(points_per_class=100, classes=3, seed=0):
    """The spiral data set: ``classes`` interleaved arms in the plane."""
    rng = np.random.default_rng(seed)
    X = np.zeros((points_per_class * classes, 2))
    y = np.zeros(points_per_class * classes, dtype=int)
    for k in range(classes):
        rows = slice(points_per_class * k, points_per_class * (k + 1))
        radius = np.linspace(0.0, 1.0, points_per_class)
        theta = np.linspace(k * 4.0, (k + 1) * 4.0, points_per_class)
        theta = theta + rng.standard_normal(points_per_class) * 0.2
        X[rows] = np.c_[radius * np.sin(theta), radius * np.cos(theta)]
        y[rows] = k
    return X, y


def init_params(hidden=100, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((2, hidden)) * 0.5,
        "b1": np.zeros(hidden),
        "W2": rng.standard_normal((hidden, classes)) * 0.1,
        "b2": np.zeros(classes),
    }


def loss(params, X, targets):
    """Softmax cross-entropy of a tanh MLP; ``targets`` is one-hot."""
    hidden = np.tanh(X @ params["W1"] + params["b1"])
    scores = hidden @ params["W2"] + params["b2"]
    top = np.max(scores, axis=1, keepdims=True)
    log_norm = top + np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True))
    return -np.sum((scores - log_norm) * targets) / X.shape[0]


def predict(params, X):
    hidden = np.tanh(X @ params["W1"] + params["b1"])
    return np.argmax(hidden @ params["W2"] + params["b2"], axis=1)


def progress(step, total, value, width=30):
    filled = int(width * (step + 1) / total)
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r[{bar}] {step + 1:5d}/{total}  loss {value:.4f}")
    if step + 1 == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def train(steps=3000, learning_rate=1.0, seed=0):
    X, y = spiral(seed=seed)
    targets = np.eye(3)[y]
    params = init_params(seed=seed)
    loss_and_grad = srcgrad.value_and_grad(loss)
    curve = []
    for step in range(steps):
        value, grads = loss_and_grad(params, X, targets)
        params = {name: params[name] - learning_rate * grads[name] for name in params}
        curve.append(value)
        if step % 50 == 0 or step == steps - 1:
            progress(step, steps, value)
    accuracy = float(np.mean(predict(params, X) == y))
    return params, curve, accuracy, (X, y)


def main():
    params, curve, accuracy, (X, y) = train()
    print("loss curve:")
    for step in range(0, len(curve), len(curve) // 10):
        print(f"  step {step:5d}  loss {curve[step]:.4f}")
    print(f"  step {len(curve) - 1:5d}  loss {curve[-1]:.4f}")
    print(f"training accuracy: {accuracy:.1%}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return accuracy
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(curve)
    left.set(title="loss", xlabel="step", yscale="log")
    right.scatter(X[:, 0], X[:, 1], c=predict(params, X), s=10, cmap="brg")
    right.set(title=f"predictions ({accuracy:.0%} correct)")
    fig.savefig("spiral.png", dpi=80)
    print("saved spiral.png")
    return accuracy


if __name__ == "__main__":
    main()
