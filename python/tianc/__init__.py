"""tianc: a compiler-first deep-learning framework on MLIR.

    import tianc as tc
    x = tc.randn(4, 8)
    y = tc.functional.relu(x @ tc.randn(8, 2))     # eager: runs at once
    f = tc.jit.trace(lambda x: (x @ x.T).softmax()) # static: one compiled graph

Importing tianc makes the ``tian`` dialect and tianc's passes known to every
``mlir.ir.Context`` created afterwards, and to ``mlir.passmanager``.
"""

from . import _mlir_setup as _mlir_setup  # noqa: F401  (registers tian)

__version__ = "0.1.0"

from . import aot, autograd, custom_ops, data, dtypes, functional, jit, nn, onnx, optim, passes, random  # noqa: E402
from ._dispatch import _bind_late_imports  # noqa: E402

_bind_late_imports()
from .autograd import enable_grad, grad, no_grad  # noqa: E402
from .custom_ops import custom_op  # noqa: E402
from .nn.module import load, save  # noqa: E402
from ._dispatch import TianError  # noqa: E402
from .dtypes import (bfloat16, bool_, float16, float32, int8, int16, int32, int64,  # noqa: E402
                     uint8, uint16, uint32, uint64)
from .functional import cat, concat, stack, where  # noqa: E402
from .tensor import Tensor, arange, as_tensor, from_numpy, ones, tensor, zeros  # noqa: E402
from .random import manual_seed, rand, randn  # noqa: E402
