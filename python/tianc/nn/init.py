"""Parameter initializers (numpy, from tianc's seeded generator)."""

import math

import numpy as np

from .. import random as _random


def uniform_(param, low, high):
    param._data[...] = _random.init_rng.uniform(low, high, param.shape).astype(param.dtype)
    return param


def zeros_(param):
    param._data[...] = 0
    return param


def ones_(param):
    param._data[...] = 1
    return param


def normal_(param, mean=0.0, std=1.0):
    param._data[...] = _random.init_rng.normal(mean, std, param.shape).astype(param.dtype)
    return param


def fan_in(shape):
    return int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]


def default_(param, fan):
    """PyTorch's default for Linear and Conv: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    bound = 1.0 / math.sqrt(fan) if fan > 0 else 0.0
    return uniform_(param, -bound, bound)
