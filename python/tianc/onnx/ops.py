"""ONNX operators in terms of tianc.functional.

Each entry of ``OPS`` maps an ONNX op type (standard domain) to a function
``(node, inputs, attrs) -> output or tuple of outputs``. ``inputs`` holds,
per node input, ``None`` (omitted), a ``numpy.ndarray`` (a value known when
the model is loaded or traced: initializers of integer type, constants,
shapes) or a ``Tensor``. Data always runs through tianc's ops, so eager,
traced and AOT code compute it with the same kernels; only integer shape
arithmetic on known values (``Shape -> Gather -> Concat -> Reshape``) is
folded with numpy, as ONNX's shape inference would.

``node.opset`` is the model's standard-domain opset: an op whose meaning
changed between opsets (Softmax at 13, Reduce* axes at 13/18, ...) reads it.
A value an op cannot handle raises ``Unsupported``; the importer adds the
node's name.
"""

import builtins
import math

import numpy as np

from .. import dtypes
from .. import functional as F
from .. import resampling
from ..tensor import Tensor

OPS = {}
# Op types whose every input is a known integer array fold with numpy: shape
# arithmetic. Those in SMALL_FLOAT_FOLDS fold small known float arrays too
# (an exporter's Shape -> Cast -> Mul(scale) -> Floor -> Cast -> Resize).
FOLDS = {}
SMALL_FLOAT_FOLDS = {"Cast", "Mul", "Div", "Add", "Sub", "Floor", "Ceil", "Concat", "Gather",
                     "Unsqueeze", "Squeeze", "Slice", "Reshape", "Identity", "Max", "Min"}
SMALL = 64


# Ops of other domains tianc imports: domain -> op types (their handlers are
# in OPS, by op type).
DOMAIN_OPS = {"ai.onnx.preview.training": {"Adagrad", "Adam", "Gradient", "Momentum"}}


class Unsupported(Exception):
    """An op, attribute value or dtype the importer cannot map."""


def op(*names):
    def register(fn):
        for name in names:
            OPS[name] = fn
        return fn
    return register


def fold(*names):
    def register(fn):
        for name in names:
            FOLDS[name] = fn
        return fn
    return register


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


def tensor(value):
    """A Tensor for a node input (a known array becomes a constant)."""
    if isinstance(value, Tensor):
        return value
    array = np.asarray(value)
    try:
        dtypes.canonical(array.dtype)
    except TypeError:
        raise Unsupported(f"dtype {array.dtype} is not supported") from None
    literal = Tensor(array)
    literal._literal = True
    return literal


def take(value, axis, index):
    """``value[..., index, ...]`` along ``axis``, dropping the axis (numpy
    for a known array, a slice for a tensor)."""
    if isinstance(value, np.ndarray):
        return np.take(value, index, axis)
    begin, limit = [0] * value.ndim, list(value.shape)
    begin[axis], limit[axis] = index, index + 1
    return F.squeeze(F.slice(value, begin, limit, [1] * value.ndim), axis)


def known(value, what):
    """A node input that must be known when the model is traced (a shape,
    axes, pads): the numpy array."""
    if value is None:
        return None
    if isinstance(value, Tensor):
        if value._data is None:  # traced: computed from the model's inputs
            raise Unsupported(f"{what} must be known at compile time (a constant or a "
                              "shape computation), not computed from the model's inputs")
        return value._data
    return np.asarray(value)


def ints(value, what):
    array = known(value, what)
    return None if array is None else [int(v) for v in array.reshape(-1)]


def shape_of(value):
    return tuple(value.shape)


def is_integer(value):
    return np.dtype(value.dtype).kind in "iub"


def onnx_dtype(code):
    """numpy dtype of an ONNX TensorProto data type code."""
    from onnx import helper

    try:
        dtype = np.dtype(helper.tensor_dtype_to_np_dtype(code))
    except (KeyError, TypeError, ValueError):
        raise Unsupported(f"data type {code} is not supported") from None
    try:
        return dtypes.canonical(dtype)
    except TypeError:
        raise Unsupported(f"dtype {dtype} is not supported") from None


# Before opset 7 the binary ops broadcast only B to A, and with `axis` B's
# dims align from that dim of A rather than from the end.
LEGACY_BROADCAST = {"Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Less",
                    "Greater", "PRelu", "Gemm"}


def legacy_broadcast(node, inputs, attrs):
    """The inputs of an opset < 7 binary op, B reshaped for its `axis`."""
    if node.opset >= 7 or not attrs.get("broadcast", 0) or "axis" not in attrs:
        return inputs
    a, b = inputs[0], inputs[1]
    rank = len(shape_of(a))
    axis = attrs["axis"] % rank if rank else 0
    trailing = rank - axis - len(shape_of(b))
    if trailing < 0:
        raise Unsupported(f"broadcast axis {attrs['axis']} does not fit shapes "
                          f"{list(shape_of(a))} and {list(shape_of(b))}")
    shape = list(shape_of(b)) + [1] * trailing
    b = b.reshape(shape) if isinstance(b, np.ndarray) else F.reshape(b, shape)
    return [a, b] + list(inputs[2:])


def axis_of(axis, rank):
    if not -max(rank, 1) <= axis < max(rank, 1):
        raise Unsupported(f"axis {axis} is out of range for rank {rank}")
    return axis % max(rank, 1)


# ---------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------

for _name, _fn in {"Abs": F.abs, "Neg": F.neg, "Relu": F.relu, "Exp": F.exp, "Log": F.log,
                   "Sqrt": F.sqrt, "Tanh": F.tanh, "Sigmoid": F.sigmoid, "Erf": F.erf,
                   "Sin": F.sin, "Cos": F.cos, "Floor": F.floor, "Ceil": F.ceil,
                   "Not": F.logical_not, "Asin": F.asin, "Acos": F.acos, "Atan": F.atan,
                   "Asinh": F.asinh, "Acosh": F.acosh, "Atanh": F.atanh,
                   "BitwiseNot": F.bitwise_not}.items():
    OPS[_name] = (lambda fn: lambda node, inputs, attrs: fn(tensor(inputs[0])))(_fn)

for _name, _fn in {"Add": F.add, "Sub": F.sub, "Mul": F.mul,
                   "Equal": F.eq, "Less": F.lt, "Greater": F.gt, "LessOrEqual": F.le,
                   "GreaterOrEqual": F.ge, "BitwiseAnd": F.bitwise_and,
                   "BitwiseOr": F.bitwise_or, "BitwiseXor": F.bitwise_xor}.items():
    OPS[_name] = (lambda fn: lambda node, inputs, attrs: fn(tensor(inputs[0]),
                                                           tensor(inputs[1])))(_fn)


@op("TopK")
def _topk(node, inputs, attrs):
    k = attrs["k"] if node.opset < 10 else ints(inputs[1], "TopK's K")[0]
    return F.topk(tensor(inputs[0]), k, attrs.get("axis", -1), bool(attrs.get("largest", 1)))


@op("Einsum")
def _einsum(node, inputs, attrs):
    return F.einsum(attrs["equation"], *[tensor(i) for i in inputs])


@op("BitShift")
def _bit_shift(node, inputs, attrs):
    shift = F.bitwise_left_shift if attrs["direction"] == "LEFT" else F.bitwise_right_shift
    return shift(tensor(inputs[0]), tensor(inputs[1]))


@op("Div")
def _div(node, inputs, attrs):
    a, b = tensor(inputs[0]), tensor(inputs[1])
    # Integer division truncates toward zero (C's, and ONNX Runtime's).
    return F.div(a, b) if dtypes.is_floating(a.dtype) else F.div(a, b, rounding_mode="trunc")


@op("Pow")
def _pow(node, inputs, attrs):
    a, b = tensor(inputs[0]), tensor(inputs[1])
    out = F.pow(a, F.cast(b, a.dtype) if dtypes.is_floating(a.dtype) else b)
    return out if out.dtype == a.dtype else F.cast(out, a.dtype)


@op("Mod")
def _mod(node, inputs, attrs):
    a, b = tensor(inputs[0]), tensor(inputs[1])
    return F.fmod(a, b) if attrs.get("fmod", 0) else F.remainder(a, b)


@fold("Add", "Sub", "Mul", "Div", "Mod", "Equal", "Less", "Greater", "LessOrEqual",
      "GreaterOrEqual", "Max", "Min", "Abs", "Neg", "Not", "And", "Or")
def _fold_elementwise(node, inputs, attrs):
    a = inputs[0]
    if node.op_type == "Mod":
        return (np.fmod if attrs.get("fmod", 0) else np.mod)(a, inputs[1])
    functions = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply,
                 "Equal": np.equal, "Less": np.less, "Greater": np.greater,
                 "LessOrEqual": np.less_equal, "GreaterOrEqual": np.greater_equal,
                 "And": np.logical_and, "Or": np.logical_or}
    if node.op_type in ("Abs", "Neg", "Not"):
        return {"Abs": np.abs, "Neg": np.negative, "Not": np.logical_not}[node.op_type](a)
    if node.op_type in ("Max", "Min"):
        reduce = np.maximum if node.op_type == "Max" else np.minimum
        out = inputs[0]
        for other in inputs[1:]:
            out = reduce(out, other)
        return out
    if node.op_type == "Div" and not is_integer(a):
        return np.true_divide(a, inputs[1]).astype(np.result_type(a, inputs[1]))
    if node.op_type == "Div":  # integer division truncates toward zero, as in C
        b = inputs[1]
        if np.any(b == 0):
            raise Unsupported("integer division by zero")
        quotient = np.abs(a) // np.abs(b)
        return np.where((a < 0) != (b < 0), -quotient, quotient).astype(np.result_type(a, b))
    result = functions[node.op_type](a, inputs[1])
    return result.astype(np.result_type(a, inputs[1])) if result.dtype != np.bool_ else result


def _variadic(fn):
    def run(node, inputs, attrs):
        out = tensor(inputs[0])
        for other in inputs[1:]:
            out = fn(out, tensor(other))
        return out
    return run


OPS["Max"] = _variadic(F.maximum)
OPS["Min"] = _variadic(F.minimum)
OPS["Sum"] = _variadic(F.add)


@op("Mean")
def _mean(node, inputs, attrs):
    return F.div(_variadic(F.add)(node, inputs, attrs), float(len(inputs)))


def _as_bool(x):
    x = tensor(x)
    return x if x.dtype == dtypes.bool_ else F.ne(x, 0)


