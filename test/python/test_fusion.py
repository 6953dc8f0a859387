"""Fusion: fused kernels compute what the unfused ops compute, the report
names the fused ops and their Python lines, and fusion=False turns it off."""

import re

import numpy as np
import pytest
import torch

import tianc as tc
from tianc import functional as F
from bench import models

rng = np.random.default_rng(0)


def _w2(x):
    return F.gelu(x * 1.5 + 0.25, "tanh") * F.sigmoid(x) + x


def _w6(x):
    return F.layer_norm(F.softmax(x, -1), [1024])


def _workloads():
    tc.manual_seed(0)
    resnet = models.ResNet18().eval()
    encoder = models.EncoderBlock()
    return {
        "W2": (_w2, rng.standard_normal(1 << 20).astype(np.float32)),
        "W5": (lambda x: encoder(x), rng.standard_normal((1, 128, 256)).astype(np.float32)),
        "W6": (_w6, rng.standard_normal((512, 1024)).astype(np.float32)),
        "W4": (lambda x: resnet(x), rng.standard_normal((1, 3, 224, 224)).astype(np.float32)),
    }


@pytest.mark.parametrize("workload", ["W2", "W5", "W6", "W4"])
def test_fused_equals_unfused(workload):
    fn, x = _workloads()[workload]
    fused = tc.jit.trace(fn, fusion=True)
    unfused = tc.jit.trace(fn, fusion=False)
    got, want = fused(tc.tensor(x)).numpy(), unfused(tc.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())
    assert fused.fusion_report(), "nothing was fused"
    assert unfused.fusion_report() == []
    assert "tian.fusion_group" not in unfused.ir("tian-optimized")


def test_w2_is_one_kernel_and_the_report_names_the_lines():
    traced = tc.jit.trace(_w2)
    traced(tc.tensor(rng.standard_normal(1024).astype(np.float32)))
    report = traced.fusion_report()
    assert len(report) == 1
    ops = [op for op, _ in report[0]["ops"]]
    assert ops.count("tian.mul") == 2 and "tian.gelu" in ops and "tian.sigmoid" in ops
    assert all(where.endswith(f"test_fusion.py:{_w2.__code__.co_firstlineno + 1}")
               for _, where in report[0]["ops"])
    # One loop nest: a single linalg.generic in the lowered function.
    assert traced.ir("linalg").count("linalg.generic") == 1
    printed = traced.fusion_report(printed=True)
    assert "1 fused kernel" in printed and "tian.gelu" in printed


def test_softmax_is_one_row_loop():
    traced = tc.jit.trace(lambda x: F.softmax(x, -1))
    x = rng.standard_normal((8, 32)).astype(np.float32)
    got = traced(tc.tensor(x)).numpy()
    e = np.exp(x - x.max(-1, keepdims=True))
    np.testing.assert_allclose(got, e / e.sum(-1, keepdims=True), rtol=1e-6)
    report = traced.fusion_report()
    assert [[op for op, _ in g["ops"]] for g in report] == [
        ["tian.reduce_max", "tian.sub", "tian.exp", "tian.reduce_sum", "tian.div", "tian.mul"]]
    assert report[0]["rows"] == 1
    linalg = traced.ir("linalg")
    assert linalg.count("scf.forall (") == 1 and linalg.count("math.exp") == 1


@pytest.mark.parametrize("shape", [(3, 5, 7), (1, 1), (6, 1), (1, 4096), (3, 70000)],
                         ids=lambda s: "x".join(map(str, s)))
