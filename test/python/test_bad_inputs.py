"""Inputs users really write that once gave silently wrong results or took
the process down (issue 15): each reproducer is a test, in eager and compiled
mode, against NumPy or PyTorch."""

import numpy as np
import pytest
import torch

import tianc as tc
from tianc import functional as F

nan, inf = float("nan"), float("inf")


# ---------------------------------------------------------------------------
# Indexing with tensors: negative counts from the end
# ---------------------------------------------------------------------------

def test_negative_tensor_index_counts_from_the_end():
    values = np.arange(10, dtype=np.float32) * 3
    x = tc.tensor(values)
    index = np.array([-1, 0, -10, 4])
    np.testing.assert_array_equal(x[tc.tensor(index)].numpy(), values[index])
    gather = tc.jit.trace(lambda x, i: x[i])
    np.testing.assert_array_equal(gather(x, tc.tensor(index)).numpy(), values[index])


def test_negative_indices_of_rows_and_their_gradient():
    table = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    index = np.array([[-1, 2], [-5, -1]])
    weight = tc.tensor(table, requires_grad=True)
    out = F.embedding(tc.tensor(index), weight)
    (out * out).sum().backward()
    reference = torch.tensor(table, requires_grad=True)
    expected = reference[torch.tensor(index)]
    (expected * expected).sum().backward()
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy())
    np.testing.assert_allclose(weight.grad.numpy(), reference.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("bad", [10, -11, 1000])
def test_out_of_range_index_is_an_eager_error(bad):
    x = tc.zeros(10)
    with pytest.raises(tc.TianError, match=rf"index {bad} is out of range for dimension 0 "
                                           r"of size 10 \(valid: -10 to 9\)"):
        x[tc.tensor([0, bad])]


def test_out_of_range_index_in_compiled_code_is_clamped():
    # Documented (docs/ops.md): compiled code cannot raise on a value, and
    # never reads outside the tensor.
    values = np.arange(4, dtype=np.float32)
    gather = tc.jit.trace(lambda x, i: x[i])
    out = gather(tc.tensor(values), tc.tensor([7, -9, 2]))
    np.testing.assert_array_equal(out.numpy(), [3.0, 0.0, 2.0])


# ---------------------------------------------------------------------------
# cross_entropy: ignore_index, bad targets, probabilities
# ---------------------------------------------------------------------------

def _logits(*shape):
    return np.random.default_rng(1).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_ignores_padding_labels(reduction):
    logits, target = _logits(4, 5), np.array([1, -100, 3, -100])
    expected = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(target),
                                                 reduction=reduction)
    eager = F.cross_entropy(tc.tensor(logits), tc.tensor(target), reduction=reduction)
    traced = tc.jit.trace(lambda a, b: F.cross_entropy(a, b, reduction=reduction))
    for out in (eager, traced(tc.tensor(logits), tc.tensor(target))):
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_cross_entropy_of_only_ignored_labels_is_nan_as_in_pytorch():
    out = F.cross_entropy(tc.tensor(_logits(2, 3)), tc.tensor([-100, -100]))
    assert np.isnan(out.item())


def test_cross_entropy_gradient_with_ignored_labels_and_smoothing():
    logits, target = _logits(6, 4), np.array([0, 3, -100, 2, 1, -100])
    x = tc.tensor(logits, requires_grad=True)
    F.cross_entropy(x, tc.tensor(target), label_smoothing=0.1).backward()
    reference = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.cross_entropy(reference, torch.tensor(target),
                                      label_smoothing=0.1).backward()
    np.testing.assert_allclose(x.grad.numpy(), reference.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_cross_entropy_with_a_class_dimension_at_1():
    logits, target = _logits(2, 5, 3), np.array([[0, 4, -100], [2, 2, 1]])
    out = F.cross_entropy(tc.tensor(logits), tc.tensor(target), reduction="none")
    expected = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(target),
                                                 reduction="none")
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_cross_entropy_with_class_probabilities():
    logits = _logits(3, 4)
    target = np.random.default_rng(2).dirichlet(np.ones(4), 3).astype(np.float32)
    for smoothing in (0.0, 0.2):
        out = F.cross_entropy(tc.tensor(logits), tc.tensor(target), label_smoothing=smoothing)
        expected = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(target),
                                                     label_smoothing=smoothing)
        np.testing.assert_allclose(out.item(), expected.item(), rtol=1e-5)


@pytest.mark.parametrize("target", [[0, 5], [-1, 0], [-101, 2]])
def test_cross_entropy_target_out_of_range_is_an_error(target):
    with pytest.raises(tc.TianError, match=r"cross_entropy: target -?\d+ is out of range for "
                                           r"5 classes"):
        F.cross_entropy(tc.tensor(_logits(2, 5)), tc.tensor(target))


