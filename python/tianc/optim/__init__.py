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


class ParamGroup(dict):
    """A group of parameters and its options, as PyTorch's param_groups
    hold them. Its learning rate is also a tensor that a compiled step
    reads: setting ``group["lr"]`` (by hand or by a scheduler) changes the
    next step without a new trace. The other options are read when a step
    is traced."""

    def __init__(self, options):
        super().__init__(options)
        self.lr_tensor = _scalar(options["lr"])

    def __setitem__(self, key, value):
        if key == "lr":
            self.lr_tensor._data[...] = value
            value = float(value)
        super().__setitem__(key, value)

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key, value=None):
        if key not in self:
            self[key] = value
        return self[key]


class Optimizer:
    def __init__(self, params, lr, **defaults):
        params = [*params]
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.defaults = dict(lr=lr, **defaults)
        self.param_groups = []
        self.state = {}
        for group in groups:
            self.add_param_group(group)

    #: Keys a group may carry besides the options (PyTorch's own, user labels).
    _GROUP_EXTRAS = frozenset({"params", "name", "initial_lr", "param_names"})

    def add_param_group(self, group):
        options = {**self.defaults, **group, "params": [*group["params"]]}
        unknown = set(options) - set(self.defaults) - self._GROUP_EXTRAS
        if unknown:
            raise ValueError(f"{type(self).__name__} has no option {sorted(unknown)[0]!r} "
                             f"(its options: {', '.join(self.defaults)})")
        self.param_groups.append(ParamGroup(options))

    @property
    def params(self):
        return [p for g in self.param_groups for p in g["params"]]

    @property
    def lr(self):
        """The first group's learning rate; setting it sets every group's."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value):
        for group in self.param_groups:
            group["lr"] = value

    @property
    def lr_tensor(self):
        return self.param_groups[0].lr_tensor

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
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, p.grad, group)

    def _update(self, param, grad, group):
        raise NotImplementedError

    # -- checkpoints -------------------------------------------------------------
    def state_dict(self):
        """{"state": {parameter index: {buffer: array}}, "param_groups": [the
        options, with "params" as indices]}: PyTorch's layout, numpy arrays."""
        index = {id(p): i for i, p in enumerate(self.params)}
        state = {}
        for (param_id, name), buffer in self.state.items():
            if param_id in index:
                state.setdefault(index[param_id], {})[name] = buffer.numpy().copy()
        for buffers in state.values():
            buffers.update(self._extra_state())  # Adam's step, per parameter as in PyTorch
        groups = [{**{k: v for k, v in g.items() if k != "params"},
                   "params": [index[id(p)] for p in g["params"]]} for g in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restores what state_dict() saved, into an optimizer over the same
        parameters (same groups, same order): training resumes exactly."""
        groups = state_dict["param_groups"]
        if [len(g["params"]) for g in groups] != [len(g["params"]) for g in self.param_groups]:
            raise ValueError(f"load_state_dict: the saved groups hold "
                             f"{[len(g['params']) for g in groups]} parameters, this optimizer's "
                             f"{[len(g['params']) for g in self.param_groups]}")
        buffers_known = set(self._BUFFERS) | set(self._extra_state())
        for index, buffers in state_dict["state"].items():
            unknown = set(buffers) - buffers_known
            if unknown:
                raise ValueError(f"load_state_dict: parameter {index} has state "
                                 f"{sorted(unknown)}, which {type(self).__name__} does not keep "
                                 "(a checkpoint of another optimizer?)")
        for saved, group in zip(groups, self.param_groups):
            for key, value in saved.items():
                if key != "params":
                    group[key] = value
        params = self.params
        self.state = {}  # nothing of the state before survives
        for index, buffers in state_dict["state"].items():
            param = params[int(index)]
            for name, value in buffers.items():
                if name not in self._BUFFERS:
                    continue
                value = np.asarray(value)
                if value.shape != tuple(param.shape):
                    raise ValueError(f"load_state_dict: the {name} of parameter {index} has shape "
                                     f"{list(value.shape)}, the parameter {list(param.shape)}")
                np.copyto(self._buffer(param, name)._data, value.astype(param.dtype))
            self._load_extra_state(buffers)

    #: The per-parameter buffers an optimizer keeps (state_dict's names).
    _BUFFERS = ()

    def _extra_state(self):
        return {}

    def _load_extra_state(self, state):
        pass


class SGD(Optimizer):
    _BUFFERS = ("momentum_buffer",)

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr, momentum=momentum, nesterov=nesterov,
                         weight_decay=weight_decay)
        if any(g["nesterov"] and g["momentum"] <= 0 for g in self.param_groups):
            raise ValueError("nesterov momentum needs momentum > 0")

    def _update(self, p, g, group):
        if group["weight_decay"]:
            g = g + p * group["weight_decay"]
        if group["momentum"]:
            # Zero-initialized, so the first step gives buf = g as in PyTorch,
            # with no Python branch that a traced step would freeze.
            buf = self._buffer(p, "momentum_buffer")
            buf.assign_(buf * group["momentum"] + g)
            g = g + buf * group["momentum"] if group["nesterov"] else buf
        p.assign_(p - g * group.lr_tensor)


class Adam(Optimizer):
    _BUFFERS = ("exp_avg", "exp_avg_sq")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)
        self.step_count = _scalar(0.0)

    def step(self):
        with no_grad():
            self.step_count.assign_(self.step_count + 1.0)
        super().step()

    def _decay(self, p, g, group):
        return g + p * group["weight_decay"] if group["weight_decay"] else g

    def _update(self, p, g, group):
        beta1, beta2 = group["betas"]
        g = self._decay(p, g, group)
        m, v = self._buffer(p, "exp_avg"), self._buffer(p, "exp_avg_sq")
        m.assign_(m * beta1 + g * (1 - beta1))
        v.assign_(v * beta2 + g * g * (1 - beta2))
        m_hat = m / (1.0 - F.pow(beta1, self.step_count))
        v_hat = v / (1.0 - F.pow(beta2, self.step_count))
        p.assign_(p - group.lr_tensor * m_hat / (F.sqrt(v_hat) + group["eps"]))

    def _extra_state(self):
        return {"step": float(self.step_count.numpy())}

    def _load_extra_state(self, state):
        if "step" in state:
            self.step_count._data[...] = float(np.asarray(state["step"]))


class AdamW(Adam):
    """Adam with decoupled weight decay."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)

    def _decay(self, p, g, group):
        if group["weight_decay"]:
            p.assign_(p * (1.0 - group.lr_tensor * group["weight_decay"]))
        return g


__all__ = ["Optimizer", "ParamGroup", "SGD", "Adam", "AdamW", "StepLR", "CosineAnnealingLR"]
