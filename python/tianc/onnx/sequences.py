"""ONNX's sequence and optional types and their ops.

The graph runs as Python, so a sequence is a Python list of values and an
empty optional is None (a present one is its value): SequenceInsert,
SplitToSequence, SequenceMap and the rest are list operations, and a traced
model holds only the tensor ops they lead to. What a sequence holds is
known while tracing; its tensors' values need not be.
"""

import numpy as np

from .. import functional as F
from .control_flow import _known
from .ops import Unsupported, axis_of, gather_along, ints, op, tensor


def _sequence(value, what):
    if not isinstance(value, list):
        raise Unsupported(f"{what} must be a sequence, got {type(value).__name__}")
    return value


def _position(value, length, what, inserting=False):
    if value is None:
        return length if inserting else length - 1
    position = int(np.asarray(_known(value)).reshape(-1)[0])
    limit = length + 1 if inserting else length
    if not -length <= position < limit:
        raise Unsupported(f"{what} {position} is out of range for a sequence of {length}")
    # A negative position counts from the back: -1 inserts before the last.
    return position + length if position < 0 else position


@op("SequenceEmpty")
def _sequence_empty(node, inputs, attrs):
    return []


@op("SequenceConstruct")
def _sequence_construct(node, inputs, attrs):
    return list(inputs)


@op("SequenceLength")
def _sequence_length(node, inputs, attrs):
    return np.array(len(_sequence(inputs[0], "SequenceLength's input")), np.int64)


@op("SequenceAt")
def _sequence_at(node, inputs, attrs):
    sequence = _sequence(inputs[0], "SequenceAt's input")
    return sequence[_position(inputs[1], len(sequence), "position")]


@op("SequenceInsert")
def _sequence_insert(node, inputs, attrs):
    sequence = list(_sequence(inputs[0], "SequenceInsert's input"))
    position = _position(inputs[2] if len(inputs) > 2 else None, len(sequence), "position",
                         inserting=True)
    sequence.insert(position, inputs[1])
    return sequence


@op("SequenceErase")
def _sequence_erase(node, inputs, attrs):
    sequence = list(_sequence(inputs[0], "SequenceErase's input"))
    del sequence[_position(inputs[1] if len(inputs) > 1 else None, len(sequence), "position")]
    return sequence


@op("SplitToSequence")
def _split_to_sequence(node, inputs, attrs):
    x = tensor(inputs[0])
    axis = axis_of(int(attrs.get("axis", 0)), x.ndim)
    size = x.shape[axis]
    split = None if len(inputs) < 2 or inputs[1] is None else ints(inputs[1], "the split")
    if split is None:
        sizes = [1] * size
    elif np.ndim(_known(inputs[1])) == 0:  # a chunk size; the last chunk may be shorter
        if split[0] <= 0:
            raise Unsupported(f"a split size of {split[0]}")
        sizes = [split[0]] * (size // split[0]) + ([size % split[0]] if size % split[0] else [])
    else:
        sizes = split
    if sum(sizes) != size:
        raise Unsupported(f"split sizes {sizes} do not add up to the axis size {size}")
    pieces, start = [], 0
    for length in sizes:
        begin, limit = [0] * x.ndim, list(x.shape)
        begin[axis], limit[axis] = start, start + length
        piece = F.slice(x, begin, limit, [1] * x.ndim)
        if split is None and not attrs.get("keepdims", 1):
            piece = F.squeeze(piece, axis)
        pieces.append(piece)
        start += length
    return pieces


@op("ConcatFromSequence")
def _concat_from_sequence(node, inputs, attrs):
    sequence = [tensor(v) for v in _sequence(inputs[0], "ConcatFromSequence's input")]
    if not sequence:
        raise Unsupported("ConcatFromSequence of an empty sequence")
    new_axis = attrs.get("new_axis", 0)
    axis = axis_of(int(attrs["axis"]), sequence[0].ndim + (1 if new_axis else 0))
    return F.stack(sequence, axis) if new_axis else F.concat(sequence, axis)


@op("SequenceMap")
def _sequence_map(node, inputs, attrs):
    body = attrs["body"]
    lengths = {len(v) for v in inputs if isinstance(v, list)}
    if len(lengths) != 1:
        raise Unsupported(f"SequenceMap over sequences of different lengths {sorted(lengths)}")
    results = [[] for _ in body.output_names]
    for i in range(lengths.pop()):
        outputs = body.run(node.scope, [v[i] if isinstance(v, list) else v for v in inputs])
        for values, value in zip(results, outputs):
            values.append(value)
    return tuple(results)


@op("Optional")
def _optional(node, inputs, attrs):
    return inputs[0] if inputs else None


@op("OptionalHasElement")
def _optional_has_element(node, inputs, attrs):
    return np.array(bool(inputs) and inputs[0] is not None)


@op("OptionalGetElement")
def _optional_get_element(node, inputs, attrs):
    if inputs[0] is None:
        raise Unsupported("OptionalGetElement of an empty optional")
    return inputs[0]


@op("ReverseSequence")
def _reverse_sequence(node, inputs, attrs):
    x = tensor(inputs[0])
    time, batch = int(attrs.get("time_axis", 0)), int(attrs.get("batch_axis", 1))
    lengths = tensor(inputs[1])
    steps = x.shape[time]
    # Per (time, batch): the time step to read, len - 1 - t below len, else t.
    t = tensor(np.arange(steps, dtype=np.int64).reshape([-1, 1] if time == 0 else [1, -1]))
    length = F.reshape(F.cast(lengths, np.int64), [1, -1] if time == 0 else [-1, 1])
    source = F.where(F.lt(t, length), F.sub(F.sub(length, 1), t), t)  # [time, batch] or [batch, time]
    shape = [1] * x.ndim
    shape[time], shape[batch] = x.shape[time], x.shape[batch]
    return gather_along(x, F.broadcast_to(F.reshape(source, shape), list(x.shape)), time)
