"""tianc.optim: optimizers whose state lives in tensors.

Updates are tianc ops under no_grad, applied with ``assign_``: run eagerly
they update parameters in place; inside ``tc.jit.trace`` they become part of
the compiled step. The learning rate and step counts are tensors too, so a
compiled step follows a schedule without retracing.
"""

import numpy as np

from .. import functional as F
from ..autograd import no_grad
from ..tensor import Tensor
from .lr_scheduler import CosineAnnealingLR, StepLR


def _scalar(value):
    return Tensor(np.array(value, np.float32))


class Optimizer:
    def __init__(self, params, lr):
        self.params = [p for p in params]
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        self.lr_tensor = _scalar(lr)
        self.state = {}

    @property
    def lr(self):
        return float(self.lr_tensor._data)

    @lr.setter
    def lr(self, value):
        self.lr_tensor._data[...] = value

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def _buffer(self, param, name, init=0.0):
        key = (id(param), name)
        if key not in self.state:
            self.state[key] = Tensor(np.full(param.shape, init, param.dtype))
        return self.state[key]

    def step(self):
        with no_grad():
            for p in self.params:
                if p.grad is not None:
                    self._update(p, p.grad)

    def _update(self, param, grad):
        raise NotImplementedError


class SGD(Optimizer):
    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr)
        if nesterov and momentum <= 0:
            raise ValueError("nesterov momentum needs momentum > 0")
        self.momentum, self.nesterov, self.weight_decay = momentum, nesterov, weight_decay

    def _update(self, p, g):
        if self.weight_decay:
            g = g + p * self.weight_decay
        if self.momentum:
            # Zero-initialized, so the first step gives buf = g as in PyTorch,
            # with no Python branch that a traced step would freeze.
            buf = self._buffer(p, "momentum")
            buf.assign_(buf * self.momentum + g)
            g = g + buf * self.momentum if self.nesterov else buf
        p.assign_(p - g * self.lr_tensor)


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.step_count = _scalar(0.0)

    def step(self):
        with no_grad():
            self.step_count.assign_(self.step_count + 1.0)
        super().step()

    def _decay(self, p, g):
        return g + p * self.weight_decay if self.weight_decay else g

    def _update(self, p, g):
        beta1, beta2 = self.betas
        g = self._decay(p, g)
        m, v = self._buffer(p, "exp_avg"), self._buffer(p, "exp_avg_sq")
        m.assign_(m * beta1 + g * (1 - beta1))
        v.assign_(v * beta2 + g * g * (1 - beta2))
        m_hat = m / (1.0 - F.pow(beta1, self.step_count))
        v_hat = v / (1.0 - F.pow(beta2, self.step_count))
        p.assign_(p - self.lr_tensor * m_hat / (F.sqrt(v_hat) + self.eps))


class AdamW(Adam):
    """Adam with decoupled weight decay."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)

    def _decay(self, p, g):
        if self.weight_decay:
            p.assign_(p * (1.0 - self.lr_tensor * self.weight_decay))
        return g


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "StepLR", "CosineAnnealingLR"]