def test_cross_entropy_rejects_mismatched_targets():
    with pytest.raises(tc.TianError, match="class-probability targets must have the logits' "
                                           r"shape \[2, 5\]"):
        F.cross_entropy(tc.tensor(_logits(2, 5)), tc.tensor([0.0, 1.0]))
    with pytest.raises(tc.TianError, match=r"targets of shape \[3\] do not match"):
        F.cross_entropy(tc.tensor(_logits(2, 5)), tc.tensor([0, 1, 2]))


# ---------------------------------------------------------------------------
# tc.tensor copies; from_numpy and as_tensor share
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.float64, np.int32])
def test_tensor_copies_the_callers_array(dtype):
    buffer = np.zeros(3, dtype)
    batches = []
    for step in range(3):
        buffer[:] = step
        batches.append(tc.tensor(buffer))
    assert [b.tolist() for b in batches] == [[0, 0, 0], [1, 1, 1], [2, 2, 2]]


def test_optimizer_step_leaves_the_users_array_alone():
    initial = np.ones((2, 2), np.float32)
    weight = tc.tensor(initial, requires_grad=True)
    (weight * weight).sum().backward()
    tc.optim.SGD([weight], lr=0.1).step()
    np.testing.assert_array_equal(initial, np.ones((2, 2), np.float32))
    assert not np.array_equal(weight.numpy(), initial)


def test_from_numpy_and_as_tensor_share_memory():
    array = np.zeros(3, np.float32)
    shared, maybe = tc.from_numpy(array), tc.as_tensor(array)
    array[0] = 5
    assert shared.tolist() == [5, 0, 0] and maybe.tolist() == [5, 0, 0]
    shared.assign_(tc.tensor([1.0, 2.0, 3.0]))
    assert array.tolist() == [1, 2, 3]
    # as_tensor copies what it cannot share, like torch.as_tensor.
    doubles = np.zeros(2)
    converted = tc.as_tensor(doubles)
    doubles[0] = 1
    assert converted.dtype == tc.float32 and converted.tolist() == [0, 0]


def test_from_numpy_refuses_what_it_cannot_share():
    with pytest.raises(TypeError, match="no float64 tensors"):
        tc.from_numpy(np.zeros(2))
    with pytest.raises(ValueError, match="not C-contiguous"):
        tc.from_numpy(np.zeros((3, 4), np.float32)[:, ::2])


# ---------------------------------------------------------------------------
# Reductions on NaN, inf and signed zeros, against NumPy
# ---------------------------------------------------------------------------

SPECIAL_ROWS = [
    [1.0, nan, 3.0], [nan, nan, 1.0], [nan, 2.0, nan], [-inf, -inf, -inf], [inf, 1.0, inf],
    [-0.0, 0.0, -0.0], [0.0, -0.0, 0.0], [3.0, 3.0, 1.0], [-inf, nan, inf],
]


@pytest.mark.parametrize("name,reference", [
    ("argmax", lambda a: np.argmax(a, -1)),
    ("sum", lambda a: np.sum(a, -1)), ("mean", lambda a: np.mean(a, -1)),
    ("max", lambda a: np.max(a, -1)), ("min", lambda a: np.min(a, -1)),
    ("prod", lambda a: np.prod(a, -1)),
])
def test_reductions_on_special_values_match_numpy(name, reference):
    values = np.array(SPECIAL_ROWS, np.float32)
    expected = reference(values)
    eager = getattr(tc.tensor(values), name)(-1)
    traced = tc.jit.trace(lambda x: getattr(x, name)(-1))(tc.tensor(values))
    for out in (eager, traced):
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)  # NaN where NumPy has NaN
        # The sign of a zero sum too. max/min follow IEEE 754-2019 (+0 > -0),
        # where NumPy and PyTorch keep whichever zero came first (docs/ops.md).
        if name == "sum":
            np.testing.assert_array_equal(np.signbit(out.numpy()), np.signbit(expected))


def test_argmax_of_a_whole_tensor_with_nan():
    assert tc.tensor([1.0, nan, 3.0]).argmax().item() == 1
    assert tc.tensor([[1.0, 2.0], [nan, nan]]).argmax().item() == 2


# ---------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------

def test_dropout_with_p_one_gives_zeros():
    x = tc.ones(4, 3)
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros((4, 3), np.float32))
    with pytest.raises(tc.TianError, match=r"dropout: p must be in \[0, 1\], got 1.5"):
        F.dropout(x, 1.5)


# ---------------------------------------------------------------------------
# fork
# ---------------------------------------------------------------------------

