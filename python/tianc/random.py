"""tianc's random numbers.

Draws (``tc.rand``, ``tc.randn``, ``F.dropout``) run ``tian.random_uniform``:
Philox4x32-10, a counter-based generator, as a tian op like any other, so
eager mode and compiled code compute them with the same kernel. Its state
is one int64 tensor ``[key, counter]``; every draw reads it and advances the
counter by the number of values drawn. A traced function captures that
tensor as an argument and returns its update, which tianc writes back after
every call (as it does an optimizer's parameter updates): each call of a
compiled training step draws new numbers, and the numbers are the ones eager
mode would have drawn from the same seed. ``tc.manual_seed`` sets the key
(and seeds layer initialization, which uses NumPy).
"""

import math

import numpy as np

from . import dtypes
from .tensor import Tensor

# [key, counter]. Updated in place, never replaced: traced functions hold it.
_state = Tensor._wrap(np.array([0, 0], np.int64))
# Parameter initialization (nn.init) draws from NumPy at construction time.
init_rng = np.random.default_rng(0)


def manual_seed(seed: int):
    """Seeds every random draw: the generator of rand/randn/dropout (eager
    and compiled) restarts at counter 0 under key ``seed``, and layer
    initialization restarts too."""
    global init_rng
    key = int(seed) % 2**64
    _state._data[:] = [key - 2**64 if key >= 2**63 else key, 0]  # int64's bits of the key
    init_rng = np.random.default_rng(key)


def generator_state() -> Tensor:
    """The generator's state tensor (int64 [key, counter])."""
    return _state


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(d) for d in shape)


def rand(*shape, dtype=None, requires_grad=False):
    """Uniform in [0, 1), from tianc's generator."""
    from . import functional as F

    out = F.random_uniform(_shape(shape), dtype or dtypes.float32)
    out.requires_grad = requires_grad
    return out


def randn(*shape, dtype=None, requires_grad=False):
    """Standard normal, by Box-Muller from two uniform draws."""
    from . import functional as F

    shape = _shape(shape)
    u1 = F.random_uniform(shape, dtypes.float32)
    u2 = F.random_uniform(shape, dtypes.float32)
    # 1 - u1 lies in (0, 1]: the log is finite.
    radius = F.sqrt(F.mul(F.log(F.sub(1.0, u1)), -2.0))
    out = F.mul(radius, F.cos(F.mul(u2, 2 * math.pi)))
    dtype = dtypes.canonical(dtype or dtypes.float32)
    out = out if dtype == dtypes.float32 else F.cast(out, dtype)
    out.requires_grad = requires_grad
    return out
