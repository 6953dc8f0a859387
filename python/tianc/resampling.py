"""Resampling along an axis as weighted sums of gathered taps: the one
definition behind ``F.interpolate`` (``nn.Upsample``) and ONNX's Resize.
Which input positions each output position reads, and with what weights,
depends only on the sizes, so it is computed here with numpy, once per
trace, and the graph is gathers, multiplies and adds (no resize primitive:
the fusion passes fold them into one kernel per axis). The vocabulary is
ONNX Resize's attributes (mode, coordinate_transformation_mode,
nearest_mode, cubic_coeff_a, antialias, exclude_outside), the most general
of the two."""

import numpy as np

from . import functional as F
from .tensor import Tensor


class UnsupportedMode(ValueError):
    """A resampling mode or coordinate mode that is not implemented."""


def source_coordinates(mode, out_size, in_size, scale, roi=None):
    """Where each output position reads the input, by coordinate mode
    (``roi``: tf_crop_and_resize's normalized (start, end) of this axis)."""
    x = np.arange(out_size, dtype=np.float64)
    if mode == "tf_crop_and_resize":
        start, end = roi
        if out_size == 1:
            return np.full(1, 0.5 * (start + end) * (in_size - 1))
        return start * (in_size - 1) + x * (end - start) * (in_size - 1) / (out_size - 1)
    if mode == "half_pixel":
        return (x + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        adjustment = out_size / (scale * in_size)
        offset = in_size / 2 * (1 - adjustment)
        return offset + (x + 0.5) / scale - 0.5
    if mode == "pytorch_half_pixel":
        return (x + 0.5) / scale - 0.5 if out_size > 1 else np.zeros_like(x)
    if mode == "align_corners":  # the size as scaled, not as rounded (the reference's)
        scaled = in_size * scale
        return x * (in_size - 1) / (scaled - 1) if out_size > 1 else np.zeros_like(x)
    if mode == "asymmetric":
        return x / scale
    raise UnsupportedMode(f"coordinate_transformation_mode={mode!r} is not supported")


def taps(attrs, out_size, in_size, scale, roi=None):
    """[(input indices, weights)] whose weighted sum is each output position:
    one tap for nearest, two for linear, four for cubic."""
    mode = attrs.get("mode", "nearest")
    coordinate = attrs.get("coordinate_transformation_mode", "half_pixel")
    x = source_coordinates(coordinate, out_size, in_size, scale, roi)
    clamp = lambda i: np.clip(i, 0, in_size - 1).astype(np.int64)  # noqa: E731
    if mode == "nearest":
        rounding = attrs.get("nearest_mode", "round_prefer_floor")
        index = {"round_prefer_floor": lambda v: np.ceil(v - 0.5),
                 "round_prefer_ceil": lambda v: np.floor(v + 0.5),
                 "floor": np.floor, "ceil": np.ceil}[rounding](x)
        return [(clamp(index), None)]
    base = np.floor(x)
    t = x - base
    a = float(attrs.get("cubic_coeff_a", -0.75))
    if attrs.get("antialias", 0) and scale < 1 and mode in ("linear", "cubic"):
        # The filter stretched by 1 / scale (ONNX's reference; taps past
        # the edges read the edge unless exclude_outside drops them).
        reach = 1 if mode == "linear" else 2
        start = int(np.floor(-reach / scale) + 1)
        offsets = list(range(start, 2 - start))
        kernel = (lambda d: np.clip(1 - np.abs(d), 0, 1)) if mode == "linear" else \
            (lambda d: keys_cubic(d, a))
        weights = [kernel((o - t) * scale) for o in offsets]
    elif mode == "linear":
        return [(clamp(base), 1 - t), (clamp(base + 1), t)]
    elif mode == "cubic":
        offsets = [-1, 0, 1, 2]
        weights = [keys_cubic(t - o, a) for o in offsets]
    else:
        raise UnsupportedMode(f"mode={mode!r} is not supported")
    excluded = mode == "cubic" and attrs.get("exclude_outside", 0)
    if excluded:
        weights = [w * (((base + o) >= 0) & ((base + o) < in_size))
                   for o, w in zip(offsets, weights)]
    if excluded or attrs.get("antialias", 0) and scale < 1:  # the weights sum to 1
        total = sum(weights)
        weights = [w / total for w in weights]
    return [(clamp(base + o), w) for o, w in zip(offsets, weights)]


def keys_cubic(d, a):
    """Keys' cubic convolution kernel at distance d (numpy: the weights are
    constants of the sizes)."""
    d = np.abs(d)
    return np.where(d <= 1, ((a + 2) * d - (a + 3)) * d * d + 1,
                    np.where(d < 2, ((a * d - 5 * a) * d + 8 * a) * d - 4 * a, 0.0))


def resize_axis(x, axis, out_size, tap_list):
    """x resampled to ``out_size`` along ``axis`` by ``taps(...)``'s list."""
    total = None
    spread = [out_size if d == axis else 1 for d in range(x.ndim)]
    for index, weight in tap_list:
        picked = F.index_select(x, axis, Tensor(index))
        if weight is not None:
            picked = F.mul(picked, Tensor(weight.reshape(spread).astype(np.dtype(x.dtype))))
        total = picked if total is None else F.add(total, picked)
    return total
