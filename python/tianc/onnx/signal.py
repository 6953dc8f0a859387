"""ONNX's signal ops (DFT, STFT, the window functions) in terms of
tianc.functional.

A DFT of length L is two matmuls with the L x K cosine and sine tables:
the tables depend only on sizes, so they are computed once in float64 with
numpy (as constants, like weights) and rounded to the data's type; the data
runs through tianc's matmul. That costs O(L K) per transform instead of an
FFT's O(L log L), which is what the short transforms models use (audio
frames of 256-1024) can afford; there is no FFT primitive yet.
"""

import math

import numpy as np

from .. import dtypes
from .. import functional as F
from .ops import Unsupported, axis_of, ints, known, onnx_dtype, op, tensor


def _resize_axis(x, axis, length):
    """Truncates or zero-pads ``x`` along ``axis`` to ``length``."""
    current = x.shape[axis]
    if length < current:
        limit = list(x.shape)
        limit[axis] = length
        return F.slice(x, [0] * x.ndim, limit, [1] * x.ndim)
    if length > current:
        high = [0] * x.ndim
        high[axis] = length - current
        return F._pad_dims(x, [0] * x.ndim, high)
    return x


def _tables(length, bins, sign, dtype):
    """[length, bins] cos and sign * sin of 2 pi n k / length."""
    angle = 2 * np.pi * np.outer(np.arange(length), np.arange(bins)) / length
    return (tensor(np.cos(angle).astype(dtype)), tensor((sign * np.sin(angle)).astype(dtype)))


def dft(x, length, axis, inverse, onesided):
    """ONNX DFT on ``x`` [..., 1 or 2] (real, or real and imaginary in the
    last dim), along ``axis``: the result is [..., 2]."""
    complex_input = x.shape[-1] == 2
    # The transformed axis goes last: [..., n] real and imaginary parts.
    perm = [d for d in range(x.ndim - 1) if d != axis] + [axis]
    parts = [F.permute(F.reshape(F.slice(x, [0] * (x.ndim - 1) + [c], list(x.shape[:-1]) + [c + 1],
                                         [1] * x.ndim), list(x.shape[:-1])), perm)
             for c in range(2 if complex_input else 1)]
    if inverse and onesided:
        # irfft: the bins k > L/2 are the conjugates of L - k.
        bins = length // 2 + 1
        real = _resize_axis(parts[0], parts[0].ndim - 1, bins)
        imag = _resize_axis(parts[1], parts[1].ndim - 1, bins) if complex_input else None
        cos, sin = _tables(length, bins, 1.0, real.dtype)
        weight = np.full(bins, 2.0)
        weight[0] = 1.0
        if length % 2 == 0:
            weight[-1] = 1.0  # the Nyquist bin has no conjugate
        weight = tensor((weight / length).astype(real.dtype))
        out = F.matmul(F.mul(real, weight), F.transpose(cos, 0, 1))
        if imag is not None:
            out = F.sub(out, F.matmul(F.mul(imag, weight), F.transpose(sin, 0, 1)))
        outputs = [out]
    else:
        parts = [_resize_axis(p, p.ndim - 1, length) for p in parts]
        bins = length // 2 + 1 if onesided and not inverse else length
        cos, sin = _tables(length, bins, 1.0 if inverse else -1.0, parts[0].dtype)
        real = F.matmul(parts[0], cos)
        imag = F.matmul(parts[0], sin)
        if complex_input:  # (a + ib)(cos + i sin) = a cos - b sin + i (a sin + b cos)
            real = F.sub(real, F.matmul(parts[1], sin))
            imag = F.add(imag, F.matmul(parts[1], cos))
        if inverse:
            real, imag = F.div(real, float(length)), F.div(imag, float(length))
        outputs = [real, imag]
    inverse_perm = list(np.argsort(perm))
    stacked = F.stack([F.permute(o, inverse_perm) for o in outputs], -1)
    return stacked


@op("DFT")
def _dft(node, inputs, attrs):
    x = tensor(inputs[0])
    inverse, onesided = bool(attrs.get("inverse", 0)), bool(attrs.get("onesided", 0))
    if node.opset < 20:
        axis = attrs.get("axis", 1)
    else:
        axis = ints(inputs[2], "DFT's axis")[0] if len(inputs) > 2 and inputs[2] is not None else -2
    axis = axis_of(axis, x.ndim)
    if axis == x.ndim - 1:
        raise Unsupported("DFT along the last axis (which holds the real and imaginary parts)")
    if x.shape[-1] not in (1, 2):
        raise Unsupported(f"DFT input's last dim must be 1 or 2, got {x.shape[-1]}")
    length = ints(inputs[1], "DFT's dft_length")[0] if len(inputs) > 1 and inputs[1] is not None \
        else (2 * (x.shape[axis] - 1) if inverse and onesided else x.shape[axis])
    return dft(x, length, axis, inverse, onesided)


@op("STFT")
def _stft(node, inputs, attrs):
    signal = tensor(inputs[0])  # [batch, length, 1 or 2]
    step = ints(inputs[1], "STFT's frame_step")[0]
    window = None if len(inputs) < 3 or inputs[2] is None else tensor(inputs[2])
    if len(inputs) > 3 and inputs[3] is not None:
        frame = ints(inputs[3], "STFT's frame_length")[0]
    elif window is not None:
        frame = window.shape[0]
    else:
        raise Unsupported("STFT needs a window or a frame_length")
    batch, length, channels = signal.shape
    frames = 1 + (length - frame) // step
    pieces = [F.slice(signal, [0, f * step, 0], [batch, f * step + frame, channels], [1, 1, 1])
              for f in range(frames)]
    framed = F.stack(pieces, 1)  # [batch, frames, frame, channels]
    if window is not None:
        framed = F.mul(framed, F.reshape(F.cast(window, framed.dtype), [1, 1, frame, 1]))
    return dft(framed, frame, 2, False, bool(attrs.get("onesided", 1)) and channels == 1)


def _window(coefficients):
    """A generalized cosine window: sum_k (-1)^k a_k cos(2 pi k n / N)."""
    def run(node, inputs, attrs):
        size = int(known(inputs[0], f"{node.op_type}'s size").reshape(-1)[0])
        periodic = attrs.get("periodic", 1)
        n = np.arange(size, dtype=np.float64)
        denominator = size if periodic else size - 1
        values = np.zeros(size)
        for k, a in enumerate(coefficients):
            values += (-1) ** k * a * np.cos(2 * math.pi * k * n / max(denominator, 1))
        dtype = onnx_dtype(attrs.get("output_datatype", 1))
        return tensor(values.astype(dtype if dtype != dtypes.bool_ else np.float32))
    return run


op("HannWindow")(_window([0.5, 0.5]))
op("HammingWindow")(_window([25 / 46, 21 / 46]))
op("BlackmanWindow")(_window([0.42, 0.5, 0.08]))
