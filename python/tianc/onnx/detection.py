"""ONNX's ops whose output depends on the values' positions: NonMaxSuppression,
Unique, NonZero and MaxUnpool.

The comparisons are tensor ops (NonMaxSuppression's [B, N, N] "suppresses"
matrix, Unique's pairwise equality and order). What survives decides the
output's size, so the selection runs in eager mode only, in Python over the
matrices tianc computed (as PyTorch code would with .item()); a traced
model with either op is refused with that reason.
"""

import numpy as np

from .. import functional as F
from .ops import Unsupported, known, op, tensor


def _edges(boxes, center):
    """(x_min, x_max, y_min, y_max), each [B, N], of corner or center boxes."""
    def coordinate(k):
        return F.squeeze(F.slice(boxes, [0, 0, k], [boxes.shape[0], boxes.shape[1], k + 1],
                                 [1, 1, 1]), 2)
    a, b, c, d = (coordinate(k) for k in range(4))
    if center:  # x_center, y_center, width, height
        return (F.sub(a, F.mul(c, 0.5)), F.add(a, F.mul(c, 0.5)),
                F.sub(b, F.mul(d, 0.5)), F.add(b, F.mul(d, 0.5)))
    # y1, x1, y2, x2 in either order
    return F.minimum(b, d), F.maximum(b, d), F.minimum(a, c), F.maximum(a, c)


def suppression(boxes, center, threshold):
    """[B, N, N] bools: box j is suppressed by box i."""
    x_min, x_max, y_min, y_max = _edges(boxes, center)
    row = lambda t: F.unsqueeze(t, 2)  # noqa: E731  (box i)
    col = lambda t: F.unsqueeze(t, 1)  # noqa: E731  (box j)
    width = F.sub(F.minimum(row(x_max), col(x_max)), F.maximum(row(x_min), col(x_min)))
    height = F.sub(F.minimum(row(y_max), col(y_max)), F.maximum(row(y_min), col(y_min)))
    inter = F.mul(width, height)
    area = F.mul(F.sub(x_max, x_min), F.sub(y_max, y_min))
    union = F.sub(F.add(row(area), col(area)), inter)
    ok = None
    for condition in (F.gt(width, 0), F.gt(height, 0), F.gt(inter, 0), F.gt(row(area), 0),
                      F.gt(col(area), 0), F.gt(union, 0)):
        ok = condition if ok is None else F.where(ok, condition, False)
    return F.where(ok, F.gt(F.div(inter, F.where(ok, union, 1.0)), threshold), False)


@op("NonMaxSuppression")
def _non_max_suppression(node, inputs, attrs):
    inputs = list(inputs) + [None] * (5 - len(inputs))
    boxes, scores = tensor(inputs[0]), tensor(inputs[1])
    if boxes._data is None or scores._data is None:
        raise Unsupported("which boxes survive decides the output's size, so NonMaxSuppression "
                          "runs in eager mode only (not in a traced model)")
    def scalar(value, what, default):
        array = known(value, what)
        return default if array is None or array.size == 0 else array.reshape(-1)[0]
    limit = int(max(scalar(inputs[2], "max_output_boxes_per_class", 0), 0))
    iou = float(scalar(inputs[3], "iou_threshold", 0.0))
    score_threshold = scalar(inputs[4], "score_threshold", None)
    suppressed = suppression(boxes, bool(attrs.get("center_point_box", 0)), iou).numpy()
    # Each box's rank by score (ties: the lower index first) and whether it
    # passes the score threshold, as tensor ops over [B, C, N(, N)].
    mine, other = F.unsqueeze(scores, 3), F.unsqueeze(scores, 2)  # box i, box j
    n = scores.shape[2]
    earlier = tensor(np.tril(np.ones((n, n), bool), -1))  # j < i
    ahead = F.where(F.gt(other, mine), True, F.where(F.eq(other, mine), earlier, False))
    ranks = F.sum(F.cast(ahead, np.int64), [3]).numpy()
    passing = (np.ones(ranks.shape, bool) if score_threshold is None
               else F.gt(scores, float(score_threshold)).numpy())
    selected = []
    for b in range(ranks.shape[0]):
        for c in range(ranks.shape[1]):
            order = [i for i in np.argsort(ranks[b, c]) if passing[b, c, i]]
            kept = []
            for i in order:
                if len(kept) >= limit:
                    break
                if not any(suppressed[b, k, i] for k in kept):
                    kept.append(i)
            selected.extend([b, c, i] for i in kept)
    return np.array(selected, np.int64).reshape(-1, 3)