def test_row_loops_match_torch_on_any_shape(shape):
    """Row loops over several leading dims, one-element rows, a single row,
    and rows too large for the stack (their buffers stay on the heap)."""
    x = rng.standard_normal(shape).astype(np.float32) * 4
    w = rng.standard_normal(shape[-1]).astype(np.float32)
    b = rng.standard_normal(shape[-1]).astype(np.float32)

    def model(x, w, b):
        return (F.log_softmax(x, -1), F.layer_norm(F.softmax(x, -1) * 3 + x, [shape[-1]], w, b))

    traced = tc.jit.trace(model)
    got = [t.numpy() for t in traced(tc.tensor(x), tc.tensor(w), tc.tensor(b))]
    tx = torch.from_numpy(x)
    want = [torch.log_softmax(tx, -1).numpy(),
            torch.nn.functional.layer_norm(torch.softmax(tx, -1) * 3 + tx, [shape[-1]],
                                           torch.from_numpy(w), torch.from_numpy(b)).numpy()]
    for g, t in zip(got, want):
        np.testing.assert_allclose(g, t, rtol=1e-4, atol=2e-5)
    if shape[-1] > 1:
        # log_softmax shares max, exp and sum with softmax (CSE): one row
        # loop computes softmax and the LayerNorm and also yields what
        # log_softmax reads.
        loops = [g for g in traced.fusion_report() if g["rows"]]
        assert len(loops) == 1 and loops[0]["rows"] == len(shape) - 1
        assert len(loops[0]["ops"]) == 19


def test_epilogue_fusion_matches_torch():
    """matmul + bias + GELU, and conv2d + batch norm + residual + ReLU, as
    row and plane loops."""
    x = rng.standard_normal((32, 48)).astype(np.float32)
    w = rng.standard_normal((48, 40)).astype(np.float32)
    bias = rng.standard_normal(40).astype(np.float32)
    img = rng.standard_normal((2, 8, 12, 12)).astype(np.float32)
    k = rng.standard_normal((8, 8, 3, 3)).astype(np.float32) * 0.2
    scale = rng.standard_normal((8, 1, 1)).astype(np.float32)

    def model(x, w, bias, img, k, scale):
        return (F.gelu(x @ w + bias, "tanh"),
                F.relu(F.conv2d(img, k, padding=1) * scale + img))

    t = [torch.from_numpy(a) for a in (x, w, bias, img, k, scale)]
    want = [torch.nn.functional.gelu(t[0] @ t[1] + t[2], approximate="tanh").numpy(),
            torch.relu(torch.nn.functional.conv2d(t[3], t[4], padding=1) * t[5] + t[3]).numpy()]
    # Row and plane loops: the contractions compute their result a row at a time.
    traced = tc.jit.trace(model, matmul_kernels=False)
    got = [t.numpy() for t in traced(*map(tc.tensor, (x, w, bias, img, k, scale)))]
    for g, r in zip(got, want):
        np.testing.assert_allclose(g, r, rtol=1e-4, atol=1e-5)
    assert sorted(g["rows"] for g in traced.fusion_report()) == [1, 2]
    ops = [op for g in traced.fusion_report() for op, _ in g["ops"]]
    assert "tian.matmul" in ops and "tian.conv2d" in ops
    # The default: blocked kernels for both, the epilogues one fused loop each.
    blocked = tc.jit.trace(model)
    got = [t.numpy() for t in blocked(*map(tc.tensor, (x, w, bias, img, k, scale)))]
    for g, r in zip(got, want):
        np.testing.assert_allclose(g, r, rtol=1e-4, atol=1e-5)
    assert sorted(g["rows"] for g in blocked.fusion_report()) == [0, 0]
    assert "vector<8xf32>" in blocked.ir("bufferized") or "vector<16xf32>" in blocked.ir("bufferized")


def test_threads_agree_and_survive_collected_functions():
    """Parallel loops on tianc's thread pool (the default): the same results
    as one thread, and a collected compiled function must not tear down the
    thread pool (or code) the others use."""
    import gc

    x = tc.tensor(rng.standard_normal((256, 1024)).astype(np.float32))
    single = tc.jit.trace(_w6, threads=False)
    want = single(x).numpy()
    assert "llvm.call @tianc_parallel_for" not in single.ir("llvm-dialect")
    first = tc.jit.trace(_w2, threads=True)
    first(x)
    assert "llvm.call @tianc_parallel_for" in first.ir("llvm-dialect")
    del first
    gc.collect()
    threaded = tc.jit.trace(_w6)
    np.testing.assert_allclose(threaded(x).numpy(), want, rtol=1e-6, atol=1e-6)
    assert "llvm.call @tianc_parallel_for" in threaded.ir("llvm-dialect")


