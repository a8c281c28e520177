"""Helpers for tests/test_constructs_calls.py: functions defined in another module."""

import math

import numpy as np

SCALE = 1.5


def square(v):
    return v * v


def scaled_sin(v, k=2.0):
    return SCALE * math.sin(k * v)


def poly(v, a=1.0, b=0.5):
    return a * v * v * v + b * square(v)


def split(v, w):
    return v * w, np.exp(v - w)


def soft_step(v):
    if v > 0.0:
        return v * v
    return -v * 0.5
