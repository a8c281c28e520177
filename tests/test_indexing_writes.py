"""Element assignment inside differentiated functions: right gradients, callers untouched."""

import numpy as np
import pytest

import srcgrad


def overwrite_then_use(x):
    y = x.copy()
    y[1] = y[0] * 3.0
    y[2:] += x[:2] ** 2
    return np.sum(y * y)


def build_from_zeros(x):
    out = np.zeros(4)
    out[0] = x[1] * x[2]
    out[1:3] = np.sin(x[:2])
    out[-1] += x[3]
    return np.sum(out ** 2)


def mask_write(x):
    y = x * 2.0
    y[x < 0] = 0.0
    return np.sum(y * x)


def write_into_argument(x):
    x[0] = 5.0
    return np.sum(x * x)


def list_item_write(a, b):
    xs = [a, b, 0.0]
    xs[2] = xs[0] * xs[1]
    xs[0] = 1.0
    return xs[0] + xs[1] * xs[2]


def write_in_loop(x):
    y = np.zeros(3)
    for i in range(3):
        y[i] = x[i] * (i + 1.0)
    return np.sum(np.sin(y))


@pytest.mark.parametrize("f", [overwrite_then_use, build_from_zeros, mask_write,
                               write_into_argument, write_in_loop])
def test_element_writes_have_the_right_gradient_and_leave_the_caller_alone(f):
    x = np.array([0.7, -1.3, 2.1, 0.4])[: 3 if f is write_in_loop else 4]
    before = x.copy()
    srcgrad.check_grads(f, (x,))
    srcgrad.grad(f)(x)
    np.testing.assert_array_equal(x, before)


def test_list_item_writes():
    srcgrad.check_grads(list_item_write, (0.5, 1.5))