@op("Unique")
def _unique(node, inputs, attrs):
    """Unique elements (or slices along ``axis``): the equality and the
    lexicographic order of every pair are tensor ops, the grouping (whose
    size decides the output's) runs in eager mode over them; the unique
    values are gathered from x."""
    import functools

    x = tensor(inputs[0])
    if x._data is None:
        raise Unsupported("the number of unique values decides the output's size, so Unique "
                          "runs in eager mode only (not in a traced model)")
    axis = attrs.get("axis")
    if axis is None:
        source, axis = F.reshape(x, [-1]), 0
    else:
        source, axis = x, axis % x.ndim
    n = source.shape[axis]
    rows = F.reshape(F.permute(source, [axis] + [d for d in range(source.ndim) if d != axis]),
                     [n, -1])  # [n, m]
    m = rows.shape[1]
    a, b = F.unsqueeze(rows, 1), F.unsqueeze(rows, 0)  # [n, 1, m], [1, n, m]
    # NaNs are one value, larger than every number (numpy.unique's rule).
    nan_a, nan_b = F.ne(a, a), F.ne(b, b)
    same = F.where(F.eq(a, b), True, F.where(nan_a, nan_b, False))
    differ = F.cast(F.logical_not(same), np.float32)  # [n, n, m]
    equal = F.eq(F.sum(differ, [2]), 0.0)
    # Lexicographic a < b: at the first position where they differ.
    before = np.triu(np.ones((m, m), np.float32), 1)  # l < k
    same_prefix = F.eq(F.matmul(differ, tensor(before)), 0.0)
    smaller = F.where(F.lt(a, b), True, F.where(nan_b, F.logical_not(nan_a), False))
    less = F.gt(F.amax(F.cast(F.where(same_prefix, smaller, False), np.int8), [2]), 0)
    equal, less = equal.numpy(), less.numpy()
    firsts = [i for i in range(n) if not equal[i, :i].any()]
    if attrs.get("sorted", 1):
        firsts.sort(key=functools.cmp_to_key(
            lambda i, j: -1 if less[i, j] else (1 if less[j, i] else 0)))
    position = {u: p for p, u in enumerate(firsts)}
    inverse = [position[next(u for u in firsts if equal[i, u])] for i in range(n)]
    counts = [int(equal[u].sum()) for u in firsts]
    values = F.index_select(source, axis, tensor(np.array(firsts, np.int64)))
    return (values, np.array(firsts, np.int64), np.array(inverse, np.int64),
            np.array(counts, np.int64))


@op("NonZero")
def _non_zero(node, inputs, attrs):
    """[rank, count] indices of the nonzero elements, row-major: the mask is
    a tensor op, its positions are read in eager mode."""
    x = tensor(inputs[0])
    if x._data is None:
        raise Unsupported("the number of nonzero elements decides the output's size, so NonZero "
                          "runs in eager mode only (not in a traced model)")
    mask = F.ne(x, 0).numpy()
    return np.array(np.nonzero(mask.reshape(x.shape) if x.ndim else mask.reshape(1)),
                    np.int64).reshape(max(x.ndim, 1), -1)


@op("MaxUnpool")
def _max_unpool(node, inputs, attrs):
    """Each value of x put back at its index (MaxPool's Indices) in zeros:
    with the indices known (eager mode, or constants) a gather from
    [0, x...] by the inverse map."""
    from .ops import _scatter

    x = tensor(inputs[0])
    index = inputs[1]
    index = index._data if hasattr(index, "_data") else np.asarray(index)
    if index is None:
        raise Unsupported("MaxUnpool's indices are computed from the model's inputs: a traced "
                          "model needs them known (eager mode runs it)")
    kernel = list(attrs["kernel_shape"])
    rank = len(kernel)
    strides = list(attrs.get("strides", [1] * rank))
    pads = list(attrs.get("pads", [0] * 2 * rank))
    # The indices count in the pool's input shape; an output_shape larger
    # than that pads it at the end (ONNX's reference).
    shape = list(x.shape[:2]) + [(x.shape[2 + i] - 1) * strides[i] - pads[i] - pads[i + rank]
                                 + kernel[i] for i in range(rank)]
    zeros = tensor(np.zeros(shape, np.dtype(x.dtype)))
    out = _scatter(zeros, F.reshape(x, [-1]), np.asarray(index, np.int64).reshape(-1), "none")
    if len(inputs) > 2 and inputs[2] is not None:
        wanted = [int(v) for v in known(inputs[2], "MaxUnpool's output_shape").reshape(-1)]
        if any(w < s for w, s in zip(wanted, shape)):
            raise Unsupported(f"output_shape {wanted} is smaller than the unpooled {shape}")
        out = F._pad_dims(out, [0] * len(shape), [w - s for w, s in zip(wanted, shape)])
    return out
