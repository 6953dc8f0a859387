"""Module, Parameter and the containers."""

from collections import OrderedDict

import numpy as np

from .._dispatch import TianError
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that a Module trains: requires_grad by default."""

    def __init__(self, data, requires_grad=True):
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of layers and models: holds parameters, buffers and
    submodules, found by attribute assignment."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise TianError(f"{type(self).__name__}.__init__ must call super().__init__() "
                            "before assigning attributes")
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name, tensor):
        """A tensor saved in state_dict but not trained (BatchNorm's running stats)."""
        self._buffers[name] = tensor
        object.__setattr__(self, name, tensor)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def __call__(self, *args, **kwargs):
        hooks = self.__dict__.get("_forward_pre_hooks")  # (None: __init__ was not run)
        for hook in list(hooks.values()) if hooks else ():
            changed = hook(self, args)
            if changed is not None:
                args = changed if isinstance(changed, tuple) else (changed,)
        result = self.forward(*args, **kwargs)
        hooks = self.__dict__.get("_forward_hooks")
        for hook in list(hooks.values()) if hooks else ():
            changed = hook(self, args, result)
            if changed is not None:
                result = changed
        return result

    def register_forward_pre_hook(self, hook):
        """``hook(module, args)`` runs before forward; a result that is not
        None replaces the arguments. Returns a handle with ``remove()``."""
        return _HookHandle(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook):
        """``hook(module, args, output)`` runs after forward; a result that
        is not None replaces the output. Hooks run in traced code too (at
        trace time). Returns a handle with ``remove()``."""
        return _HookHandle(self._forward_hooks, hook)

    def apply(self, fn):
        """Calls ``fn`` on every submodule, then on this module (PyTorch's
        order, for initializing weights); returns this module."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- traversal -------------------------------------------------------------
    def named_modules(self, prefix=""):
        yield prefix, self
        for name, module in self._modules.items():
            yield from module.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        return (m for _, m in self.named_modules())

    def children(self):
        return iter(self._modules.values())

    def named_parameters(self, prefix=""):
        for module_name, module in self.named_modules(prefix):
            for name, param in module._parameters.items():
                yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self):
        return (p for _, p in self.named_parameters())

    def named_buffers(self):
        for module_name, module in self.named_modules():
            for name, buf in module._buffers.items():
                if buf is not None:  # a buffer registered as None (an unset option)
                    yield (f"{module_name}.{name}" if module_name else name), buf

    # -- modes -----------------------------------------------------------------
    def train(self, mode=True):
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    # -- state -----------------------------------------------------------------
    def to(self, dtype=None):
        """Converts every floating parameter and buffer to ``dtype`` in place
        (``tc.float16``, ``tc.bfloat16``, ...); a device name ("cpu") is
        accepted and changes nothing. Returns this module."""
        from .. import dtypes

        if dtype is None or isinstance(dtype, str) and dtype in ("cpu",):
            return self
        target = dtypes.canonical(dtype)
        for tensor in [*self.parameters(), *(b for _, b in self.named_buffers())]:
            if dtypes.is_floating(tensor.dtype) and tensor.dtype != target:
                tensor._data = tensor._data.astype(target)
                if tensor.grad is not None:
                    tensor.grad = None  # a gradient of the old dtype would not fit
        return self

    def state_dict(self):
        state = OrderedDict((name, p.numpy().copy()) for name, p in self.named_parameters())
        state.update((name, b.numpy().copy()) for name, b in self.named_buffers())
        return state

    def load_state_dict(self, state, strict=True):
        own = dict(self.named_parameters())
        own.update(self.named_buffers())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            raise TianError(f"load_state_dict: missing keys {missing}, unexpected keys "
                            f"{unexpected} (strict=False loads the keys that match)")
        for name, value in state.items():
            if name not in own:
                continue
            target = own[name]
            value = np.asarray(value.numpy() if isinstance(value, Tensor) else value)
            if value.shape != target.shape:
                raise TianError(f"load_state_dict: {name} has shape {list(value.shape)}, "
                                f"the module expects {list(target.shape)}")
            np.copyto(target._data, value.astype(target.dtype))

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        return "\n".join(lines) + ("\n)" if self._modules else ")")

    def extra_repr(self):
        return ""


class _HookHandle:
    _next_id = 0

    def __init__(self, table, hook):
        _HookHandle._next_id += 1
        self.table, self.id = table, _HookHandle._next_id
        table[self.id] = hook

    def remove(self):
        self.table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class Sequential(Module):
    def __init__(self, *modules):
        super().__init__()
        for index, module in enumerate(modules):
            setattr(self, str(index), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index):
        return list(self._modules.values())[index]

    def __len__(self):
        return len(self._modules)


class ModuleList(Module):
    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module):
        setattr(self, str(len(self._modules)), module)
        return self

    def __getitem__(self, index):
        return list(self._modules.values())[index]

    def __iter__(self):
        return iter(self._modules.values())

    def __len__(self):
        return len(self._modules)


def save(state_dict, path):
    """Saves a state dict as a .npz archive: plain arrays, no pickled code."""
    arrays = {name: (v.numpy() if isinstance(v, Tensor) else np.asarray(v)) for name, v in state_dict.items()}
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def load(path):
    """A state dict (name -> numpy array) from a file: tianc.save's .npz,
    a safetensors file (through the safetensors package) or a PyTorch
    checkpoint (through torch.load(weights_only=True): tensors, never
    code). Anything else is a TianError saying what the file is."""
    import zipfile

    with open(path, "rb") as file:
        head = file.read(16)
    if len(head) >= 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") > 1:
        return _load_safetensors(path)
    if not zipfile.is_zipfile(path):
        raise TianError(f"{path}: not a checkpoint tianc reads (tianc.save's .npz, "
                        "safetensors, or a PyTorch .pt/.pth)")
    with zipfile.ZipFile(path) as archive:
        members = archive.namelist()
    if any(name.endswith("data.pkl") for name in members):
        return _load_pytorch(path)
    if not members or not all(name.endswith(".npy") for name in members):
        raise TianError(f"{path}: a zip archive, but not one of arrays (tianc.save's .npz) "
                        "or a PyTorch checkpoint")
    with np.load(path, allow_pickle=False) as archive:
        return OrderedDict((name, archive[name]) for name in archive.files)


def _load_safetensors(path):
    try:
        from safetensors.numpy import load_file
    except ImportError:
        raise TianError(f"{path} is a safetensors file: reading it needs the safetensors "
                        "package (pip install safetensors)") from None
    return OrderedDict(load_file(str(path)))


def _load_pytorch(path):
    try:
        import torch
    except ImportError:
        raise TianError(f"{path} is a PyTorch checkpoint: reading it needs torch "
                        "(tianc reads it with torch.load(weights_only=True))") from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch's own refusal: a pickled class, a damaged file
        raise TianError(f"{path}: torch.load(weights_only=True) cannot read it: {error}") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]  # a training checkpoint that wraps the weights
    if not isinstance(state, dict):
        raise TianError(f"{path}: holds a {type(state).__name__}, not a state dict")
    arrays = OrderedDict()
    for name, value in state.items():
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
            if value.dtype == torch.bfloat16:
                value = value.float()
            arrays[name] = value.numpy()
    return arrays

