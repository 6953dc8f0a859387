"""ONNX's integer quantization ops (QuantizeLinear, DequantizeLinear,
DynamicQuantizeLinear, MatMulInteger, ConvInteger, QLinearMatMul,
QLinearConv) in terms of tianc.functional, with ONNX's reference semantics:

    quantize(x)   = clip(round_half_even(x / scale) + zero_point, qmin, qmax)
    dequantize(q) = (q - zero_point) * scale

Scales and zero points are scalars, one value per slice along ``axis``, or
(opset 21) one per block of ``block_size`` elements along it. Integer
products accumulate in int32 as in the reference; the requantizing multiply
and the rounding run in float32. The float8, int4 and int2 formats are not
tianc dtypes, so models quantized to them are refused at import.
"""

import numpy as np

from .. import dtypes
from .. import functional as F
from .ops import OPS, Unsupported, axis_of, onnx_dtype, op, tensor

# The integer types ONNX quantizes to, with their ranges.
_RANGES = {np.dtype(t): (int(np.iinfo(t).min), int(np.iinfo(t).max))
           for t in (np.uint8, np.int8, np.uint16, np.int16)}


def _quantized_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in _RANGES:
        raise Unsupported(f"quantization to {dtype} is not supported (uint8, int8, uint16, int16)")
    return dtype


