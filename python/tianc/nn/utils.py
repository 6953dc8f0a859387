"""tianc.nn.utils: what a training loop does to gradients."""

import math

from .. import dtypes
from .. import functional as F
from .._dispatch import TianError
from ..autograd import no_grad
from ..tensor import Tensor


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scales the gradients of ``parameters`` so that their total norm (of
    all of them as one vector) is at most ``max_norm``; returns that norm
    before clipping. Works in eager and in traced steps: the norm and the
    scaling are tianc ops (no Python branch on the norm's value)."""
    parameters = [parameters] if isinstance(parameters, Tensor) else [*parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return Tensor(0.0)
    with no_grad():
        # In float32 whatever the gradients' type: a float16 sum of squares
        # overflows from a norm of 256, and would zero every gradient.
        wide = [F.cast(F.abs(g), dtypes.float32) for g in grads]
        if norm_type == math.inf:
            total = F.amax(F.stack([F.amax(g) for g in wide]))
        else:
            power = float(norm_type)
            total = F.pow(F.sum(F.stack([F.sum(F.pow(g, power)) for g in wide])), 1.0 / power)
        if error_if_nonfinite:
            if total._data is None:
                raise TianError("clip_grad_norm_(error_if_nonfinite=True) needs the norm's value, "
                                "which a traced step does not have: check it outside the step")
            if not math.isfinite(float(total._data)):
                raise RuntimeError(f"the total norm of the gradients is {float(total._data)}: "
                                   "clip_grad_norm_(error_if_nonfinite=True)")
        scale = F.clamp(F.div(float(max_norm), F.add(total, 1e-6)), max=1.0)
        for p in parameters:
            if p.grad is not None:
                p.grad = F.mul(p.grad, F.cast(scale, p.grad.dtype))
    return total
