"""tianc.Tensor: an n-d array whose every operation is a tian op.

Outside tracing a Tensor holds a numpy array and each op runs at once as a
compiled kernel. While ``tc.jit.trace`` records a function, Tensors stand for
MLIR values of the function being built.
"""

import numpy as np
from mlir import ir

from . import dtypes
from ._dispatch import TianError, user_line


class Tensor:
    __slots__ = ("_data", "_value", "_trace", "_literal", "_node", "requires_grad", "grad",
                 "_version", "__weakref__")
    __array_priority__ = 1000  # numpy defers to our operators

    def __init__(self, data, dtype=None, requires_grad=False):
        """Always copies ``data``, as ``torch.tensor`` does: a numpy buffer the
        caller reuses or an optimizer's in-place step never aliases. Use
        ``tc.from_numpy`` / ``tc.as_tensor`` to share memory."""
        if isinstance(data, Tensor):
            data = data.numpy()
        array = np.asarray(data)
        self._data = np.array(array, dtype=dtypes.canonical(dtype or array.dtype), order="C")
        self._value = None
        self._trace = None
        self._literal = False
        self._node = None
        self.requires_grad = requires_grad
        self.grad = None
        self._version = 0  # in-place updates so far (autograd checks it)

    @classmethod
    def _wrap(cls, array):
        tensor = cls.__new__(cls)
        tensor._data, tensor._value, tensor._trace, tensor._literal = array, None, None, False
        tensor._node, tensor.requires_grad, tensor.grad = None, False, None
        tensor._version = 0
        return tensor

    @classmethod
    def _traced(cls, value, trace):
        tensor = cls._wrap(None)
        tensor._value, tensor._trace = value, trace
        return tensor

    # -- properties ---------------------------------------------------------
    @property
    def shape(self):
        if self._data is not None:
            return tuple(self._data.shape)
        return tuple(ir.RankedTensorType(self._value.type).shape)

    @property
    def dtype(self):
        if self._data is not None:
            return self._data.dtype
        return dtypes.from_mlir(ir.RankedTensorType(self._value.type).element_type)

    @property
    def ndim(self):
        return len(self.shape)

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[dim]

    def numel(self):
        return int(np.prod(self.shape))

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # -- leaving tianc ------------------------------------------------------
    def _concrete(self, what):
        if self._data is None:
            raise TianError(
                f"{what} needs the value of a tensor, but this tensor is being traced "
                f"(at {user_line()}): Python control flow or conversions that depend on "
                "tensor values cannot be captured into a graph. Use tc.where(...) for "
                "data-dependent choices, or call the function eagerly.")
        return self._data

    def numpy(self):
        return self._concrete("numpy()")

    def item(self):
        return self._concrete("item()").item()

    def tolist(self):
        return self._concrete("tolist()").tolist()

    def __bool__(self):
        return bool(self._concrete("bool(tensor)"))

    def __float__(self):
        return float(self._concrete("float(tensor)"))

    def __int__(self):
        return int(self._concrete("int(tensor)"))

    def __array__(self, dtype=None, copy=None):
        data = self._concrete("numpy conversion")
        return data if dtype is None else data.astype(dtype)

    def __repr__(self):
        if self._data is None:
            return f"tensor(<traced {list(self.shape)} {self.dtype}>)"
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        suffix = "" if self.dtype == dtypes.float32 else f", dtype={self.dtype}"
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"tensor({body}{suffix}{grad})"

    # -- operators (defined in functional; bound here) -----------------------
    def __add__(self, other): return F.add(self, other)
    def __radd__(self, other): return F.add(other, self)
    def __sub__(self, other): return F.sub(self, other)
    def __rsub__(self, other): return F.sub(other, self)
    def __mul__(self, other): return F.mul(self, other)
    def __rmul__(self, other): return F.mul(other, self)
    def __truediv__(self, other): return F.div(self, other)
    def __rtruediv__(self, other): return F.div(other, self)
    def __pow__(self, other): return F.pow(self, other)
    def __rpow__(self, other): return F.pow(other, self)
    def __matmul__(self, other): return F.matmul(self, other)
    def __rmatmul__(self, other): return F.matmul(other, self)
    def __neg__(self): return F.neg(self)
    def __abs__(self): return F.abs(self)
    def __invert__(self): return F.bitwise_not(self)
    def __and__(self, other): return F.bitwise_and(self, other)
    def __rand__(self, other): return F.bitwise_and(other, self)
    def __or__(self, other): return F.bitwise_or(self, other)
    def __ror__(self, other): return F.bitwise_or(other, self)
    def __xor__(self, other): return F.bitwise_xor(self, other)
    def __rxor__(self, other): return F.bitwise_xor(other, self)
    def __lshift__(self, other): return F.bitwise_left_shift(self, other)
    def __rshift__(self, other): return F.bitwise_right_shift(self, other)
    def __eq__(self, other): return F.eq(self, other)
    def __ne__(self, other): return F.ne(self, other)
    def __lt__(self, other): return F.lt(self, other)
    def __le__(self, other): return F.le(self, other)
    def __gt__(self, other): return F.gt(self, other)
    def __ge__(self, other): return F.ge(self, other)
    __hash__ = object.__hash__

    def __getitem__(self, index): return F.getitem(self, index)
    def __setitem__(self, index, value): self._update(F.setitem(self, index, value), "item assignment")

    # -- in-place updates -----------------------------------------------------
    def _update(self, result, what):
        """Makes ``result`` (same shape, cast to this dtype) this tensor's value:
        eagerly written into its buffer (a ``tc.from_numpy`` array sees it), in
        traced code the name rebound to the new value."""
        from . import autograd
        from ._dispatch import _state

        if tuple(result.shape) != self.shape:
            raise TianError(f"{what}: the result has shape {list(result.shape)}, this tensor "
                            f"{list(self.shape)} ({user_line()})")
        if result.dtype != self.dtype:
            result = F.cast(result, self.dtype)
        if autograd.is_grad_enabled() and (self.requires_grad or result.requires_grad):
            raise TianError(f"{what} on a tensor that takes part in autograd (it or the new value "
                            "requires grad): in-place updates of the gradient graph are not "
                            "supported yet; write it out of place (x = x + y, tc.where), or "
                            f"update under tc.no_grad() as optimizers do ({user_line()})")
        if self._data is None:  # traced: the Python name takes the new value
            if isinstance(self._value.owner, ir.Block):
                raise TianError(f"{what} on an input of a traced function: compiled code does not "
                                "write its inputs; return the new value instead "
                                f"({user_line()})")
            self._value = result._value
        else:
            if _state.active is not None:
                raise TianError(f"{what} on a tensor that the traced function captures (a "
                                "parameter or a global): compiled code does not write it; update "
                                f"it outside the traced function ({user_line()})")
            np.copyto(self._data, result._data)
        self._version += 1
        return self

    def add_(self, other, alpha=1):
        return self._update(F.add(self, other if alpha == 1 else F.mul(other, alpha)), "add_")
    def sub_(self, other, alpha=1):
        return self._update(F.sub(self, other if alpha == 1 else F.mul(other, alpha)), "sub_")
    def mul_(self, other): return self._update(F.mul(self, other), "mul_")
    def div_(self, other): return self._update(F.div(self, other), "div_")
    def clamp_(self, min=None, max=None): return self._update(F.clamp(self, min, max), "clamp_")
    def zero_(self): return self.fill_(0)
    def fill_(self, value): return self._update(F.broadcast_to(F._as_tensor(value, self), self.shape), "fill_")
    def copy_(self, source): return self._update(F.broadcast_to(F._as_tensor(source), self.shape), "copy_")

    # -- methods --------------------------------------------------------------
    def reshape(self, *shape): return F.reshape(self, *shape)
    def view(self, *shape):
        """A reshape, or with a dtype (``x.view(tc.int32)``) a bitcast, as PyTorch's."""
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
            try:
                return F.bitcast(self, np.dtype(shape[0]))
            except TypeError:
                pass
        return F.reshape(self, *shape)
    def transpose(self, dim0=0, dim1=1): return F.transpose(self, dim0, dim1)
    def permute(self, *dims): return F.permute(self, *dims)
    @property
    def T(self): return F.permute(self, *reversed(range(self.ndim)))
    def flatten(self, start_dim=0, end_dim=-1): return F.flatten(self, start_dim, end_dim)
    def unsqueeze(self, dim): return F.unsqueeze(self, dim)
    def squeeze(self, dim=None): return F.squeeze(self, dim)
    def expand(self, *shape): return F.broadcast_to(self, *shape)
    def sum(self, dim=None, keepdim=False): return F.sum(self, dim, keepdim)
    def mean(self, dim=None, keepdim=False): return F.mean(self, dim, keepdim)
    def max(self, dim=None, keepdim=False): return F.amax(self, dim, keepdim)
    def min(self, dim=None, keepdim=False): return F.amin(self, dim, keepdim)
    def prod(self, dim=None, keepdim=False): return F.prod(self, dim, keepdim)
    def argmax(self, dim=None, keepdim=False): return F.argmax(self, dim, keepdim)
    def exp(self): return F.exp(self)
    def log(self): return F.log(self)
    def sqrt(self): return F.sqrt(self)
    def tanh(self): return F.tanh(self)
    def topk(self, k, dim=-1, largest=True, sorted=True): return F.topk(self, k, dim, largest, sorted)
    def var(self, dim=None, correction=1, keepdim=False, unbiased=None):
        return F.var(self, dim, correction, keepdim, unbiased)
    def std(self, dim=None, correction=1, keepdim=False, unbiased=None):
        return F.std(self, dim, correction, keepdim, unbiased)
    def cumsum(self, dim): return F.cumsum(self, dim)
    def sort(self, dim=-1, descending=False, stable=False): return F.sort(self, dim, descending, stable)
    def argsort(self, dim=-1, descending=False, stable=False): return F.argsort(self, dim, descending, stable)
    def flip(self, dims): return F.flip(self, dims)
    def sigmoid(self): return F.sigmoid(self)
    def relu(self): return F.relu(self)
    def softmax(self, dim=-1): return F.softmax(self, dim)
    def float(self): return F.cast(self, dtypes.float32)
    def long(self): return F.cast(self, dtypes.int64)
    def int(self): return F.cast(self, dtypes.int32)
    def to(self, dtype): return F.cast(self, dtype)
    def clone(self):
        """A copy with its own buffer (differentiable, as PyTorch's)."""
        return F.add(self, 0)

    def detach(self):
        """The same values, cut from the gradient graph."""
        if self._data is not None:
            return Tensor._wrap(self._data)
        return Tensor._traced(self._value, self._trace)

    def backward(self, gradient=None, create_graph=False):
        from .autograd import backward

        backward(self, gradient, create_graph)

    @property
    def is_leaf(self):
        return self._node is None

    def requires_grad_(self, flag=True):
        self.requires_grad = flag
        return self

    def assign_(self, value):
        """Replaces this tensor's contents in place (an optimizer update). In a
        traced function the update of a captured tensor becomes an output of
        the compiled function, written back after every call."""
        value = value if isinstance(value, Tensor) else Tensor(value)
        if tuple(value.shape) != self.shape:
            raise TianError(f"assign_: shape {list(value.shape)} does not match {list(self.shape)}")
        from ._dispatch import tracing

        trace = tracing()
        if trace is not None and self._data is not None and not self._literal:
            trace.record_update(self, value)
        elif value._data is not None:
            np.copyto(self._data, value._data.astype(self.dtype, copy=False))
        else:
            raise TianError("assign_ of a traced value to a tensor outside the trace")
        return self


