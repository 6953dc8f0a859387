"""Differential testing: random op graphs run by PyTorch (the reference), by
tianc eagerly and by tianc compiled, on shapes with 0 and 1, NaN, +-inf and
-0 inputs, float32 and float16 (sums and means of float16 accumulate in
float32 on both sides). The graphs run in a worker process, so a
crash is counted (and the next worker goes on) rather than taking the suite
down.

./test.sh runs a fixed-seed slice; TIANC_DIFF_GRAPHS=2000 (and
TIANC_DIFF_SEED) runs a long one and prints the counts."""

import os
import pickle
import random

import numpy as np
import pytest
import torch

import tianc as tc
from tianc import functional as F

GRAPHS = int(os.environ.get("TIANC_DIFF_GRAPHS", "150"))
SEED = int(os.environ.get("TIANC_DIFF_SEED", "0"))

UNARY = {
    "exp": (F.exp, torch.exp), "tanh": (F.tanh, torch.tanh), "sigmoid": (F.sigmoid, torch.sigmoid),
    "relu": (F.relu, torch.relu), "neg": (F.neg, torch.neg), "abs": (F.abs, torch.abs),
    "sqrt": (F.sqrt, torch.sqrt), "log": (F.log, torch.log), "rsqrt": (F.rsqrt, torch.rsqrt),
    "gelu": (F.gelu, torch.nn.functional.gelu), "sin": (F.sin, torch.sin),
    "cos": (F.cos, torch.cos), "erf": (F.erf, torch.erf), "floor": (F.floor, torch.floor),
    "ceil": (F.ceil, torch.ceil),
}
BINARY = {
    "add": (F.add, torch.add), "sub": (F.sub, torch.sub), "mul": (F.mul, torch.mul),
    "div": (F.div, torch.div), "pow": (F.pow, torch.pow),
    "maximum": (F.maximum, torch.maximum), "minimum": (F.minimum, torch.minimum),
}
# name: (tianc, torch); max and min need a non-empty axis (on both sides).
REDUCE = {
    "sum": (F.sum, torch.sum), "mean": (F.mean, torch.mean), "prod": (F.prod, torch.prod),
    "amax": (F.amax, torch.amax), "amin": (F.amin, torch.amin),
}


def _values(rng, shape, dtype):
    array = rng.standard_normal(shape).astype(np.float32)
    if array.size and rng.random() < 0.5:
        specials = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0], np.float32)
        mask = rng.random(shape) < 0.15
        array[mask] = rng.choice(specials, size=int(mask.sum()))
    return array.astype(dtype)


def make_graph(seed):
    """(inputs, ops): ops are (kind, name, argument) applied to a running value."""
    rng = np.random.default_rng(seed)
    dtype = np.float16 if rng.random() < 0.25 else np.float32
    rank = int(rng.integers(1, 4))
    shape = [int(rng.choice([0, 1, 3, 7, 33])) for _ in range(rank)]
    if rng.random() < 0.15:  # one large dim: remainder loops, several tiles and threads
        shape[int(rng.integers(0, rank))] = 1031
    shape = tuple(shape)
    inputs, ops = [_values(rng, shape, dtype)], []
    for _ in range(int(rng.integers(2, 6))):
        kind = rng.choice(["unary", "binary", "reduce", "shape", "matmul", "softmax",
                           "conv2d", "gather"])
        if kind == "unary":
            ops.append(("unary", str(rng.choice(list(UNARY))), None))
        elif kind == "binary":
            # The other operand broadcasts: each dim is the value's or 1.
            ops.append(("binary", str(rng.choice(list(BINARY))), len(inputs)))
            inputs.append(None)  # shaped when the graph runs (depends on earlier ops)
        elif kind == "reduce":
            ops.append(("reduce", str(rng.choice(list(REDUCE))), int(rng.integers(0, 8))))
        elif kind == "shape":
            ops.append(("shape", str(rng.choice(["transpose", "flatten", "unsqueeze"])), None))
        elif kind == "matmul":
            ops.append(("matmul", None, len(inputs)))
            inputs.append(int(rng.choice([1, 5, 16])))
        elif kind == "conv2d":
            # (out channels, kernel width, stride) of a 1-row convolution.
            ops.append(("conv2d", None, len(inputs)))
            inputs.append((int(rng.choice([1, 4])), int(rng.choice([1, 3])),
                           int(rng.choice([1, 2]))))
        elif kind == "gather":
            ops.append(("gather", None, len(inputs)))  # rows along axis 0, some negative
            inputs.append(None)
        else:
            ops.append(("softmax", None, None))
    return dtype, inputs, ops, np.random.default_rng(seed + 1)