def _along(value, x, axis, block_size=0):
    """A scale or zero point shaped to broadcast against ``x``: a scalar as it
    is, a vector along ``axis``, blocks repeated ``block_size`` times."""
    value = tensor(value)
    if value.ndim == 0 or (value.ndim == 1 and value.shape[0] == 1 and not block_size):
        return F.reshape(value, [])
    axis = axis_of(axis, x.ndim)
    if not block_size:
        if value.ndim != 1 or value.shape[0] != x.shape[axis]:
            raise Unsupported(f"a per-axis scale or zero point of shape {list(value.shape)} does "
                              f"not match axis {axis} of an input of shape {list(x.shape)}")
        shape = [1] * x.ndim
        shape[axis] = value.shape[0]
        return F.reshape(value, shape)
    blocks = -(-x.shape[axis] // block_size)
    expected = list(x.shape)
    expected[axis] = blocks
    if list(value.shape) != expected:
        raise Unsupported(f"a blocked scale or zero point of shape {list(value.shape)} does not "
                          f"match an input of shape {list(x.shape)} in blocks of {block_size} "
                          f"along axis {axis} (expected {expected})")
    repeated = list(value.shape)
    repeated.insert(axis + 1, block_size)
    spread = F.broadcast_to(F.unsqueeze(value, axis + 1), repeated)
    merged = list(value.shape)
    merged[axis] = blocks * block_size
    spread = F.reshape(spread, merged)
    return F.slice(spread, [0] * x.ndim, list(x.shape), [1] * x.ndim)


def _clip_to(values, dtype):
    """Integer-valued float ``values`` clipped to ``dtype``'s range, in ``dtype``."""
    low, high = _RANGES[dtype]
    return F.cast(F.clamp(values, float(low), float(high)), dtype)


def _as_float(value, like=dtypes.float32):
    return F.cast(value, like) if value.dtype != like else value


def quantize(x, scale, zero_point, dtype, axis=1, block_size=0):
    x = tensor(x)
    scale = _along(scale, x, axis, block_size)
    compute = dtypes.float32 if x.dtype != scale.dtype else x.dtype
    # Rounded in the inputs' type, shifted in float32 (exact for 16-bit zero points).
    rounded = _as_float(F.round(F.div(_as_float(x, compute), _as_float(scale, compute))))
    if zero_point is not None:
        rounded = F.add(rounded, _as_float(_along(zero_point, x, axis, block_size)))
    return _clip_to(rounded, dtype)


def dequantize(x, scale, zero_point, axis=1, block_size=0, dtype=None):
    x = tensor(x)
    scale = _along(scale, x, axis, block_size)
    shifted = _as_float(x)
    if zero_point is not None:
        shifted = F.sub(shifted, _as_float(_along(zero_point, x, axis, block_size)))
    out = F.mul(shifted, _as_float(scale))
    target = dtype or scale.dtype
    return out if out.dtype == target else F.cast(out, target)


def _optional(inputs, index):
    return inputs[index] if len(inputs) > index and inputs[index] is not None else None


@op("QuantizeLinear")
def _quantize_linear(node, inputs, attrs):
    if attrs.get("precision"):
        raise Unsupported("QuantizeLinear's precision attribute is not supported")
    zero_point = _optional(inputs, 2)
    if zero_point is not None:
        dtype = tensor(zero_point).dtype
    elif attrs.get("output_dtype"):
        dtype = onnx_dtype(attrs["output_dtype"])
    else:
        dtype = dtypes.uint8
    return quantize(inputs[0], inputs[1], zero_point, _quantized_dtype(dtype),
                    attrs.get("axis", 1), attrs.get("block_size", 0))


@op("DequantizeLinear")
def _dequantize_linear(node, inputs, attrs):
    x = tensor(inputs[0])
    if x.dtype != dtypes.int32:  # int32: a quantized bias
        _quantized_dtype(x.dtype)
    output = attrs.get("output_dtype")
    return dequantize(x, inputs[1], _optional(inputs, 2), attrs.get("axis", 1),
                      attrs.get("block_size", 0), onnx_dtype(output) if output else None)


@op("DynamicQuantizeLinear")
def _dynamic_quantize_linear(node, inputs, attrs):
    x = tensor(inputs[0])
    if not dtypes.is_floating(x.dtype):
        raise Unsupported(f"DynamicQuantizeLinear takes a float input, got {x.dtype}")
    x32 = _as_float(x)
    high = F.maximum(F.amax(x32), 0.0)
    low = F.minimum(F.amin(x32), 0.0)
    scale = F.div(F.where(F.eq(high, low), 1.0, F.sub(high, low)), 255.0)
    zero_point = F.round(F.clamp(F.neg(F.div(low, scale)), 0.0, 255.0))
    y = _clip_to(F.add(F.round(F.div(x32, scale)), zero_point), dtypes.uint8)
    return y, F.cast(scale, x.dtype) if x.dtype != dtypes.float32 else scale, \
        F.cast(zero_point, dtypes.uint8)


def _int32_minus(value, zero_point, shape_zero_point=None):
    """``value - zero_point`` in int32 (ONNX's integer accumulation type)."""
    out = F.cast(tensor(value), dtypes.int32)
    if zero_point is None:
        return out
    zero_point = F.cast(tensor(zero_point), dtypes.int32)
    return F.sub(out, shape_zero_point(zero_point) if shape_zero_point else zero_point)


def _per_row(value, rank):
    """A vector (one value per output channel) shaped [C, 1, ...] for a weight of ``rank``."""
    return F.reshape(value, [-1] + [1] * (rank - 1)) if value.ndim == 1 and value.shape[0] > 1 else value


@op("MatMulInteger")
def _matmul_integer(node, inputs, attrs):
    # Zero points broadcast as in the reference (B's vector: one per column).
    a = _int32_minus(inputs[0], _optional(inputs, 2))
    b = _int32_minus(inputs[1], _optional(inputs, 3))
    return F.matmul(a, b)


@op("ConvInteger")
def _conv_integer(node, inputs, attrs):
    x = _int32_minus(inputs[0], _optional(inputs, 2))
    w = _int32_minus(inputs[1], _optional(inputs, 3), lambda z: _per_row(z, len(inputs[1].shape)))
    return OPS["Conv"](node, [x, w], attrs)


@op("QLinearMatMul")
def _qlinear_matmul(node, inputs, attrs):
    a, a_scale, a_zero, b, b_scale, b_zero, y_scale, y_zero = (list(inputs) + [None] * 8)[:8]
    product = F.matmul(_int32_minus(a, a_zero), _int32_minus(b, b_zero))
    # The requantizing multiplier in the scales' own type, as the reference.
    multiplier = F.div(F.mul(tensor(a_scale), tensor(b_scale)), tensor(y_scale))
    y = F.mul(_as_float(product), _as_float(multiplier))
    dtype = tensor(y_zero).dtype if y_zero is not None else tensor(a).dtype
    if y_zero is not None:
        y = F.add(y, _as_float(tensor(y_zero)))
    return _clip_to(F.round(y), _quantized_dtype(dtype))


@op("QLinearConv")
def _qlinear_conv(node, inputs, attrs):
    x, x_scale, x_zero, w, w_scale, w_zero, y_scale, y_zero = inputs[:8]
    bias = _optional(inputs, 8)
    rank = len(w.shape)
    shifted_x = _int32_minus(x, x_zero)
    shifted_w = _int32_minus(w, w_zero, lambda z: _per_row(z, rank))
    conv_inputs = [shifted_x, shifted_w] + ([F.cast(tensor(bias), dtypes.int32)] if bias is not None else [])
    accumulated = OPS["Conv"](node, conv_inputs, attrs)
    w_scale = tensor(w_scale)
    if w_scale.ndim == 1 and w_scale.shape[0] > 1:
        w_scale = F.reshape(w_scale, [-1] + [1] * (rank - 2))
    multiplier = F.div(F.mul(tensor(x_scale), w_scale), tensor(y_scale))
    y = F.mul(_as_float(accumulated), _as_float(multiplier))
    dtype = tensor(y_zero).dtype if y_zero is not None else tensor(x).dtype
    if y_zero is not None:
        y = F.add(y, _as_float(tensor(y_zero)))
    return _clip_to(F.round(y), _quantized_dtype(dtype))