FORK_SCRIPT = r"""
import os, sys
import numpy as np
import tianc as tc
from tianc.compiler import cache

a = tc.randn(128, 128)
step = tc.jit.trace(lambda x: (x @ x).sum(-1))
expected = step(a).numpy()
x = tc.ones(3) * 2          # an eager kernel, stored in the cache
cache.flush()
pid = os.fork()
if pid == 0:
    # The child compiles new code (stored by its own linker thread) and
    # exits through atexit, which waits for that store.
    y = tc.ones(4).exp()
    g = tc.jit.trace(lambda x: (x @ x.T).relu())
    b = tc.randn(60, 40)
    ok = np.allclose(g(b).numpy(), np.maximum(b.numpy() @ b.numpy().T, 0), rtol=1e-4, atol=1e-4)
    ok = ok and np.allclose(step(a).numpy(), expected, rtol=1e-5)
    sys.exit(0 if ok and abs(y.tolist()[0] - 2.7182817) < 1e-5 else 3)
_, status = os.waitpid(pid, 0)
print("child exit", os.waitstatus_to_exitcode(status))
"""


@pytest.mark.parametrize("cached", [False, True])
def test_a_forked_child_compiles_and_exits(tmp_path, cached):
    import os
    import subprocess
    import sys

    env = dict(os.environ, TIANC_CACHE_DIR=str(tmp_path / "cache"))
    for _ in range(2 if cached else 1):  # the second run forks with everything cached
        result = subprocess.run([sys.executable, "-c", FORK_SCRIPT], env=env, timeout=240,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().endswith("child exit 0"), result.stdout + result.stderr


# ---------------------------------------------------------------------------
# Out of memory in compiled code
# ---------------------------------------------------------------------------

def _petabyte_product(a, b):
    # A 2^24 x 2^24 product: 1 PiB of temporaries, more than any address
    # space holds, so malloc fails whatever the overcommit policy.
    n = 1 << 24
    return (a.expand(n, 1) @ b.expand(1, n)).sum()


def test_compiled_temporaries_that_do_not_fit_raise_memory_error():
    step = tc.jit.trace(_petabyte_product)
    with pytest.raises(MemoryError, match="could not allocate 1125900041060352 bytes"):
        step(tc.ones(1, 1), tc.ones(1, 1))
    # Nothing is left behind: the next call fails the same way, and other
    # compiled code runs as before.
    with pytest.raises(MemoryError):
        step(tc.ones(1, 1), tc.ones(1, 1))
    assert tc.jit.trace(lambda x: (x * 2).sum())(tc.ones(3)).item() == 6.0


# ---------------------------------------------------------------------------
# Tensors with a dimension of size 0
# ---------------------------------------------------------------------------

def _t(shape):
    return np.random.default_rng(3).standard_normal(shape).astype(np.float32)


EMPTY_CASES = {
    "softmax": (lambda x: F.softmax(x, -1), lambda x: torch.softmax(x, -1), [(3, 0)]),
    "log_softmax": (lambda x: F.log_softmax(x, -1), lambda x: torch.log_softmax(x, -1),
                    [(3, 0)]),
    "layer_norm": (lambda x: F.layer_norm(x, [0]), lambda x: torch.nn.functional.layer_norm(x, [0]),
                   [(3, 0)]),
    "mean_keepdim": (lambda x: x.mean(-1, keepdim=True), lambda x: x.mean(-1, keepdim=True),
                     [(3, 0)]),
    "exp": (lambda x: x.exp(), lambda x: x.exp(), [(4, 0)]),
    "sum": (lambda x: x.sum(-1), lambda x: x.sum(-1), [(4, 0)]),
    "sum_all": (lambda x: x.sum(), lambda x: x.sum(), [(0, 3)]),
    "sum_nonempty_axis": (lambda x: x.sum(0), lambda x: x.sum(0), [(4, 0)]),
    "prod": (lambda x: x.prod(-1), lambda x: x.prod(-1), [(3, 0)]),
    "matmul_k0": (lambda a, b: a @ b, lambda a, b: a @ b, [(3, 0), (0, 2)]),
    "matmul_m0": (lambda a, b: a @ b, lambda a, b: a @ b, [(0, 3), (3, 2)]),
    "transpose": (lambda x: x.T, lambda x: x.T, [(4, 0)]),
    "reshape": (lambda x: x.reshape(0, 2), lambda x: x.reshape(0, 2), [(4, 0)]),
    "concat": (lambda a, b: tc.cat([a, b], 0), lambda a, b: torch.cat([a, b], 0),
               [(2, 3), (0, 3)]),
    "slice": (lambda x: x[1:3], lambda x: x[1:3], [(4, 0)]),
    "broadcast_add": (lambda a, b: a + b, lambda a, b: a + b, [(4, 0), (4, 1)]),
    # A sum over 0 input channels is 0, as a matmul with K = 0 is (PyTorch's
    # conv2d returns 0 output channels here instead: docs/ops.md).
    "conv_no_channels": (lambda x, w: F.conv2d(x, w), lambda x, w: torch.zeros(1, 2, 2, 2),
                         [(1, 0, 4, 4), (2, 0, 3, 3)]),
    "conv_empty_batch": (lambda x, w: F.relu(F.conv2d(x, w, padding=1)),
                         lambda x, w: torch.relu(torch.nn.functional.conv2d(x, w, padding=1)),
                         [(0, 3, 5, 5), (4, 3, 3, 3)]),
}


@pytest.mark.parametrize("name", EMPTY_CASES)
def test_ops_on_empty_tensors_match_pytorch(name):
    ours, theirs, shapes = EMPTY_CASES[name]
    arrays = [_t(shape) for shape in shapes]
    expected = theirs(*[torch.tensor(a) for a in arrays]).numpy()
    eager = ours(*[tc.tensor(a) for a in arrays])
    traced = tc.jit.trace(ours)(*[tc.tensor(a) for a in arrays])
    for out in (eager, traced):
        assert out.shape == expected.shape
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("reduce", ["max", "min", "argmax"])
def test_reductions_without_identity_over_nothing_are_errors(reduce):
    with pytest.raises(tc.TianError, match=r"cannot reduce axis 1 of size 0 of \[3, 0\]"):
        getattr(tc.zeros(3, 0), reduce)(-1)
    with pytest.raises(tc.TianError, match="of size 0"):
        tc.jit.trace(lambda x: getattr(x, reduce)(-1))(tc.zeros(3, 0))
    # Over a non-empty axis of an empty tensor the result is empty, not an error.
    assert getattr(tc.zeros(0, 3), reduce)(-1).shape == (0,)


def test_argmax_of_an_empty_tensor_is_an_error():
    with pytest.raises(tc.TianError, match="cannot reduce axis 0 of size 0"):
        tc.zeros(0).argmax()


def test_gradients_through_empty_tensors():
    x = tc.tensor(np.zeros((0, 3), np.float32), requires_grad=True)
    w = tc.tensor(_t((3, 2)), requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad.shape == (0, 3)
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((3, 2), np.float32))


def test_the_cpu_pipeline_never_leaves_a_half_lowered_module(tmp_path):
    import subprocess
    from pathlib import Path

    source = tmp_path / "empty.mlir"
    source.write_text("func.func @f(%a: tensor<4x0xf32>) -> tensor<4x0xf32> {\n"
                      "  %0 = tian.exp %a : tensor<4x0xf32>\n"
                      "  return %0 : tensor<4x0xf32>\n}\n")
    tian_opt = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "tian-opt"
    run = subprocess.run([str(tian_opt), str(source), "--tian-cpu-pipeline"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "func.func" not in run.stdout and "llvm.func @f(%arg0: !llvm.ptr" in run.stdout


# ---------------------------------------------------------------------------
# Found by the differential suite
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(2, 17, 3), (2, 33, 3), (3, 33, 4), (2, 40, 3), (5, 7, 2, 3)])
def test_sum_over_the_outer_axis_with_threads(shape):
    # upstream async-parallel-for redid rows of a 2-d parallel loop inside the
    # reduction's sequential loop: sum(0) of a 2x17x3 tensor was off by 11.7.
    values = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(tc.tensor(values).sum(0).numpy(), values.sum(0),
                               rtol=1e-5, atol=1e-5)
    traced = tc.jit.trace(lambda x: x.mean(0))(tc.tensor(values))
    np.testing.assert_allclose(traced.numpy(), values.mean(0), rtol=1e-5, atol=1e-5)


def test_inf_minus_inf_after_a_fused_exp_is_nan():
    # The fast exp's last multiply was contracted into the subtraction (an
    # fma, whose product does not overflow): exp(inf) - inf gave -inf, and
    # exp of that 0, where PyTorch gives NaN. Found by the differential suite.
    a = np.full(40, np.inf, np.float32)
    a[1], a[2] = 89.0, 1.0
    b = np.full(40, np.inf, np.float32)
    expected = torch.exp(torch.exp(torch.tensor(a)) - torch.tensor(b)).numpy()
    traced = tc.jit.trace(lambda x, y: (x.exp() - y).exp())(tc.tensor(a), tc.tensor(b))
    np.testing.assert_array_equal(traced.numpy(), expected)


def test_erf_keeps_the_sign_of_zero():
    # Found by the differential suite: erf(-0) was +0, so rsqrt(erf(-0)) was +inf.
    x = tc.tensor(np.array([-0.0, 0.0, -1e-30, 2.0], np.float32))
    for result in (F.erf(x).numpy(), tc.jit.trace(lambda v: F.erf(v))(x).numpy()):
        np.testing.assert_array_equal(np.signbit(result), [True, False, True, False])
    assert F.rsqrt(F.erf(x)).numpy()[0] == -np.inf
