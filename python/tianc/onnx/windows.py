"""Windows (pools and convolutions) of any spatial rank, for what tian's 2-D
ops do not cover: 3-D windows, dilated average and Lp pools, ceil_mode
with any padding.

A pool is a reduction over its window's taps: each tap is one strided
slice of the padded input ([N, C, *out]), so a 3x3x3 max pool is 27 slices
and 26 maxima, which fusion turns into one loop nest. A 3-D convolution is
a sum over the kernel's depth of 2-D convolutions, each over the input's
depth slices folded into the batch.
"""

import itertools
import math

import numpy as np

from .. import dtypes
from .. import functional as F
from .ops import Unsupported, _spatial_attrs, ints, op, tensor


def output_sizes(sizes, kernel, strides, dilations, pads, ceil_mode):
    """ONNX's (and PyTorch's) output size per spatial dim; with ceil_mode a
    window starting past the input and its leading padding is dropped."""
    rank = len(sizes)
    outs = []
    for i in range(rank):
        span = (kernel[i] - 1) * dilations[i] + 1
        total = sizes[i] + pads[i] + pads[i + rank] - span
        count = (-(-total // strides[i]) if ceil_mode else total // strides[i]) + 1
        if ceil_mode and (count - 1) * strides[i] >= sizes[i] + pads[i]:
            count -= 1
        outs.append(count)
    return outs


def window_taps(x, kernel, strides, dilations, pads, ceil_mode, fill):
    """([N, C, *out] slices, one per kernel position, of ``x`` padded with
    ``fill``), out."""
    sizes, rank = list(x.shape[2:]), len(kernel)
    outs = output_sizes(sizes, kernel, strides, dilations, pads, ceil_mode)
    if any(o <= 0 for o in outs):
        raise Unsupported(f"the window leaves no output for an input of spatial shape {sizes}")
    high = [max(0, (outs[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1
                - sizes[i] - pads[i]) for i in range(rank)]
    padded = F._pad_dims(x, [0, 0] + list(pads[:rank]), [0, 0] + high, fill)
    taps = []
    for offset in itertools.product(*[range(k) for k in kernel]):
        begin = [0, 0] + [o * d for o, d in zip(offset, dilations)]
        limit = list(x.shape[:2]) + [b + (n - 1) * s + 1 for b, n, s in zip(begin[2:], outs, strides)]
        taps.append(F.slice(padded, begin, limit, [1, 1] + list(strides)))
    return taps, outs


def window_counts(sizes, kernel, strides, dilations, pads, outs, include_pad):
    """[1, 1, *out] float32: how many taps of each window fall on the input
    (or on the input and its declared padding)."""
    rank = len(sizes)
    counts = np.ones([1, 1] + list(outs))
    for i in range(rank):
        position = (np.arange(outs[i])[:, None] * strides[i]
                    + np.arange(kernel[i])[None, :] * dilations[i] - pads[i])
        low, high = (-pads[i], sizes[i] + pads[i + rank]) if include_pad else (0, sizes[i])
        per_dim = ((position >= low) & (position < high)).sum(1)
        shape = [1] * (rank + 2)
        shape[2 + i] = outs[i]
        counts = counts * per_dim.reshape(shape)
    return counts.astype(np.float32)


def _reduce(taps, fn):
    out = taps[0]
    for tap in taps[1:]:
        out = fn(out, tap)
    return out


def _setup(node, x, attrs):
    kernel = list(attrs["kernel_shape"])
    strides, dilations, pads = _spatial_attrs(node, attrs, x.shape[2:], kernel)
    return kernel, strides, dilations, pads, bool(attrs.get("ceil_mode", 0))


def max_pool(node, x, attrs, indices=False):
    """The max over each window; with ``indices`` also where it is, as ONNX's
    Indices output: the flat position in x (row-major), the first maximum."""
    kernel, strides, dilations, pads, ceil = _setup(node, x, attrs)
    lowest = -math.inf if dtypes.is_floating(x.dtype) else int(np.iinfo(x.dtype).min)
    taps, outs = window_taps(x, kernel, strides, dilations, pads, ceil, lowest)
    if not indices:
        return _reduce(taps, F.maximum)
    sizes, rank = list(x.shape[2:]), len(kernel)
    pixels = int(np.prod(sizes))
    planes = (np.arange(x.shape[0] * x.shape[1]) * pixels).reshape(list(x.shape[:2]) + [1] * rank)
    floating = dtypes.is_floating(x.dtype)
    best, where, real = None, None, None
    for tap, offset in zip(taps, itertools.product(*[range(k) for k in kernel])):
        position = np.zeros([1, 1] + outs, np.int64)
        inside = np.ones([1, 1] + outs, bool)  # the tap reads the input, not padding
        for i in range(rank):
            along = np.arange(outs[i]) * strides[i] + offset[i] * dilations[i] - pads[i]
            shape = [1] * (rank + 2)
            shape[2 + i] = outs[i]
            # storage_order=1 counts the spatial dims column-major.
            stride = np.prod(sizes[:i] if attrs.get("storage_order", 0) else sizes[i + 1:])
            position = position + along.reshape(shape) * int(stride)
            inside = inside & ((along >= 0) & (along < sizes[i])).reshape(shape)
        position = tensor((position + planes).astype(np.int64))
        inside = tensor(inside)
        if best is None:
            best, where, real = tap, F.broadcast_to(position, list(tap.shape)), inside
            continue
        # The first maximum, NaN the largest (as the max itself), and a real
        # element before padding that ties with it.
        better = F.gt(tap, best)
        if floating:
            better = F.where(better, True, F.where(F.ne(tap, tap), F.eq(best, best), False))
        better = F.where(better, inside, F.where(F.logical_not(real), F.where(inside, F.eq(tap, best),
                                                                            False), False))
        best, where = F.where(better, tap, best), F.where(better, position, where)
        real = F.where(better, True, real)
    return best, where


def average_pool(node, x, attrs):
    kernel, strides, dilations, pads, ceil = _setup(node, x, attrs)
    taps, outs = window_taps(x, kernel, strides, dilations, pads, ceil, 0.0)
    counts = window_counts(list(x.shape[2:]), kernel, strides, dilations, pads, outs,
                           bool(attrs.get("count_include_pad", 0)))
    return F.div(_reduce(taps, F.add), tensor(counts.astype(np.dtype(x.dtype))))


def lp_pool(node, x, attrs):
    kernel, strides, dilations, pads, ceil = _setup(node, x, attrs)
    p = float(attrs.get("p", 2))
    taps, _ = window_taps(F.pow(F.abs(x), p), kernel, strides, dilations, pads, ceil, 0.0)
    return F.pow(_reduce(taps, F.add), 1.0 / p)


def conv3d(node, x, weight, bias, attrs):
    """A 3-D convolution as a sum over the kernel's depth of 2-D ones."""
    kernel = list(attrs.get("kernel_shape", weight.shape[2:]))
    strides, dilations, pads = _spatial_attrs(node, attrs, x.shape[2:], kernel)
    groups = int(attrs.get("group", 1))
    batch, channels, depth = x.shape[:3]
    out_depth = (depth + pads[0] + pads[3] - ((kernel[0] - 1) * dilations[0] + 1)) // strides[0] + 1
    if out_depth <= 0:
        raise Unsupported(f"the kernel leaves no output for an input of shape {list(x.shape)}")
    padded = F._pad_dims(x, [0, 0, pads[0], 0, 0], [0, 0, pads[3], 0, 0])
    total = None
    for k in range(kernel[0]):
        begin = [0, 0, k * dilations[0], 0, 0]
        limit = [batch, channels, begin[2] + (out_depth - 1) * strides[0] + 1] + list(x.shape[3:])
        slices = F.slice(padded, begin, limit, [1, 1, strides[0], 1, 1])  # [N, C, D', H, W]
        folded = F.reshape(F.transpose(slices, 1, 2), [batch * out_depth, channels] + list(x.shape[3:]))
        w = F.reshape(F.slice(weight, [0, 0, k, 0, 0], [weight.shape[0], weight.shape[1], k + 1]
                              + list(weight.shape[3:]), [1] * 5),
                      [weight.shape[0], weight.shape[1]] + list(weight.shape[3:]))
        part = F.conv2d(folded, w, None, stride=strides[1:], padding=[pads[1], pads[2], pads[4], pads[5]],
                        dilation=dilations[1:], groups=groups)
        total = part if total is None else F.add(total, part)
    out = F.transpose(F.reshape(total, [batch, out_depth] + list(total.shape[1:])), 1, 2)
    if bias is not None:
        out = F.add(out, F.reshape(bias, [1, -1, 1, 1, 1]))
    return out


@op("Col2Im")
def _col2im(node, inputs, attrs):
    """The inverse of im2col: each kernel position's column block, spread by
    the strides, is added into the padded image at its offset."""
    x = tensor(inputs[0])  # [N, C * prod(block), L]
    image, block = ints(inputs[1], "Col2Im's image_shape"), ints(inputs[2], "Col2Im's block_shape")
    rank = len(image)
    strides = list(attrs.get("strides", [1] * rank))
    dilations = list(attrs.get("dilations", [1] * rank))
    pads = list(attrs.get("pads", [0] * 2 * rank))
    batch = x.shape[0]
    channels = x.shape[1] // int(np.prod(block))
    outs = [(image[i] + pads[i] + pads[i + rank] - ((block[i] - 1) * dilations[i] + 1)) // strides[i] + 1
            for i in range(rank)]
    if int(np.prod(outs)) != x.shape[2]:
        raise Unsupported(f"{x.shape[2]} columns do not fit an image of {image} with these windows "
                          f"({int(np.prod(outs))} expected)")
    padded = [image[i] + pads[i] + pads[i + rank] for i in range(rank)]
    columns = F.reshape(x, [batch, channels, int(np.prod(block))] + outs)
    total = None
    for index, offset in enumerate(itertools.product(*[range(b) for b in block])):
        part = F.reshape(F.slice(columns, [0, 0, index] + [0] * rank,
                                 [batch, channels, index + 1] + outs, [1] * (rank + 3)),
                         [batch, channels] + outs)
        for axis in range(rank):
            part = F._dilate(part, 2 + axis, strides[axis])
        low = [0, 0] + [offset[i] * dilations[i] for i in range(rank)]
        high = [0, 0] + [padded[i] - low[2 + i] - part.shape[2 + i] for i in range(rank)]
        part = F._pad_dims(part, low, high)
        total = part if total is None else F.add(total, part)
    begin = [0, 0] + pads[:rank]
    return F.slice(total, begin, [batch, channels] + [pads[i] + image[i] for i in range(rank)],
                   [1] * (rank + 2))
