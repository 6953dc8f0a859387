"""tianc.nn.utils: what a training loop does to gradients."""

import math

from .. import functional as F
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
        if norm_type == math.inf:
            total = F.amax(F.stack([F.amax(F.abs(g)) for g in grads]))
        else:
            power = float(norm_type)
            total = F.pow(F.sum(F.stack([F.sum(F.pow(F.abs(g), power)) for g in grads])),
                          1.0 / power)
        if error_if_nonfinite and total._data is not None and not math.isfinite(float(total._data)):
            raise RuntimeError(f"the total norm of the gradients is {float(total._data)}: "
                               "clip_grad_norm_(error_if_nonfinite=True)")
        scale = F.clamp(F.div(float(max_norm), F.add(total, 1e-6)), max=1.0)
        for p in parameters:
            if p.grad is not None:
                p.grad = F.mul(p.grad, F.cast(scale, p.grad.dtype))
    return total