@op("And")
def _and(node, inputs, attrs):
    return F.where(_as_bool(inputs[0]), _as_bool(inputs[1]), False)


@op("Or")
def _or(node, inputs, attrs):
    return F.where(_as_bool(inputs[0]), True, _as_bool(inputs[1]))


@op("Xor")
def _xor(node, inputs, attrs):
    return F.ne(_as_bool(inputs[0]), _as_bool(inputs[1]))


@op("Reciprocal")
def _reciprocal(node, inputs, attrs):
    return F.div(1.0, tensor(inputs[0]))


@op("Sign")
def _sign(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.sub(F.cast(F.gt(x, 0), x.dtype), F.cast(F.lt(x, 0), x.dtype))


@op("IsNaN")
def _isnan(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.ne(x, x)


@op("IsInf")
def _isinf(node, inputs, attrs):
    x = tensor(inputs[0])
    positive = F.eq(x, math.inf) if attrs.get("detect_positive", 1) else F.lt(x, x)
    negative = F.eq(x, -math.inf) if attrs.get("detect_negative", 1) else F.lt(x, x)
    return F.where(positive, True, negative)


@op("Round")
def _round(node, inputs, attrs):
    return F.round(tensor(inputs[0]))


@op("Sinh")
def _sinh(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.mul(F.sub(F.exp(x), F.exp(F.neg(x))), 0.5)


@op("Cosh")
def _cosh(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.mul(F.add(F.exp(x), F.exp(F.neg(x))), 0.5)


@op("Tan")
def _tan(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.div(F.sin(x), F.cos(x))


@op("Swish")
def _swish(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.mul(x, F.sigmoid(F.mul(x, float(attrs.get("alpha", 1.0)))))


@op("Shrink")
def _shrink(node, inputs, attrs):
    x = tensor(inputs[0])
    lambd, bias = float(attrs.get("lambd", 0.5)), float(attrs.get("bias", 0.0))
    return F.where(F.lt(x, -lambd), F.add(x, bias),
                   F.where(F.gt(x, lambd), F.sub(x, bias), F.zeros_like(x)))


@fold("Floor", "Ceil")
def _fold_rounding(node, inputs, attrs):
    return (np.floor if node.op_type == "Floor" else np.ceil)(inputs[0])


@op("Identity")
def _identity(node, inputs, attrs):
    return inputs[0]


@fold("Identity")
def _fold_identity(node, inputs, attrs):
    return inputs[0]


@op("Where")
def _where(node, inputs, attrs):
    return F.where(_as_bool(inputs[0]), tensor(inputs[1]), tensor(inputs[2]))


@fold("Where")
def _fold_where(node, inputs, attrs):
    return np.where(inputs[0], inputs[1], inputs[2])


@op("Cast")
def _cast(node, inputs, attrs):
    return F.cast(tensor(inputs[0]), onnx_dtype(attrs["to"]))


@fold("Cast")
def _fold_cast(node, inputs, attrs):
    return inputs[0].astype(onnx_dtype(attrs["to"]))


@op("BitCast")
def _bitcast(node, inputs, attrs):
    return F.bitcast(tensor(inputs[0]), onnx_dtype(attrs["to"]))


@op("CastLike")
def _cast_like(node, inputs, attrs):
    return F.cast(tensor(inputs[0]), inputs[1].dtype)


@op("Clip")
def _clip(node, inputs, attrs):
    x = tensor(inputs[0])
    if node.opset < 11:
        low, high = attrs.get("min"), attrs.get("max")
    else:
        low = None if len(inputs) < 2 or inputs[1] is None else tensor(inputs[1])
        high = None if len(inputs) < 3 or inputs[2] is None else tensor(inputs[2])
    if low is not None:
        x = F.maximum(x, low if isinstance(low, Tensor) else float(low))
    if high is not None:
        x = F.minimum(x, high if isinstance(high, Tensor) else float(high))
    return x


@op("LeakyRelu")
def _leaky_relu(node, inputs, attrs):
    return F.leaky_relu(tensor(inputs[0]), float(attrs.get("alpha", 0.01)))


@op("PRelu")
def _prelu(node, inputs, attrs):
    x = tensor(inputs[0])
    slope = tensor(inputs[1])
    if node.opset < 7 and slope.ndim == 1 and slope.shape[0] == x.shape[1] != 1 and x.ndim > 2:
        # PRelu-6: a [C] slope is per channel (dim 1), not numpy-broadcast.
        inputs = [x, F.reshape(slope, [slope.shape[0]] + [1] * (x.ndim - 2))]
    return F.where(F.ge(x, 0), x, F.mul(x, tensor(inputs[1])))


@op("Elu")
def _elu(node, inputs, attrs):
    x = tensor(inputs[0])
    alpha = float(attrs.get("alpha", 1.0))
    return F.where(F.gt(x, 0), x, F.mul(F.sub(F.exp(F.minimum(x, 0.0)), 1.0), alpha))


@op("Celu")
def _celu(node, inputs, attrs):
    x = tensor(inputs[0])
    alpha = float(attrs.get("alpha", 1.0))
    negative = F.mul(F.sub(F.exp(F.div(F.minimum(x, 0.0), alpha)), 1.0), alpha)
    return F.add(F.maximum(x, 0.0), F.minimum(negative, 0.0))


@op("Selu")
def _selu(node, inputs, attrs):
    x = tensor(inputs[0])
    alpha = float(attrs.get("alpha", 1.67326319217681884765625))
    gamma = float(attrs.get("gamma", 1.05070102214813232421875))
    negative = F.mul(F.sub(F.exp(F.minimum(x, 0.0)), 1.0), alpha)
    return F.mul(F.where(F.gt(x, 0), x, negative), gamma)


@op("HardSigmoid")
def _hard_sigmoid(node, inputs, attrs):
    x = tensor(inputs[0])
    alpha, beta = float(attrs.get("alpha", 0.2)), float(attrs.get("beta", 0.5))
    return F.clamp(F.add(F.mul(x, alpha), beta), 0.0, 1.0)


@op("HardSwish")
def _hard_swish(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.mul(x, F.clamp(F.add(F.mul(x, 1.0 / 6.0), 0.5), 0.0, 1.0))


@op("Softplus")
def _softplus_op(node, inputs, attrs):
    # No threshold (ONNX has none): log(1 + e^x) itself everywhere.
    return F.softplus(tensor(inputs[0]), threshold=float("inf"))


@op("Softsign")
def _softsign(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.div(x, F.add(F.abs(x), 1.0))


@op("Mish")
def _mish(node, inputs, attrs):
    return F.mish(tensor(inputs[0]))


@op("Gelu")
def _gelu(node, inputs, attrs):
    return F.gelu(tensor(inputs[0]), approximate=attrs.get("approximate", "none"))


@op("SwiGLU")
def _swiglu(node, inputs, attrs):
    gate, value = tensor(inputs[0]), tensor(inputs[1])
    alpha = float(attrs.get("alpha", 1.0))
    return F.mul(F.mul(gate, F.sigmoid(F.mul(gate, alpha))), value)


@op("ThresholdedRelu")
def _thresholded_relu(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.where(F.gt(x, float(attrs.get("alpha", 1.0))), x, 0.0)


@op("Dropout")
def _dropout(node, inputs, attrs):
    # Inference (or a ratio of 0): the identity. Training draws from tianc's
    # generator (tc.manual_seed), not numpy's: the seed attribute is not
    # numpy-compatible, so the kept elements differ from ONNX's reference.
    training = inputs[2] if len(inputs) > 2 else None
    training = training is not None and bool(known(training, "Dropout's training_mode"))
    if node.opset < 12:
        ratio = float(attrs.get("ratio", 0.5))
        training = training or (node.opset < 7 and not attrs.get("is_test", 0))
    else:
        ratio = 0.5 if len(inputs) < 2 or inputs[1] is None else \
            float(known(inputs[1], "Dropout's ratio").reshape(-1)[0])
    x = inputs[0]
    with_mask = len(node.output) > 1 and node.output[1]
    if not training or ratio == 0:
        return (x, tensor(np.ones(shape_of(x), np.bool_))) if with_mask else x
    x = tensor(x)
    keep = F.ge(F.random_uniform(x.shape, dtypes.float32), ratio)
    y = F.where(keep, F.mul(x, 1.0 / (1.0 - ratio)), 0.0) if ratio < 1 else F.zeros_like(x)
    return (y, keep) if with_mask else y


# ---------------------------------------------------------------------------
# Contractions, convolutions, pooling
# ---------------------------------------------------------------------------


@op("MatMul")
def _matmul(node, inputs, attrs):
    a, b = tensor(inputs[0]), tensor(inputs[1])
    if a.ndim == 1 and b.ndim == 1:
        return F.sum(F.mul(a, b))
    if a.ndim == 1:
        return F.squeeze(F.matmul(F.unsqueeze(a, 0), b), -2)
    if b.ndim == 1:
        return F.squeeze(F.matmul(a, F.unsqueeze(b, -1)), -1)
    return F.matmul(a, b)


@op("Gemm")
def _gemm(node, inputs, attrs):
    a, b = tensor(inputs[0]), tensor(inputs[1])
    if attrs.get("transA", 0):
        a = F.permute(a, 1, 0)
    if attrs.get("transB", 0):
        b = F.permute(b, 1, 0)
    out = F.matmul(a, b)
    alpha, beta = float(attrs.get("alpha", 1.0)), float(attrs.get("beta", 1.0))
    if alpha != 1.0:
        out = F.mul(out, alpha)
    if len(inputs) > 2 and inputs[2] is not None and beta != 0.0:
        c = tensor(inputs[2])
        out = F.add(out, c if beta == 1.0 else F.mul(c, beta))
    return out


def _spatial_attrs(node, attrs, spatial_shape, kernel):
    """(strides, dilations, [top, left, bottom, right]) of a 2-D window,
    resolving auto_pad against the input's spatial shape."""
    n = len(kernel)
    strides = list(attrs.get("strides", [1] * n))
    dilations = list(attrs.get("dilations", [1] * n))
    auto_pad = attrs.get("auto_pad", "NOTSET")
    if auto_pad in ("NOTSET", ""):
        pads = list(attrs.get("pads", [0] * (2 * n)))
    elif auto_pad == "VALID":
        pads = [0] * (2 * n)
    elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        begins, ends = [], []
        for size, k, s, d in zip(spatial_shape, kernel, strides, dilations):
            out = -(-size // s)
            total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
            small, large = total // 2, total - total // 2
            begin, end = (small, large) if auto_pad == "SAME_UPPER" else (large, small)
            begins.append(begin), ends.append(end)
        pads = begins + ends
    else:
        raise Unsupported(f"auto_pad={auto_pad!r} is not supported")
    return strides, dilations, pads


def _as_2d(x, rank):
    """An input with one spatial dim gets a unit one in front (1-D windows
    run as 2-D ones)."""
    return F.unsqueeze(x, 2) if rank == 1 else x


def _pads_2d(pads, rank):
    """[begin, end] of a 1-D window as [top, left, bottom, right] of its 2-D one."""
    return [0, pads[0], 0, pads[1]] if rank == 1 else list(pads)


def _spatial_rank(node, x):
    rank = x.ndim - 2
    if rank not in (1, 2):
        raise Unsupported(f"{rank}-D windows are not supported here (1-D, 2-D and 3-D "
                          "convolutions and pools are)")
    return rank


def _pairs(values, rank, fill):
    """1-D window parameters as their 2-D ones: `fill` for the unit dim."""
    return [fill] + list(values) if rank == 1 else list(values)


@op("Conv")
def _conv(node, inputs, attrs):
    x, weight = tensor(inputs[0]), tensor(inputs[1])
    bias = tensor(inputs[2]) if len(inputs) > 2 and inputs[2] is not None else None
    if x.ndim == 5:
        return windows.conv3d(node, x, weight, bias, attrs)
    rank = _spatial_rank(node, x)
    kernel = list(attrs.get("kernel_shape", weight.shape[2:]))
    strides, dilations, pads = _spatial_attrs(node, attrs, x.shape[2:], kernel)
    pads = _pads_2d(pads, rank)
    if rank == 1:
        weight = F.unsqueeze(weight, 2)
    out = F.conv2d(_as_2d(x, rank), weight, bias, stride=_pairs(strides, rank, 1),
                   padding=pads, dilation=_pairs(dilations, rank, 1),
                   groups=int(attrs.get("group", 1)))
    return F.squeeze(out, 2) if rank == 1 else out


def _pool_setup(node, x, attrs):
    rank = _spatial_rank(node, x)
    kernel = list(attrs["kernel_shape"])
    strides, dilations, pads = _spatial_attrs(node, attrs, x.shape[2:], kernel)
    return (rank, _pairs(kernel, rank, 1), _pairs(strides, rank, 1), _pairs(dilations, rank, 1),
            _pads_2d(pads, rank))


def _beyond_half_kernel(kernel, pads):
    """Pads larger than half the (dilated) window, which tian's pools refuse."""
    return any(p > k // 2 for p, k in zip(pads, kernel + kernel))


@op("MaxPool")
def _max_pool(node, inputs, attrs):
    x = tensor(inputs[0])
    if len(node.output) > 1 and node.output[1]:
        return windows.max_pool(node, x, attrs, indices=True)
    if x.ndim > 4:
        return windows.max_pool(node, x, attrs)
    rank, kernel, strides, dilations, pads = _pool_setup(node, x, attrs)
    if _beyond_half_kernel(kernel, pads):
        if attrs.get("ceil_mode", 0):
            return windows.max_pool(node, x, attrs)
        # Padding with -inf first: a window over padding alone gives -inf.
        x = F._pad_dims(_as_2d(x, rank), [0, 0, pads[0], pads[1]], [0, 0, pads[2], pads[3]],
                        -math.inf)
        out = F.max_pool2d(x, kernel, strides, 0, dilations)
        return F.squeeze(out, 2) if rank == 1 else out
    out = F.max_pool2d(_as_2d(x, rank), kernel, strides, pads, dilations,
                       ceil_mode=bool(attrs.get("ceil_mode", 0)))
    return F.squeeze(out, 2) if rank == 1 else out


@op("AveragePool")
def _average_pool(node, inputs, attrs):
    x = tensor(inputs[0])
    if x.ndim > 4 or any(d != 1 for d in attrs.get("dilations", [])):
        return windows.average_pool(node, x, attrs)
    rank, kernel, strides, dilations, pads = _pool_setup(node, x, attrs)
    if _beyond_half_kernel(kernel, pads) and not attrs.get("ceil_mode", 0):
        # Window sums over the zero-padded input, divided by the window's
        # size or by its count of real elements.
        x2 = _as_2d(x, rank)
        low, high = [0, 0, pads[0], pads[1]], [0, 0, pads[2], pads[3]]
        sums = F.avg_pool2d(F._pad_dims(x2, low, high), kernel, strides, 0)
        if not attrs.get("count_include_pad", 0):
            ones = tensor(np.ones((1, 1) + tuple(x2.shape[2:]), np.dtype(x2.dtype)))
            sums = F.div(sums, F.avg_pool2d(F._pad_dims(ones, low, high), kernel, strides, 0))
        return F.squeeze(sums, 2) if rank == 1 else sums
    out = F.avg_pool2d(_as_2d(x, rank), kernel, strides, pads,
                       ceil_mode=bool(attrs.get("ceil_mode", 0)),
                       count_include_pad=bool(attrs.get("count_include_pad", 0)))
    return F.squeeze(out, 2) if rank == 1 else out


@op("GlobalAveragePool")
def _global_average_pool(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.mean(x, list(range(2, x.ndim)), keepdim=True)


@op("GlobalMaxPool")
def _global_max_pool(node, inputs, attrs):
    x = tensor(inputs[0])
    return F.amax(x, list(range(2, x.ndim)), keepdim=True)


# ---------------------------------------------------------------------------
# Normalization and softmax
# ---------------------------------------------------------------------------


@op("BatchNormalization")
def _batch_norm(node, inputs, attrs):
    if node.opset < 9 and not attrs.get("spatial", 1):
        raise Unsupported("spatial=0 (statistics per element) is not supported")
    x, scale, bias, mean, var = (tensor(v) for v in inputs[:5])
    eps = float(attrs.get("epsilon", 1e-5))
    legacy_training = node.opset < 7 and not attrs.get("is_test", 0)
    if attrs.get("training_mode", 0) or len([o for o in node.output if o]) > 1 or legacy_training:
        # Batch statistics (population variance); the running ones move by
        # momentum, as ONNX's reference: before opset 14 the batch's mean
        # and variance are outputs too.
        axes = [d for d in range(x.ndim) if d != 1]
        batch_mean = F.mean(x, axes)
        centered = F.sub(x, F.reshape(batch_mean, [1, -1] + [1] * (x.ndim - 2)))
        batch_var = F.mean(F.mul(centered, centered), axes)
        momentum = float(attrs.get("momentum", 0.9))
        running_mean = F.add(F.mul(mean, momentum), F.mul(batch_mean, 1.0 - momentum))
        running_var = F.add(F.mul(var, momentum), F.mul(batch_var, 1.0 - momentum))
        y = F.batch_norm(x, batch_mean, batch_var, scale, bias, training=False, eps=eps)
        if node.opset >= 14:
            return y, running_mean, running_var
        return y, running_mean, running_var, batch_mean, batch_var  # (opset < 7: with is_test=0)
    return F.batch_norm(x, mean, var, scale, bias, training=False, eps=eps)


@op("LayerNormalization")
def _layer_norm(node, inputs, attrs):
    x = tensor(inputs[0])
    axis = axis_of(int(attrs.get("axis", -1)), x.ndim)
    if len([o for o in node.output if o]) > 1:
        # Y, and the statistics it was normalized with.
        normalized, mean, inv_std = _normalize(x, list(range(axis, x.ndim)),
                                               attrs.get("epsilon", 1e-5))
        y = F.mul(normalized, tensor(inputs[1]))
        if len(inputs) > 2 and inputs[2] is not None:
            y = F.add(y, tensor(inputs[2]))
        return y, mean, inv_std
    scale = tensor(inputs[1])
    bias = tensor(inputs[2]) if len(inputs) > 2 and inputs[2] is not None else None
    normalized = list(x.shape[axis:])
    scale = F.broadcast_to(scale, normalized) if list(scale.shape) != normalized else scale
    if bias is not None and list(bias.shape) != normalized:
        bias = F.broadcast_to(bias, normalized)
    return F.layer_norm(x, normalized, scale, bias, eps=float(attrs.get("epsilon", 1e-5)))


@op("MeanVarianceNormalization")
def _mean_variance_normalization(node, inputs, attrs):
    # ONNX's function: (x - E x) / (sqrt(E x^2 - (E x)^2) + 1e-9).
    x = tensor(inputs[0])
    axes = [axis_of(a, x.ndim) for a in attrs.get("axes", [0, 2, 3])]
    mean = F.mean(x, axes, keepdim=True)
    variance = F.sub(F.mean(F.mul(x, x), axes, keepdim=True), F.mul(mean, mean))
    return F.div(F.sub(x, mean), F.add(F.sqrt(variance), 1e-9))


@op("LRN")
def _lrn(node, inputs, attrs):
    x = tensor(inputs[0])
    size = int(attrs["size"])
    alpha, beta = float(attrs.get("alpha", 1e-4)), float(attrs.get("beta", 0.75))
    bias = float(attrs.get("bias", 1.0))
    channels = x.shape[1]
    low, high = (size - 1) // 2, size - 1 - (size - 1) // 2
    pad_low, pad_high = [0] * x.ndim, [0] * x.ndim
    pad_low[1], pad_high[1] = low, high
    squares = F._pad_dims(F.mul(x, x), pad_low, pad_high)
    window = None
    for offset in range(size):  # the channels c - low ... c + high
        begin, limit = [0] * x.ndim, list(squares.shape)
        begin[1], limit[1] = offset, offset + channels
        part = F.slice(squares, begin, limit, [1] * x.ndim)
        window = part if window is None else F.add(window, part)
    return F.div(x, F.pow(F.add(F.mul(window, alpha / size), bias), beta))


@op("InstanceNormalization")
def _instance_norm(node, inputs, attrs):
    x, scale, bias = (tensor(v) for v in inputs[:3])
    axes = list(range(2, x.ndim))
    normalized = _normalize(x, axes, attrs.get("epsilon", 1e-5))[0]
    shape = [1, -1] + [1] * len(axes)
    return F.add(F.mul(normalized, F.reshape(scale, shape)), F.reshape(bias, shape))


def _normalize(x, axes, epsilon):
    """(x - mean) / sqrt(var + epsilon) over `axes`, with the mean and the
    inverse deviation (kept dims): the statistics of every *Normalization."""
    mean = F.mean(x, axes, keepdim=True)
    centered = F.sub(x, mean)
    inv_std = F.rsqrt(F.add(F.mean(F.mul(centered, centered), axes, keepdim=True),
                            float(epsilon)))
    return F.mul(centered, inv_std), mean, inv_std


def _softmax_like(fn):
    def run(node, inputs, attrs):
        x = tensor(inputs[0])
        if node.opset >= 13:
            return fn(x, axis_of(int(attrs.get("axis", -1)), x.ndim))
        # Before opset 13: over the dims from `axis` on, flattened.
        axis = axis_of(int(attrs.get("axis", 1)), x.ndim)
        rows = int(np.prod(x.shape[:axis], dtype=np.int64))
        return F.reshape(fn(F.reshape(x, rows, -1), 1), list(x.shape))
    return run


OPS["Softmax"] = _softmax_like(F.softmax)
OPS["LogSoftmax"] = _softmax_like(F.log_softmax)


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------


def _reduce_axes(node, inputs, attrs, input_since):
    """The axes of a Reduce* node: an attribute before `input_since`, the
    optional second input from then on; None means every axis."""
    x = inputs[0]
    if node.opset < input_since:
        axes = attrs.get("axes")
    else:
        axes = ints(inputs[1], f"{node.op_type}'s axes") if len(inputs) > 1 else None
        if not axes and attrs.get("noop_with_empty_axes", 0):
            return []
    if not axes:
        return None
    return sorted({axis_of(int(a), len(x.shape)) for a in axes})


def _reduced_shape(shape, axes, keep):
    return [1 if i in axes else d for i, d in enumerate(shape) if keep or i not in axes]


def _reduction(fn, input_since=18, before=None, after=None, empty=None):
    """A Reduce* op: ``empty(dtype)`` is its value over an empty set, where
    tian's op has no identity (max, min)."""
    def run(node, inputs, attrs):
        x = tensor(inputs[0])
        axes = _reduce_axes(node, inputs, attrs, input_since)
        keep = bool(attrs.get("keepdims", 1))
        if axes == []:
            return after(before(x)) if after else (before(x) if before else x)
        value = before(x) if before else x
        if axes is None:
            axes = list(range(x.ndim))
        if empty is not None and any(x.shape[a] == 0 for a in axes):
            return np.full(_reduced_shape(x.shape, axes, keep), empty(np.dtype(x.dtype)),
                           np.dtype(x.dtype))
        if x.ndim == 0:
            out = value
        else:
            out = fn(value, axes, keepdim=keep)
        return after(out) if after else out
    return run


def _extremum(fn):
    """amax/amin, through float32 for bool and int8 (exact there), which
    tian's max and min do not take; wider integers would round."""
    def run(x, axes, keepdim):
        if dtypes.is_floating(x.dtype):
            return fn(x, axes, keepdim=keepdim)
        if x.dtype not in (dtypes.bool_, dtypes.int8):
            raise Unsupported(f"max/min reductions of {x.dtype} data are not supported "
                              "(float, bool and int8 are)")
        return F.cast(fn(F.cast(x, dtypes.float32), axes, keepdim=keepdim), x.dtype)
    return run


def _lowest(dtype):
    return -np.inf if dtypes.is_floating(dtype) else (False if dtype.kind == "b" else np.iinfo(dtype).min)


def _highest(dtype):
    return np.inf if dtypes.is_floating(dtype) else (True if dtype.kind == "b" else np.iinfo(dtype).max)


OPS["ReduceSum"] = _reduction(F.sum, input_since=13)
def _mean_keeping_type(x, axes, keepdim):
    out = F.mean(x, axes, keepdim=keepdim)  # integers: a truncated integer mean, as ONNX's
    return out if out.dtype == x.dtype else F.cast(out, x.dtype)


OPS["ReduceMean"] = _reduction(_mean_keeping_type)
OPS["ReduceMax"] = _reduction(_extremum(F.amax), empty=_lowest)
OPS["ReduceMin"] = _reduction(_extremum(F.amin), empty=_highest)
OPS["ReduceProd"] = _reduction(F.prod)
OPS["ReduceSumSquare"] = _reduction(F.sum, before=lambda x: F.mul(x, x))
OPS["ReduceL1"] = _reduction(F.sum, before=F.abs)
OPS["ReduceL2"] = _reduction(F.sum, before=lambda x: F.mul(x, x), after=F.sqrt)
OPS["ReduceLogSum"] = _reduction(F.sum, after=F.log)


@op("ReduceLogSumExp")
def _reduce_log_sum_exp(node, inputs, attrs):
    x = tensor(inputs[0])
    axes = _reduce_axes(node, inputs, attrs, 18)
    keep = bool(attrs.get("keepdims", 1))
    if axes == [] or x.ndim == 0:
        return x
    axes = list(range(x.ndim)) if axes is None else axes
    if any(x.shape[a] == 0 for a in axes):
        return np.full(_reduced_shape(x.shape, axes, keep), -np.inf, np.dtype(x.dtype))
    # log(sum(exp(x - m))) + m with m the max: no overflow.
    peak = F.amax(x, axes, keepdim=True)
    peak = F.where(F.eq(F.abs(peak), math.inf), 0.0, peak) if dtypes.is_floating(x.dtype) else peak
    out = F.add(F.log(F.sum(F.exp(F.sub(x, peak)), axes, keepdim=True)), peak)
    return out if keep else F.squeeze(out, axes)


@fold("ReduceProd", "ReduceSum", "ReduceMax", "ReduceMin")
def _fold_reduce(node, inputs, attrs):
    axes = _reduce_axes(node, inputs, attrs, 13 if node.op_type == "ReduceSum" else 18)
    fn = {"ReduceProd": np.prod, "ReduceSum": np.sum, "ReduceMax": np.max,
          "ReduceMin": np.min}[node.op_type]
    if axes == []:
        return inputs[0]
    return fn(inputs[0], axis=None if axes is None else tuple(axes),
              keepdims=bool(attrs.get("keepdims", 1))).astype(inputs[0].dtype)


def _arg(fn_name):
    def run(node, inputs, attrs):
        x = tensor(inputs[0])
        axis = axis_of(int(attrs.get("axis", 0)), x.ndim)
        keep = bool(attrs.get("keepdims", 1))
        if fn_name == "max":
            value = x
        elif dtypes.is_floating(x.dtype):
            value = F.neg(x)
        else:  # -1 - x: order reversed, and no overflow at the type's minimum
            wide = x if x.dtype != dtypes.bool_ else F.cast(x, dtypes.int8)
            value = F.sub(tensor(np.array(-1, np.dtype(wide.dtype))), wide)
        if attrs.get("select_last_index", 0):
            # The last extremum: the first one of the reversed axis.
            size = x.shape[axis]
            reversed_x = F.flip(value, axis)
            index = F.argmax(reversed_x, axis, keepdim=keep)
            return F.sub(size - 1, index)
        return F.argmax(value, axis, keepdim=keep)
    return run


OPS["ArgMax"] = _arg("max")
OPS["ArgMin"] = _arg("min")


# ---------------------------------------------------------------------------
# Shapes and data movement
# ---------------------------------------------------------------------------


@op("Shape")
def _shape(node, inputs, attrs):
    shape = np.array(shape_of(inputs[0]), np.int64)
    start, end = attrs.get("start", 0), attrs.get("end")
    return shape[start:end]


@op("Size")
def _size(node, inputs, attrs):
    return np.array(int(np.prod(shape_of(inputs[0]), dtype=np.int64)), np.int64)


def _reshape_target(node, input_shape, shape, allowzero):
    target = []
    for i, d in enumerate(shape):
        if d == 0 and not allowzero:
            if i >= len(input_shape):
                raise Unsupported(f"shape {shape}: dim {i} copies a dim the input "
                                  f"{list(input_shape)} does not have")
            target.append(input_shape[i])
        else:
            target.append(d)
    if target.count(-1) > 1:
        raise Unsupported(f"shape {shape} has more than one -1")
    if -1 in target:
        known_size = int(np.prod([d for d in target if d != -1], dtype=np.int64))
        total = int(np.prod(input_shape, dtype=np.int64))
        if known_size == 0 or total % known_size:
            raise Unsupported(f"cannot reshape {list(input_shape)} to {shape}")
        target[target.index(-1)] = total // known_size
    if int(np.prod(target, dtype=np.int64)) != int(np.prod(input_shape, dtype=np.int64)):
        raise Unsupported(f"cannot reshape {list(input_shape)} to {shape}")
    return target


@op("Reshape")
def _reshape(node, inputs, attrs):
    x = inputs[0]
    shape = attrs["shape"] if node.opset < 5 else ints(inputs[1], "Reshape's shape")
    target = _reshape_target(node, shape_of(x), shape, attrs.get("allowzero", 0))
    return F.reshape(tensor(x), target)


@fold("Reshape")
def _fold_reshape(node, inputs, attrs):
    target = _reshape_target(node, inputs[0].shape, [int(v) for v in inputs[1].reshape(-1)],
                             attrs.get("allowzero", 0))
    return inputs[0].reshape(target)


@op("Flatten")
def _flatten(node, inputs, attrs):
    x = tensor(inputs[0])
    axis = int(attrs.get("axis", 1))
    axis = axis % x.ndim if x.ndim and axis < 0 else axis
    rows = int(np.prod(x.shape[:axis], dtype=np.int64))
    return F.reshape(x, [rows, int(np.prod(x.shape[axis:], dtype=np.int64))])


@op("Transpose")
def _transpose(node, inputs, attrs):
    x = tensor(inputs[0])
    perm = attrs.get("perm", list(range(x.ndim))[::-1])
    return F.permute(x, *perm) if x.ndim else x


@fold("Transpose")
def _fold_transpose(node, inputs, attrs):
    return np.transpose(inputs[0], attrs.get("perm"))


def _squeeze_axes(node, inputs, attrs):
    if node.opset < 13:
        return attrs.get("axes")
    return ints(inputs[1], f"{node.op_type}'s axes") if len(inputs) > 1 else None


@op("Squeeze")
def _squeeze(node, inputs, attrs):
    x = tensor(inputs[0])
    axes = _squeeze_axes(node, inputs, attrs)
    return F.squeeze(x) if axes is None else F.squeeze(x, [axis_of(a, x.ndim) for a in axes])


@fold("Squeeze")
def _fold_squeeze(node, inputs, attrs):
    axes = _squeeze_axes(node, inputs, attrs)
    return np.squeeze(inputs[0], None if axes is None else tuple(axes))


def _unsqueezed_shape(shape, axes):
    rank = len(shape) + len(axes)
    axes = sorted(axis_of(a, rank) for a in axes)
    out, rest = [], iter(shape)
    for i in range(rank):
        out.append(1 if i in axes else next(rest))
    return out


@op("Unsqueeze")
def _unsqueeze(node, inputs, attrs):
    x = tensor(inputs[0])
    axes = _squeeze_axes(node, inputs, attrs)
    return F.reshape(x, _unsqueezed_shape(x.shape, axes))


@fold("Unsqueeze")
def _fold_unsqueeze(node, inputs, attrs):
    return inputs[0].reshape(_unsqueezed_shape(inputs[0].shape, _squeeze_axes(node, inputs, attrs)))


@op("Concat")
def _concat(node, inputs, attrs):
    values = [tensor(v) for v in inputs if v is not None]
    axis = axis_of(int(attrs.get("axis", 1) if node.opset < 4 else attrs["axis"]), values[0].ndim)
    values = [v for v in values if v.shape[axis] != 0 or v.ndim != values[0].ndim] or values[:1]
    return values[0] if len(values) == 1 else F.concat(values, axis)


@fold("Concat")
def _fold_concat(node, inputs, attrs):
    axis = attrs.get("axis", 1) if node.opset < 4 else attrs["axis"]
    return np.concatenate([v for v in inputs if v is not None], axis=int(axis))


@op("Split")
def _split(node, inputs, attrs):
    x = tensor(inputs[0])
    axis = axis_of(int(attrs.get("axis", 0)), x.ndim)
    size = x.shape[axis]
    outputs = len(node.output)
    if node.opset < 13:
        sizes = attrs.get("split")
    else:
        sizes = ints(inputs[1], "Split's split") if len(inputs) > 1 else None
    if sizes is None:
        count = int(attrs.get("num_outputs", outputs))
        chunk = -(-size // count)
        sizes = [min(chunk, size - i * chunk) for i in range(count)]
    if builtins.sum(sizes) != size:
        raise Unsupported(f"split sizes {sizes} do not add up to dim {axis}'s {size}")
    out, start = [], 0
    for length in sizes:
        starts, limits = [0] * x.ndim, list(x.shape)
        starts[axis], limits[axis] = start, start + length
        out.append(F.slice(x, starts, limits, [1] * x.ndim))
        start += length
    return tuple(out)


def _slice_bounds(node, inputs, attrs, shape):
    """(starts, limits, steps) per dim of a Slice node."""
    if node.opset < 10:
        starts, ends = attrs["starts"], attrs["ends"]
        axes, steps = attrs.get("axes"), None
    else:
        starts = ints(inputs[1], "Slice's starts")
        ends = ints(inputs[2], "Slice's ends")
        axes = ints(inputs[3], "Slice's axes") if len(inputs) > 3 else None
        steps = ints(inputs[4], "Slice's steps") if len(inputs) > 4 else None
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    begin, limit, stride = [0] * len(shape), list(shape), [1] * len(shape)
    for start, end, axis, step in zip(starts, ends, axes, steps):
        axis = axis_of(axis, len(shape))
        if step == 0:
            raise Unsupported("a Slice step of 0 is not allowed")
        # Python's slice rule is ONNX's, clamping included (ends beyond
        # int64's range mean "to the end").
        first, stop, _ = builtins.slice(start, end, step).indices(shape[axis])
        begin[axis], limit[axis], stride[axis] = first, stop, step
    return begin, limit, stride


@op("Slice")
def _slice(node, inputs, attrs):
    x = tensor(inputs[0])
    begin, limit, stride = _slice_bounds(node, inputs, attrs, x.shape)
    if (begin, limit, stride) == ([0] * x.ndim, list(x.shape), [1] * x.ndim):
        return x
    for axis, step in enumerate(stride):
        if step < 0:  # backwards: gather the indices
            picked = np.arange(begin[axis], limit[axis], step, dtype=np.int64)
            x = F.index_select(x, axis, tensor(picked))
            begin[axis], limit[axis], stride[axis] = 0, len(picked), 1
        else:
            limit[axis] = max(limit[axis], begin[axis])
    if (begin, limit, stride) == ([0] * x.ndim, list(x.shape), [1] * x.ndim):
        return x
    return F.slice(x, begin, limit, stride)


@fold("Slice")
def _fold_slice(node, inputs, attrs):
    # Explicit indices: a numpy slice would read a stop of -1 (a backwards
    # slice through index 0) as "the last element".
    begin, limit, stride = _slice_bounds(node, inputs, attrs, inputs[0].shape)
    out = inputs[0]
    for axis, (b, e, s) in enumerate(zip(begin, limit, stride)):
        out = np.take(out, np.arange(b, e, s, dtype=np.int64), axis=axis)
    return out


@op("Gather")
def _gather(node, inputs, attrs):
    data, indices = tensor(inputs[0]), inputs[1]
    axis = axis_of(int(attrs.get("axis", 0)), data.ndim)
    if not isinstance(indices, Tensor):
        indices = np.asarray(indices).astype(np.int64)
        size = data.shape[axis]
        if indices.size and (indices.min() < -size or indices.max() >= size):
            raise Unsupported(f"index out of range for dim {axis} of size {size}")
    return F.index_select(data, axis, tensor(indices))


@fold("Gather")
def _fold_gather(node, inputs, attrs):
    return np.take(inputs[0], inputs[1].astype(np.int64), axis=int(attrs.get("axis", 0)))


@op("Expand")
def _expand(node, inputs, attrs):
    x = tensor(inputs[0])
    shape = np.broadcast_shapes(tuple(x.shape), tuple(ints(inputs[1], "Expand's shape")))
    return x if tuple(shape) == tuple(x.shape) else F.broadcast_to(x, list(shape))


@fold("Expand")
def _fold_expand(node, inputs, attrs):
    shape = np.broadcast_shapes(inputs[0].shape, tuple(int(v) for v in inputs[1]))
    return np.broadcast_to(inputs[0], shape).copy()


@op("Tile")
def _tile(node, inputs, attrs):
    x = tensor(inputs[0])
    repeats = ints(inputs[1], "Tile's repeats")
    for axis, count in enumerate(repeats):
        if count == 1:
            continue
        shape = list(x.shape)
        spread = shape[:axis] + [1] + shape[axis:]
        x = F.reshape(x, spread)
        spread[axis] = count
        x = F.reshape(F.broadcast_to(x, spread), shape[:axis] + [count * shape[axis]]
                      + shape[axis + 1:])
    return x


@op("Pad")
def _pad(node, inputs, attrs):
    mode = attrs.get("mode", "constant")
    if mode not in ("constant", "edge", "reflect", "wrap"):
        raise Unsupported(f"mode={mode!r} is not supported")
    x = tensor(inputs[0])
    if node.opset < 11:
        pads, value = attrs.get("pads", attrs.get("paddings")), attrs.get("value", 0.0)
        axes = None
    else:
        pads = ints(inputs[1], "Pad's pads")
        value = known(inputs[2], "Pad's constant_value") if len(inputs) > 2 else None
        value = 0.0 if value is None or value.size == 0 else value.reshape(-1)[0].item()
        axes = ints(inputs[3], "Pad's axes") if len(inputs) > 3 else None
    axes = list(range(x.ndim)) if axes is None else [axis_of(a, x.ndim) for a in axes]
    low, high = [0] * x.ndim, [0] * x.ndim
    for i, axis in enumerate(axes):
        low[axis], high[axis] = pads[i], pads[i + len(axes)]
    if min(low + high) < 0:
        # Negative pads crop.
        begin = [max(0, -v) for v in low]
        limit = [d - max(0, -v) for d, v in zip(x.shape, high)]
        x = F.slice(x, begin, limit, [1] * x.ndim)
        low, high = [max(0, v) for v in low], [max(0, v) for v in high]
    if mode == "constant":
        return F._pad_dims(x, low, high, value)
    for axis in range(x.ndim):
        if low[axis] or high[axis]:
            x = F.index_select(x, axis, tensor(_pad_indices(mode, x.shape[axis], low[axis],
                                                            high[axis])))
    return x


def _pad_indices(mode, size, low, high):
    """The input index each output position of an edge/reflect/wrap pad reads."""
    positions = np.arange(-low, size + high, dtype=np.int64)
    if mode == "edge":
        return np.clip(positions, 0, size - 1)
    if mode == "wrap":
        return positions % size
    if size == 1:
        return np.zeros_like(positions)
    period = 2 * (size - 1)  # reflect: ... 2 1 [0 1 2 3] 2 1 0 1 ...
    folded = positions % period
    return np.where(folded < size, folded, period - folded)


@op("Constant")
def _constant(node, inputs, attrs):
    from onnx import numpy_helper

    if "value" in attrs:
        return numpy_helper.to_array(attrs["value"])
    for name, dtype in (("value_float", np.float32), ("value_floats", np.float32),
                        ("value_int", np.int64), ("value_ints", np.int64)):
        if name in attrs:
            return np.array(attrs[name], dtype)
    raise Unsupported(f"Constant with {sorted(attrs)} is not supported")


@op("ConstantOfShape")
def _constant_of_shape(node, inputs, attrs):
    from onnx import numpy_helper

    shape = ints(inputs[0], "ConstantOfShape's shape")
    value = numpy_helper.to_array(attrs["value"]) if "value" in attrs else np.zeros(1, np.float32)
    return np.full(shape, value.reshape(-1)[0], value.dtype)


@op("Range")
def _range(node, inputs, attrs):
    start, limit, delta = (known(v, "Range's bounds") for v in inputs[:3])
    return np.arange(start.item(), limit.item(), delta.item()).astype(start.dtype)


@op("EyeLike")
def _eye_like(node, inputs, attrs):
    shape = shape_of(inputs[0])
    dtype = onnx_dtype(attrs["dtype"]) if "dtype" in attrs else np.dtype(inputs[0].dtype)
    return np.eye(shape[0], shape[1], int(attrs.get("k", 0)), dtype=dtype)


@op("Trilu")
def _trilu(node, inputs, attrs):
    x = tensor(inputs[0])
    k = int(known(inputs[1], "Trilu's k")) if len(inputs) > 1 and inputs[1] is not None else 0
    rows, cols = x.shape[-2:]
    keep = (np.triu if attrs.get("upper", 1) else np.tril)(np.ones((rows, cols), np.bool_), k)
    return F.where(tensor(keep), x, F.zeros_like(x))


@op("GatherElements")
def _gather_elements(node, inputs, attrs):
    data, index = tensor(inputs[0]), tensor(inputs[1])
    return gather_along(data, index, axis_of(int(attrs.get("axis", 0)), data.ndim))


def gather_along(data, index, axis):
    """numpy.take_along_axis: the element of ``data`` that ``index`` picks
    along ``axis`` at every position (a negative index counts from the end),
    as one gather from the flattened data."""
    size = data.shape[axis]
    strides = np.cumprod([1] + list(data.shape[::-1]))[:-1][::-1]
    # The flat position of every output element, but along `axis`, where
    # the index (wrapped if negative) picks the position.
    grid = np.indices(tuple(index.shape), dtype=np.int64)
    base = builtins.sum(grid[d] * int(strides[d]) for d in range(data.ndim) if d != axis)
    wrapped = F.where(F.lt(index, 0), F.add(index, size), index)
    flat = F.add(F.mul(F.cast(wrapped, dtypes.int64), int(strides[axis])),
                 tensor(np.asarray(base, np.int64)))
    return F.index_select(F.reshape(data, -1), 0, flat)


@op("OneHot")
def _one_hot(node, inputs, attrs):
    indices = tensor(inputs[0])
    depth = int(known(inputs[1], "OneHot's depth").reshape(-1)[0])
    values = tensor(inputs[2])
    axis = int(attrs.get("axis", -1))
    rank = indices.ndim + 1
    axis = axis_of(axis, rank)
    if dtypes.is_floating(indices.dtype):
        indices = F.cast(indices, dtypes.int64)
    wrapped = F.where(F.lt(indices, 0), F.add(indices, depth), indices)
    classes_shape = [depth if i == axis else 1 for i in range(rank)]
    classes = tensor(np.arange(depth, dtype=np.dtype(wrapped.dtype)).reshape(classes_shape))
    hot = F.eq(F.unsqueeze(wrapped, axis), classes)
    off, on = F.slice(values, [0], [1], [1]), F.slice(values, [1], [2], [1])
    return F.where(hot, F.reshape(on, []), F.reshape(off, []))


@op("Hardmax")
def _hardmax(node, inputs, attrs):
    def hardmax(x, axis):
        index = F.argmax(x, axis, keepdim=True)
        classes_shape = [x.shape[axis] if i == axis else 1 for i in range(x.ndim)]
        classes = tensor(np.arange(x.shape[axis], dtype=np.int64).reshape(classes_shape))
        return F.cast(F.eq(index, classes), x.dtype)
    return _softmax_like(hardmax)(node, inputs, attrs)


@op("LpNormalization")
def _lp_normalization(node, inputs, attrs):
    x = tensor(inputs[0])
    axis = axis_of(int(attrs.get("axis", -1)), x.ndim)
    p = int(attrs.get("p", 2))
    if p == 1:
        norm = F.sum(F.abs(x), axis, keepdim=True)
    elif p == 2:
        norm = F.sqrt(F.sum(F.mul(x, x), axis, keepdim=True))
    else:
        raise Unsupported(f"p={p} is not supported (1 and 2 are)")
    return F.where(F.eq(norm, 0), F.zeros_like(x), F.div(x, norm))  # 0 for a zero vector


@op("RMSNormalization")
def _rms_normalization(node, inputs, attrs):
    x, scale = tensor(inputs[0]), tensor(inputs[1])
    axis = axis_of(int(attrs.get("axis", -1)), x.ndim)
    y = F.rms_norm(x, list(x.shape[axis:]), eps=float(attrs.get("epsilon", 1e-5)))
    return F.mul(y, scale)  # (a scale that broadcasts, not only of the normalized shape)


@op("GroupNormalization")
def _group_normalization(node, inputs, attrs):
    x, scale, bias = (tensor(v) for v in inputs[:3])
    groups = int(attrs["num_groups"])
    channels = x.shape[1]
    if scale.shape[0] != channels:  # opset 18: one scale and bias per group
        scale = F.reshape(F.broadcast_to(F.reshape(scale, [groups, 1]),
                                         [groups, channels // groups]), [channels])
        bias = F.reshape(F.broadcast_to(F.reshape(bias, [groups, 1]),
                                        [groups, channels // groups]), [channels])
    return F.group_norm(x, groups, scale, bias, float(attrs.get("epsilon", 1e-5)))


@op("CumSum")
def _cumsum(node, inputs, attrs):
    x = tensor(inputs[0])
    axis = axis_of(int(known(inputs[1], "CumSum's axis").reshape(-1)[0]), x.ndim)
    summed = F.cumsum(x, axis, exclusive=bool(attrs.get("exclusive", 0)),
                      reverse=bool(attrs.get("reverse", 0)))
    return summed if summed.dtype == x.dtype else F.cast(summed, x.dtype)  # ONNX keeps the type


@op("DepthToSpace")
def _depth_to_space(node, inputs, attrs):
    x = tensor(inputs[0])
    b = int(attrs["blocksize"])
    n, c, h, w = x.shape
    if attrs.get("mode", "DCR") == "DCR":
        y = F.permute(F.reshape(x, [n, b, b, c // (b * b), h, w]), 0, 3, 4, 1, 5, 2)
    else:
        y = F.permute(F.reshape(x, [n, c // (b * b), b, b, h, w]), 0, 1, 4, 2, 5, 3)
    return F.reshape(y, [n, c // (b * b), h * b, w * b])


@op("SpaceToDepth")
def _space_to_depth(node, inputs, attrs):
    x = tensor(inputs[0])
    b = int(attrs["blocksize"])
    n, c, h, w = x.shape
    blocks = F.reshape(x, [n, c, h // b, b, w // b, b])
    if attrs.get("mode", "DCR") == "DCR":
        y = F.permute(blocks, 0, 3, 5, 1, 2, 4)
    else:
        y = F.permute(blocks, 0, 1, 3, 5, 2, 4)
    return F.reshape(y, [n, c * b * b, h // b, w // b])


def _nll(log_prob, target, weight, reduction, ignore_index):
    """ONNX's NegativeLogLikelihoodLoss on (N, C, d...) log-probabilities."""
    classes = log_prob.shape[1]
    shape = [1, classes] + [1] * (log_prob.ndim - 2)
    hot = F.eq(F.unsqueeze(target, 1), tensor(np.arange(classes, dtype=np.int64).reshape(shape)))
    hot = F.cast(hot, log_prob.dtype)
    picked = F.sum(F.mul(log_prob, hot), 1)
    weights = F.ones_like(picked) if weight is None else \
        F.sum(F.mul(F.reshape(weight, shape), hot), 1)
    if ignore_index is not None:
        weights = F.where(F.eq(target, ignore_index), 0.0, weights)
    loss = F.neg(F.mul(picked, weights))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return F.sum(loss)
    return F.div(F.sum(loss), F.sum(weights))


def _loss_args(node, inputs, attrs):
    target = F.cast(tensor(inputs[1]), dtypes.int64)
    weight = tensor(inputs[2]) if len(inputs) > 2 and inputs[2] is not None else None
    reduction = attrs.get("reduction", "mean")
    if reduction not in ("none", "sum", "mean"):
        raise Unsupported(f"reduction={reduction!r} is not supported")
    return target, weight, reduction, attrs.get("ignore_index")


@op("NegativeLogLikelihoodLoss")
def _negative_log_likelihood_loss(node, inputs, attrs):
    return _nll(tensor(inputs[0]), *_loss_args(node, inputs, attrs))


@op("SoftmaxCrossEntropyLoss")
def _softmax_cross_entropy_loss(node, inputs, attrs):
    scores = tensor(inputs[0])
    log_prob = F.log_softmax(scores, 1)
    loss = _nll(log_prob, *_loss_args(node, inputs, attrs))
    return (loss, log_prob) if len(node.output) > 1 and node.output[1] else loss


def _heads(x, count):
    """(B, S, heads * size) -> (B, heads, S, size); 4-D inputs as they are."""
    if x.ndim == 4:
        return x
    if not count:
        raise Unsupported("3-D inputs need q_num_heads and kv_num_heads")
    batch, seq, hidden = x.shape
    return F.permute(F.reshape(x, [batch, seq, count, hidden // count]), 0, 2, 1, 3)


def _repeat_heads(x, times):
    """Each head `times` times in a row (grouped-query attention)."""
    if times == 1:
        return x
    batch, heads, seq, size = x.shape
    spread = F.broadcast_to(F.reshape(x, [batch, heads, 1, seq, size]),
                            [batch, heads, times, seq, size])
    return F.reshape(spread, [batch, heads * times, seq, size])


def _neg_inf_where_not(allowed, dtype):
    """An additive bias: 0 where allowed, -inf elsewhere."""
    zero = tensor(np.zeros((), dtype))
    return F.where(allowed, zero, tensor(np.array(-np.inf, dtype)))


@op("Attention")
def _attention(node, inputs, attrs):
    """ONNX's Attention (opsets 23+), as its reference defines it: Q and K
    scaled by sqrt(scale) each, softcap before the masks, a causal frontier
    offset by the cached keys, rows with no visible key give zeros."""
    inputs = list(inputs) + [None] * (7 - len(inputs))
    q_in, k_in, v_in, mask, past_key, past_value, nonpad = inputs[:7]
    q = _heads(tensor(q_in), attrs.get("q_num_heads"))
    k = _heads(tensor(k_in), attrs.get("kv_num_heads"))
    v = _heads(tensor(v_in), attrs.get("kv_num_heads"))
    dtype = np.dtype(q.dtype)
    if past_key is not None:
        k = F.concat([tensor(past_key), k], 2)
        v = F.concat([tensor(past_value), v], 2)
    present_key, present_value = k, v
    q_heads, kv_heads = q.shape[1], k.shape[1]
    if q_heads % kv_heads:
        raise Unsupported(f"{q_heads} query heads do not group into {kv_heads} key heads")
    k, v = _repeat_heads(k, q_heads // kv_heads), _repeat_heads(v, q_heads // kv_heads)
    q_seq, total = q.shape[2], k.shape[2]
    scale = attrs.get("scale")
    root = math.sqrt(float(scale) if scale is not None else 1.0 / math.sqrt(q.shape[3]))
    scores = F.matmul(F.mul(q, root), F.permute(F.mul(k, root), 0, 1, 3, 2))
    softcap = attrs.get("softcap")
    if softcap:
        scores = F.mul(F.tanh(F.div(scores, float(softcap))), float(softcap))
    # The additive bias: the mask (padded to every key with "not visible"),
    # the causal frontier, a sliding window, the padding of each batch.
    bias = None
    if mask is not None:
        mask = tensor(mask)
        if mask.shape[-1] < total:
            low, high = [0] * mask.ndim, [0] * mask.ndim
            high[-1] = total - mask.shape[-1]
            mask = F._pad_dims(mask, low, high, 0 if mask.dtype == dtypes.bool_ else -math.inf)
        bias = _neg_inf_where_not(mask, dtype) if mask.dtype == dtypes.bool_ else             F.cast(mask, dtype)
    if nonpad is not None:
        lengths = F.reshape(F.cast(tensor(nonpad), dtypes.int64), [-1, 1, 1, 1])
        offset = F.sub(lengths, q_seq)
    else:
        offset = tensor(np.array(past_key.shape[2] if past_key is not None else 0, np.int64))
    rows = tensor(np.arange(q_seq, dtype=np.int64).reshape(q_seq, 1))
    cols = tensor(np.arange(total, dtype=np.int64).reshape(1, total))
    distance = F.sub(F.add(rows, offset), cols)  # query position - key position
    frontiers = []
    if attrs.get("is_causal", 0):
        frontiers.append(F.ge(distance, 0))
    left, right = int(attrs.get("left_window_size", -1)), int(attrs.get("right_window_size", -1))
    if left >= 0:
        frontiers.append(F.le(distance, left))
    if right >= 0:
        frontiers.append(F.le(F.neg(distance), right))
    for allowed in frontiers:
        term = _neg_inf_where_not(allowed, dtype)
        bias = term if bias is None else F.add(bias, term)
    if nonpad is not None:
        positions = tensor(np.arange(total, dtype=np.int64).reshape(1, 1, 1, total))
        term = _neg_inf_where_not(F.lt(positions, lengths), dtype)
        bias = term if bias is None else F.add(bias, term)
    mode = int(attrs.get("qk_matmul_output_mode", 0))
    qk_output = scores
    if bias is not None:
        scores = F.add(scores, bias)
    if mode == 2:
        qk_output = scores
    probabilities = F.softmax(scores, -1)
    if bias is not None:
        hidden = F.eq(F.amax(bias, -1, keepdim=True), -math.inf)  # no visible key
        probabilities = F.where(hidden, F.zeros_like(probabilities), probabilities)
    if mode == 3:
        qk_output = probabilities
    y = F.matmul(probabilities, v)
    if q_in.ndim == 3:
        y = F.reshape(F.permute(y, 0, 2, 1, 3), [y.shape[0], q_seq, -1])
    if len(node.output) == 1:
        return y
    results = (y, present_key, present_value, qk_output)
    return tuple(value if name else None for value, name in zip(results, node.output))


@op("ConvTranspose")
def _conv_transpose(node, inputs, attrs):
    """ONNX's pads and output sizes to F.conv_transpose2d's arguments (which
    turns it into a convolution)."""
    x, weight = tensor(inputs[0]), tensor(inputs[1])
    bias = tensor(inputs[2]) if len(inputs) > 2 and inputs[2] is not None else None
    rank = _spatial_rank(node, x)
    spatial = list(x.shape[2:])
    if rank == 1:
        x, weight = F.unsqueeze(x, 2), F.unsqueeze(weight, 2)
    kernel = list(weight.shape[2:])
    strides = _pairs(attrs.get("strides", [1] * rank), rank, 1)
    dilations = _pairs(attrs.get("dilations", [1] * rank), rank, 1)
    pads = attrs.get("pads", [0] * (2 * rank))
    if attrs.get("auto_pad", "NOTSET") == "VALID":
        pads = [0] * (2 * rank)
    pads = _pads_2d(pads, rank)
    extra = _pairs(attrs.get("output_padding", [0] * rank), rank, 0)
    auto_pad = attrs.get("auto_pad", "NOTSET")
    if "output_shape" in attrs or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        # Pads that give the asked size (SAME: the input's size times the stride).
        wanted = list(attrs.get("output_shape", [d * s for d, s in zip(
            spatial, strides[2 - rank:])]))[-rank:]
        wanted = _pairs(wanted, rank, 1)
        sizes = _pairs(spatial, rank, 1)
        begins, ends = [], []
        for i in range(2):
            total = (strides[i] * (sizes[i] - 1) + extra[i] + (kernel[i] - 1) * dilations[i] + 1
                     - wanted[i])
            if total < 0:  # larger than the full output: the rest is output padding
                extra[i] -= total
                total = 0
            small, large = total // 2, total - total // 2
            begin, end = (small, large) if auto_pad == "SAME_UPPER" else (large, small)
            begins.append(begin), ends.append(end)
        pads = begins + ends
    groups = int(attrs.get("group", 1))
    out = F._conv_transpose2d(x, weight, bias, strides, pads, extra, dilations, groups)
    return F.squeeze(out, 2) if rank == 1 else out


@op("Resize", "Upsample")
def _resize(node, inputs, attrs):
    x = tensor(inputs[0])
    if node.op_type == "Upsample" or node.opset < 11:
        scales_in, sizes = (inputs[1] if len(inputs) > 1 else None), None
        scales = None if scales_in is None else known(scales_in, "Resize's scales").astype(float)
        if node.op_type == "Upsample" and scales is None:
            scales = np.array(attrs["scales"], float)
        attrs = dict(attrs)
        attrs.setdefault("coordinate_transformation_mode", "asymmetric")
        attrs.setdefault("nearest_mode", "floor")
    else:
        scales = known(inputs[2], "Resize's scales") if len(inputs) > 2 else None
        sizes = known(inputs[3], "Resize's sizes") if len(inputs) > 3 else None
        scales = None if scales is None or scales.size == 0 else scales.astype(float)
        sizes = None if sizes is None or sizes.size == 0 else [int(v) for v in sizes]
    axes = attrs.get("axes")
    axes = list(range(x.ndim)) if axes is None else [axis_of(a, x.ndim) for a in axes]
    crop = attrs.get("coordinate_transformation_mode") == "tf_crop_and_resize"
    roi_of = {}
    if crop:  # the roi: starts, then ends, of the resized axes (normalized)
        roi = known(inputs[1] if len(inputs) > 1 else None, "Resize's roi")
        if roi is None or roi.size != 2 * len(axes):
            raise Unsupported("tf_crop_and_resize needs a roi of 2 values per axis")
        roi = roi.astype(float).reshape(-1)
        roi_of = {a: (roi[i], roi[i + len(axes)]) for i, a in enumerate(axes)}
    shape = list(x.shape)
    if sizes is not None:
        policy = attrs.get("keep_aspect_ratio_policy", "stretch")
        ratios = [sizes[i] / shape[a] for i, a in enumerate(axes)]
        if policy != "stretch":
            ratio = min(ratios) if policy == "not_larger" else max(ratios)
            ratios = [ratio] * len(axes)
            sizes = [int(math.floor(ratio * shape[a] + 0.5)) for a in axes]
        scale_of = dict(zip(axes, ratios))
        size_of = dict(zip(axes, sizes))
    else:
        scale_of = dict(zip(axes, [float(s) for s in scales]))
        size_of = {a: int(math.floor(shape[a] * scale_of[a])) for a in axes}
    if attrs.get("mode", "nearest") != "nearest" and not dtypes.is_floating(x.dtype):
        raise Unsupported(f"{attrs.get('mode')} resizing of {x.dtype} data is not supported "
                          "(float data, or nearest, are)")
    for axis in axes:
        out_size, in_size = size_of[axis], shape[axis]
        if out_size == in_size and scale_of[axis] == 1.0 and not crop:
            continue
        try:
            tap_list = resampling.taps(attrs, out_size, in_size, scale_of[axis], roi_of.get(axis))
        except resampling.UnsupportedMode as error:
            raise Unsupported(str(error)) from None
        total = resampling.resize_axis(x, axis, out_size, tap_list)
        if crop:  # positions outside the input read extrapolation_value
            where = resampling.source_coordinates("tf_crop_and_resize", out_size, in_size, 1.0,
                                        roi_of[axis])
            outside = (where < 0) | (where > in_size - 1)
            if outside.any():
                spread = [out_size if d == axis else 1 for d in range(x.ndim)]
                total = F.where(tensor(outside.reshape(spread)),
                                float(attrs.get("extrapolation_value", 0.0)), total)
        x = total
    return x


@op("LpPool")
def _lp_pool(node, inputs, attrs):
    # (sum over the window of |x|^p)^(1/p): an average pool of |x|^p times
    # the window's size (padding counts as zeros, as in the reference).
    x = tensor(inputs[0])
    if x.ndim > 4 or attrs.get("ceil_mode", 0) or any(d != 1 for d in attrs.get("dilations", [])):
        return windows.lp_pool(node, x, attrs)
    p = float(attrs.get("p", 2))
    rank, kernel, strides, dilations, pads = _pool_setup(node, x, attrs)
    powered = F.pow(F.abs(_as_2d(x, rank)), p)
    low, high = [0, 0, pads[0], pads[1]], [0, 0, pads[2], pads[3]]
    mean = F.avg_pool2d(F._pad_dims(powered, low, high), kernel, strides, 0)
    out = F.pow(F.mul(mean, float(np.prod(kernel))), 1.0 / p)
    return F.squeeze(out, 2) if rank == 1 else out


@op("GatherND")
def _gather_nd(node, inputs, attrs):
    data, indices = tensor(inputs[0]), tensor(inputs[1])
    batch = int(attrs.get("batch_dims", 0))
    depth = indices.shape[-1]
    lead = list(data.shape[:batch])  # batch dims, shared by data and indices
    if list(indices.shape[:batch]) != lead:
        raise Unsupported(f"batch dims {lead} of data and {list(indices.shape[:batch])} of indices")
    picked = list(data.shape[batch:batch + depth])
    strides = np.cumprod([1] + picked[::-1])[:-1][::-1]
    flat = None
    for j in range(depth):
        column = F.reshape(F.slice(indices, [0] * (indices.ndim - 1) + [j],
                                   list(indices.shape[:-1]) + [j + 1],
                                   [1] * indices.ndim), list(indices.shape[:-1]))
        column = F.cast(column, dtypes.int64)
        column = F.where(F.lt(column, 0), F.add(column, picked[j]), column)
        term = F.mul(column, int(strides[j]))
        flat = term if flat is None else F.add(flat, term)
    per_batch = int(np.prod(picked, dtype=np.int64))
    if batch:  # each batch entry reads its own block of rows
        count = int(np.prod(lead, dtype=np.int64))
        offsets = (np.arange(count, dtype=np.int64) * per_batch).reshape(
            lead + [1] * (indices.ndim - 1 - batch))
        flat = F.add(flat, tensor(offsets))
    rows = F.reshape(data, [int(np.prod(lead, dtype=np.int64)) * per_batch]
                     + list(data.shape[batch + depth:]))
    return F.index_select(rows, 0, flat)


@op("Compress")
def _compress(node, inputs, attrs):
    x = tensor(inputs[0])
    condition = known(inputs[1], "Compress's condition").astype(bool).reshape(-1)
    axis = attrs.get("axis")
    if axis is None:
        x, axis = F.reshape(x, [-1]), 0
    axis = axis_of(int(axis), x.ndim)
    picked = np.nonzero(condition[:x.shape[axis]])[0].astype(np.int64)
    return F.index_select(x, axis, tensor(picked))


_COMBINE = {"none": lambda old, new: new, "add": F.add, "mul": F.mul, "max": F.maximum,
            "min": F.minimum}


def _scatter(data, updates_flat, targets, reduction):
    """data with the updates combined in at flat positions `targets` (known,
    in update order): one pass per repeat of a position, so repeated
    targets combine in order (the last write wins without a reduction)."""
    if reduction not in _COMBINE:
        raise Unsupported(f"reduction={reduction!r} is not supported")
    combine = _COMBINE[reduction]
    shape = list(data.shape)
    size = int(np.prod(shape, dtype=np.int64))
    out = F.reshape(data, [size])
    seen = {}
    repeat = np.zeros(len(targets), np.int64)  # how many earlier updates hit the same spot
    for i, target in enumerate(targets.tolist()):
        repeat[i] = seen.get(target, 0)
        seen[target] = repeat[i] + 1
    for k in range(int(repeat.max()) + 1 if len(targets) else 0):
        chosen = np.nonzero(repeat == k)[0]
        source = np.zeros(size, np.int64)
        source[targets[chosen]] = chosen
        written = np.zeros(size, np.bool_)
        written[targets[chosen]] = True
        picked = F.index_select(updates_flat, 0, tensor(source))
        out = F.where(tensor(written), combine(out, picked), out)
    return F.reshape(out, shape)


@op("ScatterND")
def _scatter_nd(node, inputs, attrs):
    data, updates = tensor(inputs[0]), tensor(inputs[2])
    indices = known(inputs[1], "ScatterND's indices").astype(np.int64)
    depth = indices.shape[-1]
    shape = list(data.shape)
    indices = np.where(indices < 0, indices + np.array(shape[:depth]), indices)
    inner = int(np.prod(shape[depth:], dtype=np.int64))
    strides = np.cumprod([1] + shape[:depth][::-1])[:-1][::-1] * inner
    starts = (indices.reshape(-1, depth) * strides).sum(1)
    targets = (starts[:, None] + np.arange(inner)[None, :]).reshape(-1)
    return _scatter(data, F.reshape(updates, [-1]), targets, attrs.get("reduction", "none"))


@op("ScatterElements", "Scatter")
def _scatter_elements(node, inputs, attrs):
    data, updates = tensor(inputs[0]), tensor(inputs[2])
    indices = known(inputs[1], "ScatterElements' indices").astype(np.int64)
    axis = axis_of(int(attrs.get("axis", 0)), data.ndim)
    shape = list(data.shape)
    indices = np.where(indices < 0, indices + shape[axis], indices)
    grid = list(np.indices(indices.shape))
    grid[axis] = indices
    targets = np.ravel_multi_index(tuple(grid), shape).reshape(-1)
    return _scatter(data, F.reshape(updates, [-1]), targets, attrs.get("reduction", "none"))


@op("CumProd")
def _cumprod(node, inputs, attrs):
    # Hillis-Steele: log2(n) steps, each multiplying by the value 2^k back
    # (ones shifted in), so every prefix product is complete.
    x = tensor(inputs[0])
    axis = axis_of(int(known(inputs[1], "CumProd's axis").reshape(-1)[0]), x.ndim)
    n = x.shape[axis]
    reverse = attrs.get("reverse", 0)
    if reverse:
        x = F.flip(x, axis)

    def shifted(value, k):
        low, high = [0] * value.ndim, [0] * value.ndim
        low[axis] = k
        limit = list(value.shape)
        limit[axis] = n - k
        kept = F.slice(value, [0] * value.ndim, limit, [1] * value.ndim)
        return F._pad_dims(kept, low, high, 1.0)

    step = 1
    while step < n:
        x = F.mul(x, shifted(x, step))
        step *= 2
    if attrs.get("exclusive", 0) and n:
        x = shifted(x, 1)
    return F.flip(x, axis) if reverse else x


@op("RotaryEmbedding")
def _rotary_embedding(node, inputs, attrs):
    x, cos, sin = tensor(inputs[0]), tensor(inputs[1]), tensor(inputs[2])
    positions = inputs[3] if len(inputs) > 3 else None
    rank = x.ndim
    if rank == 4:  # [batch, heads, seq, head] -> [batch, seq, heads, head]
        x = F.transpose(x, 1, 2)
    batch, seq = x.shape[0], x.shape[1]
    if rank == 3:
        heads = int(attrs.get("num_heads", 0))
        if not heads:
            raise Unsupported("RotaryEmbedding of a 3-D input needs num_heads")
        x = F.reshape(x, [batch, seq, heads, x.shape[2] // heads])
    head = x.shape[3]
    dim = int(attrs.get("rotary_embedding_dim", 0)) or head
    if positions is not None:
        cos, sin = F.embedding(tensor(positions), cos), F.embedding(tensor(positions), sin)
    cos, sin = F.unsqueeze(cos, 2), F.unsqueeze(sin, 2)  # [batch, seq, 1, dim / 2]
    heads = x.shape[2]
    rotated = F.slice(x, [0, 0, 0, 0], [batch, seq, heads, dim], [1, 1, 1, 1])
    interleaved = attrs.get("interleaved", 0)
    if interleaved:
        x1 = F.slice(rotated, [0, 0, 0, 0], [batch, seq, heads, dim], [1, 1, 1, 2])
        x2 = F.slice(rotated, [0, 0, 0, 1], [batch, seq, heads, dim], [1, 1, 1, 2])
    else:
        x1 = F.slice(rotated, [0, 0, 0, 0], [batch, seq, heads, dim // 2], [1, 1, 1, 1])
        x2 = F.slice(rotated, [0, 0, 0, dim // 2], [batch, seq, heads, dim], [1, 1, 1, 1])
    real = F.sub(F.mul(cos, x1), F.mul(sin, x2))
    imag = F.add(F.mul(sin, x1), F.mul(cos, x2))
    if interleaved:
        rotated = F.reshape(F.stack([real, imag], -1), [batch, seq, heads, dim])
    else:
        rotated = F.concat([real, imag], -1)
    if dim < head:
        rest = F.slice(x, [0, 0, 0, dim], [batch, seq, heads, head], [1, 1, 1, 1])
        rotated = F.concat([rotated, rest], -1)
    if rank == 3:
        return F.reshape(rotated, [batch, seq, heads * head])
    return F.transpose(rotated, 1, 2)


@op("CausalConvWithState")
def _causal_conv_with_state(node, inputs, attrs):
    x, weight = tensor(inputs[0]), tensor(inputs[1])  # [batch, channels, length], [channels, 1, k]
    bias = inputs[2] if len(inputs) > 2 else None
    past = inputs[3] if len(inputs) > 3 else None
    activation = attrs.get("activation", "none")
    if activation not in ("none", "silu", "swish"):
        raise Unsupported(f"activation {activation!r} is not supported")
    batch, channels, length = x.shape
    k = weight.shape[2]
    past = tensor(np.zeros((batch, channels, k - 1), x.dtype)) if past is None else tensor(past)
    padded = F.concat([past, x], 2)
    out = F.conv2d(F.unsqueeze(padded, 2), F.unsqueeze(weight, 2),
                   None if bias is None else tensor(bias), groups=channels)
    out = F.squeeze(out, 2)
    if activation != "none":  # in float32, as ONNX's reference (f16 silu rounds twice)
        wide = F.cast(out, dtypes.float32)
        out = F.cast(F.mul(wide, F.sigmoid(wide)), out.dtype)
    total = padded.shape[2]
    state = F.slice(padded, [0, 0, total - (k - 1)], [batch, channels, total], [1, 1, 1])
    return out, state


@op("GridSample")
def _grid_sample(node, inputs, attrs):
    mode = attrs.get("mode", "linear" if node.opset >= 20 else "bilinear")
    # ONNX rounds a nearest coordinate before padding it (PyTorch after).
    return F.grid_sample(tensor(inputs[0]), tensor(inputs[1]), mode,
                         attrs.get("padding_mode", "zeros"), bool(attrs.get("align_corners", 0)),
                         _round_first=True)


@op("AffineGrid")
def _affine_grid(node, inputs, attrs):
    return F.affine_grid(tensor(inputs[0]), ints(inputs[1], "AffineGrid's size"),
                         bool(attrs.get("align_corners", 0)))


@op("CenterCropPad")
def _center_crop_pad(node, inputs, attrs):
    x = tensor(inputs[0])
    sizes = ints(inputs[1], "CenterCropPad's shape")
    axes = attrs.get("axes")
    axes = list(range(x.ndim)) if axes is None else [axis_of(a, x.ndim) for a in axes]
    for axis, size in zip(axes, sizes):
        current = x.shape[axis]
        if size < current:  # crop: the start rounds down
            start = (current - size) // 2
            begin, limit = [0] * x.ndim, list(x.shape)
            begin[axis], limit[axis] = start, start + size
            x = F.slice(x, begin, limit, [1] * x.ndim)
        elif size > current:  # pad: the extra element goes at the end
            low, high = [0] * x.ndim, [0] * x.ndim
            low[axis] = (size - current) // 2
            high[axis] = size - current - low[axis]
            x = F._pad_dims(x, low, high)
    return x


from . import windows  # noqa: E402  (uses _spatial_attrs above)