_FORK_SCRIPT = """
import os, sys
import numpy as np
import tianc as tc
from tianc import functional as F
x = tc.tensor(np.full((1024, 1024), 0.5, np.float32))
traced = tc.jit.trace(lambda x: F.exp(x) + 1)
before = traced(x).numpy()
eager = F.exp(x).numpy()  # a threaded eager kernel
pid = os.fork()
if pid == 0:
    ok = (np.array_equal(traced(x).numpy(), before) and np.array_equal(F.exp(x).numpy(), eager)
          and "llvm.call @tianc_parallel_for" not in traced.ir("llvm-dialect"))
    os._exit(0 if ok else 3)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_forked_child_runs_single_threaded():
    """The thread pool's workers do not survive fork(): a child must not
    wait for them (it hung), but recompile what it runs on one thread."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", _FORK_SCRIPT], capture_output=True, text=True,
                         timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]


def test_threads_only_for_loops_with_enough_work():
    small = tc.jit.trace(lambda x: F.exp(x) + 1)
    small(tc.tensor(np.ones((16, 16), np.float32)))
    assert "llvm.call @tianc_parallel_for" not in small.ir("llvm-dialect")
    large = tc.jit.trace(lambda x: F.exp(x) + 1)
    got = large(tc.tensor(np.ones((1024, 1024), np.float32))).numpy()
    assert "llvm.call @tianc_parallel_for" in large.ir("llvm-dialect")
    np.testing.assert_allclose(got, np.e + 1, rtol=1e-6)


def test_output_buffers_are_reused_only_when_free():
    from tianc.compiler import jit as compiled

    traced = tc.jit.trace(lambda x: x * 2)
    x = tc.tensor(np.ones(1 << 19, np.float32))  # 2 MiB: pooled
    first = traced(x).numpy()
    view = first[:4]  # a view outlives its array
    address = first.__array_interface__["data"][0]
    del first
    second = traced(x).numpy()
    assert second.__array_interface__["data"][0] != address  # the view still holds it
    np.testing.assert_array_equal(view, 2)
    del view
    third_address = second.__array_interface__["data"][0]
    del second
    assert traced(x).numpy().__array_interface__["data"][0] in (address, third_address)
    assert compiled._outputs.waiting <= compiled._outputs.limit