def tensor(data, dtype=None, requires_grad=False) -> Tensor:
    """A tensor from nested lists, a numpy array or a scalar (float64 ->
    float32). It always copies: later changes to ``data`` do not show."""
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def _shareable(array, dtype):
    return (array.dtype == dtype and array.flags.c_contiguous and array.flags.writeable
            and array.flags.aligned)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares ``array``'s memory, as ``torch.from_numpy``: writes
    through either one show in both (an optimizer step updates the array).
    The array must already be in a tianc dtype (float32, float16, bfloat16,
    the signed and unsigned integers of 8 to 64 bits, bool), C-contiguous and writable; anything else raises,
    since sharing it is impossible (``tc.tensor`` copies instead)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    try:
        dtype = dtypes.canonical(array.dtype)
    except TypeError:
        dtype = None
    if dtype != array.dtype:
        raise TypeError(f"from_numpy: tianc has no {array.dtype} tensors, so this array cannot "
                        f"be shared; tc.tensor(array) copies it into {dtype or 'a tianc dtype'}")
    if not _shareable(array, dtype):
        raise ValueError("from_numpy: the array is not C-contiguous, writable and aligned, so "
                         "it cannot be shared; tc.tensor(array) copies it")
    return Tensor._wrap(array)


def as_tensor(data, dtype=None) -> Tensor:
    """Shares memory with ``data`` when it can (a Tensor, or a numpy array
    already in the requested tianc dtype, C-contiguous and writable), and
    copies otherwise, as ``torch.as_tensor``."""
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == np.dtype(dtype) else F.cast(data, dtype)
    if isinstance(data, np.ndarray):
        target = dtypes.canonical(dtype or data.dtype)
        if _shareable(data, target):
            return Tensor._wrap(data)
    return Tensor(data, dtype=dtype)


def _factory(make):
    def factory(*shape, dtype=None, requires_grad=False):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Tensor(make(shape, dtypes.canonical(dtype or np.float32)), requires_grad=requires_grad)
    return factory


zeros = _factory(lambda shape, dtype: np.zeros(shape, dtype))
ones = _factory(lambda shape, dtype: np.ones(shape, dtype))
def arange(start, end=None, step=1, dtype=None):
    if end is None:
        start, end = 0, start
    values = np.arange(start, end, step)
    return Tensor(values, dtype=dtype or (np.int64 if values.dtype.kind == "i" else np.float32))


from . import functional as F  # noqa: E402  (operators above resolve at call time)
