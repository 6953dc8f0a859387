"""ONNX's control flow (If, Loop, Scan) in terms of tianc.functional.

The bodies run as Python, so control flow becomes straight-line code when a
model is traced, as in PyTorch's tracer:

- If runs the branch its condition picks when the condition is known (a
  constant, a shape computation, or any value in eager mode). A condition
  computed from the model's inputs while tracing runs both branches and
  selects elementwise (``where``), which is exact when both give the same
  shapes, as ONNX's shape inference requires of a traced model anyway.
- Loop unrolls while its trip count and condition are known: always in eager
  mode; in traced code when they do not depend on the inputs' values.
- Scan unrolls over its scan axis, whose length the shapes fix.
"""

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from .ops import Unsupported, axis_of, op, take, tensor

# An unrolled loop longer than this is refused rather than traced for minutes.
MAX_UNROLLED_ITERATIONS = 100_000


def _known(value):
    """The numpy value of a node input when it is known, else None (ops.known
    raises instead, for inputs that must be known)."""
    if value is None:
        return None
    if isinstance(value, Tensor):
        return value._data
    return np.asarray(value)


def _stack(values, axis):
    if all(isinstance(v, np.ndarray) for v in values):
        return np.stack(values, axis)
    return F.stack([tensor(v) for v in values], axis)


@op("If")
def _if(node, inputs, attrs):
    condition = _known(inputs[0])
    if condition is not None:
        branch = attrs["then_branch"] if bool(condition.reshape(-1)[0]) else attrs["else_branch"]
        return tuple(branch.run(node.scope, []))
    chosen = tensor(inputs[0])
    then = attrs["then_branch"].run(node.scope, [])
    other = attrs["else_branch"].run(node.scope, [])
    results = []
    for index, (a, b) in enumerate(zip(then, other)):
        if any(isinstance(v, list) or v is None for v in (a, b)):
            raise Unsupported(f"the condition is computed from the model's inputs and output "
                              f"{index} is a sequence or an optional: a traced If selects "
                              "tensors only (eager mode runs it)")
        a, b = tensor(a), tensor(b)
        if tuple(a.shape) != tuple(b.shape) or a.dtype != b.dtype:
            raise Unsupported(
                f"the condition is computed from the model's inputs and output {index} differs "
                f"between the branches ({a.dtype}{list(a.shape)} and {b.dtype}{list(b.shape)}): "
                "a traced If needs both branches to agree (eager mode runs it)")
        results.append(F.where(F.reshape(chosen, []), a, b))
    return tuple(results)


@op("Loop")
def _loop(node, inputs, attrs):
    body = attrs["body"]
    inputs = list(inputs) + [None] * (2 - len(inputs))
    trips, condition = inputs[0], inputs[1]
    carried = list(inputs[2:])
    scanned = len(body.output_names) - 1 - len(carried)
    if trips is not None:
        count = _known(trips)
        if count is None:
            raise Unsupported("the trip count is computed from the model's inputs: a traced "
                              "Loop needs one it can unroll (eager mode runs it)")
        trips = int(count.reshape(-1)[0])
    if trips is None and condition is None:
        raise Unsupported("a Loop with neither a trip count nor a condition never ends")
    scans = [[] for _ in range(scanned)]
    iteration = 0
    while trips is None or iteration < trips:
        if condition is not None:
            flag = _known(condition)
            if flag is None:
                raise Unsupported("the loop condition is computed from the model's inputs: a "
                                  "traced Loop needs one it can unroll (eager mode runs it)")
            if not bool(flag.reshape(-1)[0]):
                break
        if iteration >= MAX_UNROLLED_ITERATIONS:
            raise Unsupported(f"the Loop runs more than {MAX_UNROLLED_ITERATIONS} iterations")
        flag = np.array(True) if condition is None else np.asarray(_known(condition)).astype(bool)
        outputs = body.run(node.scope, [np.array(iteration, np.int64), flag] + carried)
        condition = outputs[0] if condition is not None else None
        carried = list(outputs[1:1 + len(carried)])
        for values, value in zip(scans, outputs[1 + len(carried):]):
            values.append(value)
        iteration += 1
    if scanned and not iteration:
        raise Unsupported("a Loop with scan outputs ran no iteration (their shape is unknown)")
    return tuple(carried + [_stack(values, 0) for values in scans])


@op("Scan")
def _scan(node, inputs, attrs):
    if node.opset < 9:
        return _scan_batched(node, inputs, attrs)
    return _scan_over(node, inputs, attrs)


def _scan_batched(node, inputs, attrs):
    """Scan-8: every input has a batch axis first (time second) and an
    optional sequence_lens leads the inputs; each batch entry is a Scan-9."""
    values = list(inputs[1:])
    if inputs[0] is not None:  # only lengths that cover the whole time axis
        lengths = _known(inputs[0])
        steps = {np.shape(v)[1] if isinstance(v, np.ndarray) else v.shape[1]
                 for v in values[len(values) - attrs["num_scan_inputs"]:]}
        if lengths is None or set(lengths.reshape(-1).tolist()) != steps:
            raise Unsupported("Scan-8 with sequence_lens shorter than the scan inputs")
    count = attrs["num_scan_inputs"]
    batch = (values[0].shape[0] if values else 0)
    per_entry = {"body": attrs["body"], "num_scan_inputs": count,
                 "scan_input_directions": attrs.get("directions", [0] * count)}
    results = []
    for entry in range(batch):
        results.append(_scan_over(node, [take(v if isinstance(v, np.ndarray) else tensor(v), 0, entry)
                                         for v in values], per_entry))
    return tuple(_stack([r[i] for r in results], 0) for i in range(len(results[0])))


def _scan_over(node, inputs, attrs):
    body = attrs["body"]
    count = attrs["num_scan_inputs"]
    states = list(inputs[:len(inputs) - count])
    sequences = [v if isinstance(v, np.ndarray) else tensor(v) for v in inputs[len(states):]]
    input_axes = [axis_of(a, np.ndim(s) if isinstance(s, np.ndarray) else s.ndim)
                  for a, s in zip(attrs.get("scan_input_axes", [0] * count), sequences)]
    input_reverse = attrs.get("scan_input_directions", [0] * count)
    scanned = len(body.output_names) - len(states)
    output_axes = attrs.get("scan_output_axes", [0] * scanned)
    output_reverse = attrs.get("scan_output_directions", [0] * scanned)
    lengths = {s.shape[a] for s, a in zip(sequences, input_axes)}
    if len(lengths) != 1:
        raise Unsupported(f"the scan inputs have different lengths {sorted(lengths)}")
    length = lengths.pop()
    if scanned and not length:
        raise Unsupported("a Scan over nothing with scan outputs (their shape is unknown)")
    scans = [[] for _ in range(scanned)]
    for step in range(length):
        slices = [take(s, a, length - 1 - step if r else step)
                  for s, a, r in zip(sequences, input_axes, input_reverse)]
        outputs = body.run(node.scope, states + slices)
        states = list(outputs[:len(states)])
        for values, value in zip(scans, outputs[len(states):]):
            values.append(value)
    results = []
    for values, axis, reverse in zip(scans, output_axes, output_reverse):
        if reverse:
            values = values[::-1]
        rank = np.ndim(values[0]) if isinstance(values[0], np.ndarray) else values[0].ndim
        results.append(_stack(values, axis_of(axis, rank + 1)))
    return tuple(states + results)