@pytest.mark.parametrize("n", [3, 31, 64, 1000, 4099], ids=str)
def test_vector_loops_and_their_remainders(n):
    """tian-vectorize-loops: elementwise chains and row reductions run as
    vector-dialect loops (64 f32 lanes, halved down to 4 for shorter rows)
    plus a scalar loop for the rest; lengths below, at and off a multiple
    of the lanes."""
    x = (rng.standard_normal((3, n)) * 3).astype(np.float32)
    w2 = tc.jit.trace(_w2, threads=False)
    got = w2(tc.tensor(x)).numpy()
    tx = torch.from_numpy(x)
    want = (torch.nn.functional.gelu(tx * 1.5 + 0.25, approximate="tanh") * torch.sigmoid(tx)
            + tx).numpy()
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)

    rows = tc.jit.trace(lambda x: (F.softmax(x, -1), x.sum(-1), x.max(-1)), threads=False)
    softmax, total, biggest = (t.numpy() for t in rows(tc.tensor(x)))
    np.testing.assert_allclose(softmax, torch.softmax(tx, -1).numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(total, x.astype(np.float64).sum(-1), rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(biggest, x.max(-1))

    lanes = 64
    while lanes > n and lanes > 4:
        lanes //= 2
    vectorized = n >= lanes
    for traced in (w2, rows):
        code = traced.ir("llvm-dialect")
        assert (f"vector<{lanes}xf32>" in code) == vectorized
        assert re.search(r"vector<(?!%d)\d+xf32>" % lanes, code) is None
    assert ("llvm.intr.vector.reduce.fadd" in rows.ir("llvm-dialect")) == vectorized


def test_vector_max_keeps_nan_and_signed_zero():
    """The vectorized row max is arith.maximumf's: NaN anywhere in the row
    wins, and +0 is larger than -0, wherever they fall among the lanes and
    the scalar remainder."""
    x = np.full((4, 70), -0.0, np.float32)
    x[0, 3] = np.nan          # in a vector step
    x[1, 69] = np.nan         # in the scalar remainder
    x[2, 40] = 0.0            # +0 among -0s
    traced = tc.jit.trace(lambda x: x.max(-1), threads=False)
    got = traced(tc.tensor(x)).numpy()
    assert np.isnan(got[0]) and np.isnan(got[1])
    assert got[2] == 0 and not np.signbit(got[2])
    assert got[3] == 0 and np.signbit(got[3])


def test_streaming_stores_only_where_aligned():
    """A 16 MiB output is written with non-temporal stores when its address
    is 64-byte aligned (tianc's output buffers are) and with ordinary
    stores otherwise: both give the same result."""
    from tianc._native._tian import invoke

    x = rng.standard_normal(1 << 22).astype(np.float32)
    traced = tc.jit.trace(lambda x: F.exp(x) * 2 - x, threads=False)
    want = np.exp(x.astype(np.float64)) * 2 - x
    got = traced(tc.tensor(x)).numpy()
    assert got.ctypes.data % 64 == 0
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert "nontemporal" in traced.ir("llvm-dialect")
    storage = np.zeros(x.size + 1, np.float32)
    misaligned = storage[1:] if storage[1:].ctypes.data % 64 else storage[:-1]
    misaligned[...] = np.nan
    invoke(traced._last.kernel._address, (x, misaligned))
    np.testing.assert_allclose(misaligned, want, rtol=1e-6, atol=1e-6)


def test_merged_divisions_over_the_whole_range():
    """tian-merge-divisions: a GELU times a sigmoid is one division by the
    product of their denominators, SiLU one division; near 0, at the ends
    of the f32 range, at the infinities and NaN the results stay those of
    float64 references (torch's for the NaN positions)."""
    big = np.finfo(np.float32).max
    x = np.concatenate([np.linspace(-120, 120, 4801), [-big, -1e30, -1e-30, 0.0, -0.0, 1e-30, 1e30, big],
                        [np.inf, -np.inf, np.nan]]).astype(np.float32)
    chains = {
        "gelu*sigmoid": (lambda x: F.gelu(x, "tanh") * F.sigmoid(x),
                         lambda t: torch.nn.functional.gelu(t, approximate="tanh") * torch.sigmoid(t)),
        "silu": (lambda x: x * F.sigmoid(x), lambda t: t * torch.sigmoid(t)),
        "sigmoid^2": (lambda x: F.sigmoid(x) * F.sigmoid(x * 2), lambda t: torch.sigmoid(t) * torch.sigmoid(t * 2)),
    }
    for name, (fn, reference) in chains.items():
        traced = tc.jit.trace(fn, threads=False)
        got = traced(tc.tensor(x)).numpy()
        want = reference(torch.from_numpy(x.astype(np.float64))).numpy()
        assert np.array_equal(np.isnan(got), np.isnan(want)), name
        finite = ~np.isnan(want)
        # 1e-6 relative; 1e-15 absolute for the reference's own error where
        # 1 + tanh(z) cancels (x below -8: tiny GELUs, exact in tianc's form).
        np.testing.assert_allclose(got[finite], want[finite], rtol=1e-6, atol=1e-15, err_msg=name)
        # One division in the vector loop and one in its scalar remainder.
        assert traced.ir("llvm-dialect").count("llvm.fdiv") == 2, name