def run_graph(seed, library):
    """The graph's output with `library` in "torch", "eager", "compiled"."""
    dtype, inputs, ops, rng = make_graph(seed)
    arrays = [inputs[0]]
    shape = inputs[0].shape
    # Shape the later operands by replaying the shapes.
    probe = torch.zeros(shape)
    for kind, name, argument in ops:
        if kind == "binary":
            other = tuple(d if rng.random() < 0.7 else 1 for d in probe.shape)
            arrays.append(_values(rng, other, dtype))
            probe = probe + torch.zeros(other)
        elif kind == "matmul":
            if probe.ndim == 0:
                probe = probe.reshape(1)
            arrays.append((rng.standard_normal((probe.shape[-1], argument)) / 4).astype(dtype))
            probe = probe @ torch.zeros(probe.shape[-1], argument)
        elif kind == "reduce":
            probe = probe.sum(argument % probe.ndim) if probe.ndim else probe
        elif kind == "shape":
            probe = _shape_op(torch, name, probe)
        elif kind == "conv2d":
            channels, width, stride = inputs[argument]
            arrays.append((rng.standard_normal((channels, 1, 1, width)) / 2).astype(dtype))
            if probe.numel():  # (an empty image is left as it is: PyTorch refuses it)
                probe = torch.conv2d(probe.reshape(1, 1, 1, -1), torch.zeros(channels, 1, 1, width),
                                     stride=stride, padding=(0, width // 2))
        elif kind == "gather":
            if probe.ndim == 0:
                probe = probe.reshape(1)
            rows = probe.shape[0]
            count = int(rng.choice([1, 4]))
            index = rng.integers(-rows, rows, count) if rows else np.zeros(0, np.int64)
            arrays.append(index.astype(np.int64))
            probe = probe[torch.from_numpy(arrays[-1])]

    def body(*values):
        value, others = values[0], iter(values[1:])
        for kind, name, argument in ops:
            torch_side = library == "torch"
            if kind == "unary":
                value = UNARY[name][torch_side](value)
            elif kind == "binary":
                value = BINARY[name][torch_side](value, next(others))
            elif kind == "reduce":
                if value.ndim:
                    axis = argument % value.ndim
                    if name in ("amax", "amin") and value.shape[axis] == 0:
                        name = "sum"
                    value = REDUCE[name][torch_side](value, axis)
            elif kind == "shape":
                value = _shape_op(torch if torch_side else tc, name, value)
            elif kind == "matmul":
                if value.ndim == 0:
                    value = value.reshape(1)
                value = value @ next(others)
            elif kind == "conv2d":
                if not np.prod(value.shape, dtype=int):
                    next(others)
                    continue
                _, width, stride = inputs[argument]
                conv = torch.conv2d if torch_side else F.conv2d
                value = conv(value.reshape(1, 1, 1, -1), next(others), stride=stride,
                             padding=(0, width // 2))
            elif kind == "gather":
                if value.ndim == 0:
                    value = value.reshape(1)
                value = value[next(others)]
            else:
                value = torch.softmax(value, -1) if torch_side else F.softmax(value, -1)
        return value

    if library == "torch":
        return body(*[torch.from_numpy(a) for a in arrays]).numpy()
    tensors = [tc.tensor(a) for a in arrays]
    if library == "eager":
        return body(*tensors).numpy()
    return tc.jit.trace(body)(*tensors).numpy()


def _shape_op(lib, name, value):
    if name == "transpose":
        return value.T if value.ndim == 2 else value
    if name == "flatten":
        return value.reshape(-1)
    return value.unsqueeze(0)


WORKER = r"""
import pickle, sys, traceback
sys.path.insert(0, {here!r})
import test_differential as suite
out = sys.stdout.buffer
for seed in range({start}, {stop}):
    try:
        results = {{lib: suite.run_graph(seed, lib) for lib in ("torch", "eager", "compiled")}}
        message = (seed, "ran", results)
    except Exception as error:
        message = (seed, "error", f"{{type(error).__name__}}: {{error}}\n"
                                  f"{{traceback.format_exc()[-800:]}}")
    blob = pickle.dumps(message)
    out.write(len(blob).to_bytes(8, "little") + blob)
    out.flush()
"""


def _run_graphs(seeds):
    """{seed: (outcome, detail)}, each graph run in a worker process: a graph
    that kills its worker is counted as a crash and the next worker goes on
    after it (forking pytest itself could deadlock on its threads' locks)."""
    import subprocess
    import sys
    from pathlib import Path

    outcomes, start, stop = {}, seeds[0], seeds[-1] + 1
    while start < stop:
        # A fresh worker every 200 graphs bounds what one crash costs and
        # what the eager kernel caches of one process hold.
        end = min(stop, start + 200)
        script = WORKER.format(here=str(Path(__file__).parent), start=start, stop=end)
        worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        stream = worker.stdout
        while True:
            header = stream.read(8)
            if len(header) < 8:
                break
            seed, outcome, detail = pickle.loads(stream.read(int.from_bytes(header, "little")))
            outcomes[seed] = (outcome, detail)
            start = seed + 1
        worker.wait()
        if start < end:  # the worker died on graph `start`
            stderr = worker.stderr.read().decode(errors="replace")[-300:]
            outcomes[start] = ("crash", f"exit {worker.returncode}: {stderr}")
            start += 1
    return outcomes


def _mismatch(results, dtype):
    reference = results["torch"].astype(np.float64)
    tolerance = 2e-2 if dtype == np.float16 else 1e-4
    for side in ("eager", "compiled"):
        got = results[side].astype(np.float64)
        if got.shape != reference.shape:
            return f"{side}: shape {got.shape} != {reference.shape}"
        try:
            np.testing.assert_allclose(got, reference, rtol=tolerance, atol=tolerance)
        except AssertionError as error:
            return f"{side}: {str(error)[:600]}"
    return None


def test_random_graphs_agree_with_pytorch():
    counts = {"graphs": 0, "crashes": 0, "mismatches": 0, "errors": 0}
    failures = []
    seeds = [SEED * 1_000_003 + index for index in range(GRAPHS)]
    outcomes = _run_graphs(seeds)
    for seed in seeds:
        outcome, detail = outcomes[seed]
        counts["graphs"] += 1
        if outcome == "crash":
            counts["crashes"] += 1
            failures.append(f"graph {seed}: crashed ({detail})")
        elif outcome == "error":
            counts["errors"] += 1
            failures.append(f"graph {seed}: {detail}")
        else:
            problem = _mismatch(detail, make_graph(seed)[0])
            if problem:
                counts["mismatches"] += 1
                failures.append(f"graph {seed} {make_graph(seed)[2]}: {problem}")
    print(f"differential: seed {SEED}: {counts}")
    assert not failures, "\n".join(failures[:10])
