"""tian-block-matmuls: matmuls and convolutions on the blocked kernels,
against PyTorch, over shapes that leave edge tiles everywhere (1, 7, 33,
257), transposed operands, batches, strides and groups; compiled and eager."""

import numpy as np
import pytest
import torch

import tianc as tc
from tianc import functional as F

rng = np.random.default_rng(7)


def _close(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    scale = np.abs(want).max() + 1e-30
    assert np.abs(got - want).max() / scale < 1e-5, np.abs(got - want).max() / scale


def _blocked(traced):
    return "vector<" in traced.ir("bufferized")


@pytest.mark.parametrize("m,k,n", [(1, 7, 33), (7, 33, 257), (33, 257, 7), (257, 1, 33),
                                   (64, 784, 1024), (100, 600, 50), (6, 16, 16)])
@pytest.mark.parametrize("layout", ["nn", "nt", "tn", "tt"])
def test_matmul_matches_torch(m, k, n, layout):
    a = rng.standard_normal((k, m) if layout[0] == "t" else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if layout[1] == "t" else (k, n)).astype(np.float32)

    def product(a, b):
        return ((a.permute(1, 0) if layout[0] == "t" else a)
                @ (b.permute(1, 0) if layout[1] == "t" else b))
    traced = tc.jit.trace(product)
    want = product(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    _close(traced(tc.tensor(a), tc.tensor(b)).numpy(), want)
    if m >= 2 and n >= 8 and m * n * k >= 32768:
        assert _blocked(traced)
    _close(product(tc.tensor(a), tc.tensor(b)).numpy(), want)  # eager


@pytest.mark.parametrize("batch_a,batch_b", [((3,), (3,)), ((1,), (4,)), ((2, 3), (1, 3)),
                                             ((), (5,)), ((1,), (1,))])
def test_batched_matmul_broadcasts(batch_a, batch_b):
    a = rng.standard_normal((*batch_a, 33, 65)).astype(np.float32)
    b = rng.standard_normal((*batch_b, 65, 40)).astype(np.float32)
    traced = tc.jit.trace(lambda a, b: a @ b)
    want = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
    _close(traced(tc.tensor(a), tc.tensor(b)).numpy(), want)
    assert _blocked(traced)


def test_attention_scores_and_linear_with_epilogues():
    """q @ k^T per head, softmax, @ v, then a Linear with bias and GELU."""
    q, k, v = (rng.standard_normal((4, 128, 64)).astype(np.float32) for _ in range(3))
    w = rng.standard_normal((96, 64)).astype(np.float32) * 0.1
    bias = rng.standard_normal(96).astype(np.float32)

    def block(q, k, v, w, bias):
        scores = F.softmax(q @ k.permute(0, 2, 1) * 0.125, -1)
        return F.gelu(F.linear(scores @ v, w, bias), "tanh")

    def torch_block(q, k, v, w, bias):
        scores = torch.softmax(q @ k.permute(0, 2, 1) * 0.125, -1)
        return torch.nn.functional.gelu(torch.nn.functional.linear(scores @ v, w, bias),
                                        approximate="tanh")
    arrays = (q, k, v, w, bias)
    traced = tc.jit.trace(block)
    got = traced(*map(tc.tensor, arrays)).numpy()
    np.testing.assert_allclose(got, torch_block(*map(torch.from_numpy, arrays)).numpy(),
                               rtol=1e-4, atol=1e-5)
    assert _blocked(traced)


def test_constant_weights_and_threads_agree():
    """Weights captured as constants, one thread and two: the same numbers."""
    x = rng.standard_normal((70, 300)).astype(np.float32)
    w = tc.tensor(rng.standard_normal((300, 130)).astype(np.float32))
    one = tc.jit.trace(lambda x: F.relu(x @ w), capture_as_const=True, threads=False)
    two = tc.jit.trace(lambda x: F.relu(x @ w), capture_as_const=True, threads=True)
    want = torch.relu(torch.from_numpy(x) @ torch.from_numpy(w.numpy())).numpy()
    _close(one(tc.tensor(x)).numpy(), want)
    _close(two(tc.tensor(x)).numpy(), want)


@pytest.mark.parametrize("vector_shape", [(256, 16), (512, 32)])
def test_convolution_over_constant_weights_uses_every_thread(vector_shape):
    """A convolution whose weights were packed at compile time has tasks of
    tile calls only; they are still shared among the threads (on AVX-512
    hosts ResNet-18 with constant weights ran on one thread: a call counted
    as one op of work)."""
    from tianc.compiler import pipeline

    conv = tc.nn.Conv2d(64, 64, 3, padding=1, bias=False)
    x = tc.tensor(rng.standard_normal((1, 64, 56, 56)).astype(np.float32))
    saved = pipeline._host_vector_shape
    pipeline._host_vector_shape = vector_shape  # the kernels of that host's kind
    try:
        with tc.no_grad():
            traced = tc.jit.trace(conv, capture_as_const=True, threads=True)
            got = traced(x).numpy()
    finally:
        pipeline._host_vector_shape = saved
    want = torch.nn.functional.conv2d(torch.from_numpy(x.numpy()),
                                      torch.from_numpy(conv.weight.numpy()), padding=1).numpy()
    _close(got, want)
    assert _packed_at_compile_time(traced)
    # Every tile call is made by an outlined task (a function the pool runs).
    callers = [f.split("(", 1)[0] for f in traced.ir("llvm-dialect").split("llvm.func ")[1:]
               if "llvm.call @tian_matmul_tile" in f]
    assert callers and all(name.endswith("_task") for name in callers), callers


@pytest.mark.parametrize("vector_shape", [(256, 16), (512, 32)])
@pytest.mark.parametrize("constant", [False, True])
@pytest.mark.parametrize("batch", [1, 2])
def test_narrow_convolution_output_is_computed_transposed(vector_shape, constant, batch):
    """ResNet's last stage: 7x7 = 49 output positions are two 48-wide
    AVX-512 panels, half of them padding, so over constant weights the
    product runs transposed (positions as the kernel's rows, filters as its
    columns) and one transpose copies it back to NCHW. A wide output, and
    weights as arguments, keep the direct form."""
    from tianc.compiler import pipeline

    narrow = tc.nn.Conv2d(64, 128, 3, padding=1)
    wide = tc.nn.Conv2d(8, 16, 3, padding=1)
    x = tc.tensor(rng.standard_normal((batch, 64, 7, 7)).astype(np.float32))
    y = tc.tensor(rng.standard_normal((batch, 8, 28, 28)).astype(np.float32))
    saved = pipeline._host_vector_shape
    pipeline._host_vector_shape = vector_shape
    try:
        with tc.no_grad():
            traced = tc.jit.trace(lambda a, b: (F.relu(narrow(a)), wide(b)), capture_as_const=constant)
            got = traced(x, y)
    finally:
        pipeline._host_vector_shape = saved
    for value, conv, inputs in ((got[0], narrow, x), (got[1], wide, y)):
        want = torch.nn.functional.conv2d(torch.from_numpy(inputs.numpy()),
                                          torch.from_numpy(conv.weight.numpy()),
                                          torch.from_numpy(conv.bias.numpy()), padding=1)
        _close(value.numpy(), (torch.relu(want) if conv is narrow else want).numpy())
    bufferized = traced.ir("bufferized")
    # Weights as arguments would be packed (as the kernel's B) on every call: direct.
    assert bufferized.count("linalg.transpose") == (1 if constant else 0)
    assert bufferized.count("call @tian_matmul_tile") >= 2, "both run on the blocked kernel"


def _packed_at_compile_time(traced):
    text = traced.ir("bufferized")
    return "_packed :" in text


# n = 17: an edge tile in N with 8-lane (AVX2) and 16-lane (AVX-512) kernels
# alike (tian-block-matmuls leaves products narrower than one vector alone).
@pytest.mark.parametrize("m,k,n", [(7, 33, 257), (64, 784, 1024), (257, 300, 17), (33, 1000, 40)])
@pytest.mark.parametrize("where", ["x @ w", "x @ w.T", "w @ x", "w.T @ x"])
def test_constant_operands_are_packed_at_compile_time(m, k, n, where):
    """A weight captured as a constant, on either side and either layout,
    is packed into the kernel's layout when compiling (no packing at run
    time), with edge tiles in every direction; the input it multiplies
    keeps changing between calls."""
    left = where.startswith("w")
    w_shape = (m, k) if left else (k, n)
    if ".T" in where:
        w_shape = w_shape[::-1]
    w = rng.standard_normal(w_shape).astype(np.float32)
    tw = tc.tensor(w)
    x_shape = (k, n) if left else (m, k)
    fns = {"x @ w": lambda x: x @ tw, "x @ w.T": lambda x: x @ tw.T,
           "w @ x": lambda x: tw @ x, "w.T @ x": lambda x: tw.T @ x}
    traced = tc.jit.trace(fns[where], capture_as_const=True)
    wt = torch.from_numpy(w)
    torch_fns = {"x @ w": lambda x: x @ wt, "x @ w.T": lambda x: x @ wt.T,
                 "w @ x": lambda x: wt @ x, "w.T @ x": lambda x: wt.T @ x}
    for _ in range(2):
        x = rng.standard_normal(x_shape).astype(np.float32)
        _close(traced(tc.tensor(x)).numpy(), torch_fns[where](torch.from_numpy(x)).numpy())
    assert _blocked(traced) and _packed_at_compile_time(traced)


def test_constant_batched_weight_is_packed_per_batch():
    """A constant B with its own batch dim: one packed set of panels each."""
    w = rng.standard_normal((3, 40, 50)).astype(np.float32)
    x = rng.standard_normal((3, 20, 40)).astype(np.float32)
    tw = tc.tensor(w)
    traced = tc.jit.trace(lambda x: x @ tw, capture_as_const=True)
    _close(traced(tc.tensor(x)).numpy(), (torch.from_numpy(x) @ torch.from_numpy(w)).numpy())
    assert _packed_at_compile_time(traced)


def test_constant_linear_layers_agree_with_arguments():
    """The same model with its weights as constants and as arguments."""
    model = tc.nn.Sequential(tc.nn.Linear(300, 130), tc.nn.ReLU(), tc.nn.Linear(130, 17)).eval()
    x = tc.tensor(rng.standard_normal((45, 300)).astype(np.float32))
    as_constants = tc.jit.trace(model, capture_as_const=True)
    as_arguments = tc.jit.trace(model)
    _close(as_constants(x).numpy(), as_arguments(x).numpy())
    _close(as_constants(x).numpy(), model(x).numpy())
    assert _packed_at_compile_time(as_constants) and not _packed_at_compile_time(as_arguments)


@pytest.mark.parametrize("n,c,h,w,f,kernel,stride,padding,dilation,groups", [
    (1, 3, 33, 33, 16, 7, 2, 3, 1, 1),    # ResNet's stem
    (2, 16, 15, 15, 33, 3, 1, 1, 1, 1),   # 3x3, odd channels, batch 2
    (1, 64, 7, 7, 128, 1, 2, 0, 1, 1),    # 1x1 stride 2 (a downsample)
    (1, 8, 17, 13, 8, 3, 1, 2, 2, 1),     # dilated, not square
    (1, 8, 9, 9, 8, 3, 1, 1, 1, 8),       # depthwise (direct loops)
    (1, 8, 9, 9, 12, 3, 1, 1, 1, 4),      # grouped (direct loops)
    (1, 1, 5, 5, 1, 5, 1, 0, 1, 1),       # one output element
])
def test_conv2d_matches_torch(n, c, h, w, f, kernel, stride, padding, dilation, groups):
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    weight = (rng.standard_normal((f, c // groups, kernel, kernel)) * 0.2).astype(np.float32)
    bias = rng.standard_normal(f).astype(np.float32)

    def conv(x, weight, bias):
        return F.relu(F.conv2d(x, weight, bias, stride=stride, padding=padding,
                               dilation=dilation, groups=groups))
    want = torch.relu(torch.nn.functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(weight), torch.from_numpy(bias), stride=stride,
        padding=padding, dilation=dilation, groups=groups)).numpy()
    traced = tc.jit.trace(conv)
    _close(traced(tc.tensor(x), tc.tensor(weight), tc.tensor(bias)).numpy(), want)
    _close(conv(tc.tensor(x), tc.tensor(weight), tc.tensor(bias)).numpy(), want)  # eager


def test_residual_block_trains_like_torch():
    """conv -> relu -> conv + x, backward included: the gradient convolutions
    and matmuls run on the same kernels."""
    x = rng.standard_normal((2, 8, 12, 12)).astype(np.float32)
    w1 = (rng.standard_normal((8, 8, 3, 3)) * 0.2).astype(np.float32)
    w2 = (rng.standard_normal((8, 8, 3, 3)) * 0.2).astype(np.float32)
    tw1, tw2 = (torch.from_numpy(w.copy()).requires_grad_() for w in (w1, w2))
    tx = torch.from_numpy(x)
    loss = (torch.relu(torch.nn.functional.conv2d(
        torch.relu(torch.nn.functional.conv2d(tx, tw1, padding=1)), tw2, padding=1) + tx)).sum()
    loss.backward()

    p1, p2 = tc.tensor(w1, requires_grad=True), tc.tensor(w2, requires_grad=True)

    def step(x):
        out = F.relu(F.conv2d(F.relu(F.conv2d(x, p1, padding=1)), p2, padding=1) + x).sum()
        out.backward()
        return out
    traced = tc.jit.trace(step)
    got = traced(tc.tensor(x))
    np.testing.assert_allclose(got.item(), loss.item(), rtol=1e-4)
    _close(p1.grad.numpy(), tw1.grad.numpy())
    _close(p2.grad.numpy(), tw2.grad.numpy())


def test_repeated_layers_share_their_kernels():
    """Layers of the same shapes compile to one kernel each kind
    (tian-merge-identical-kernels), and still compute their own values."""
    import re

    layers = [tc.nn.Linear(96, 96) for _ in range(4)]

    def model(x):
        for layer in layers:
            x = F.relu(layer(x))
        return x
    x = tc.tensor(rng.standard_normal((40, 96)).astype(np.float32))
    traced = tc.jit.trace(model)
    _close(traced(x).numpy(), model(x).numpy())
    text = traced.ir("llvm-dialect")
    calls = re.findall(r"llvm.call @(\w+_kernel\d+)\(", text)
    defined = set(re.findall(r"llvm.func (?:internal |private )?@(\w+_kernel\d+)\(", text))
    # Each layer calls three kernels (pack, multiply, bias + ReLU): 12 calls.
    assert len(calls) >= 12 and len(defined) <= len(calls) // 2, (calls, defined)


def test_weight_gradients_are_not_transposed_copies():
    """A Linear layer's weight gradient (x.T @ g).T is computed as g.T @ x
    on the kernels, and the forward pass reads w.T through, even where the
    transpose was given the buffer of the updated (square) weight: the step
    copies no weight-sized transpose, and trains as eager mode does."""
    import re

    def make():
        tc.manual_seed(0)
        return tc.nn.Sequential(tc.nn.Linear(300, 200), tc.nn.ReLU(), tc.nn.Linear(200, 200),
                                tc.nn.ReLU(), tc.nn.Linear(200, 10))
    x = tc.tensor(rng.standard_normal((32, 300)).astype(np.float32))
    y = tc.tensor(rng.integers(0, 10, 32))
    results = []
    for compiled in (False, True):
        model = make()
        opt = tc.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss
        run = tc.jit.trace(step) if compiled else step
        losses = [float(run(x, y).numpy()) for _ in range(3)]
        results.append((losses, model[0].weight.numpy().copy()))
        if compiled:
            text = run.ir("bufferized")
            transposed = re.findall(r"linalg.transpose ins\([^)]*\) outs\(%\w+ : memref<(\d+)x(\d+)xf32>",
                                    text)
            # Only activation-sized ones (32 rows) or the 10-wide last layer's.
            assert all(min(int(a), int(b)) <= 32 or 10 in (int(a), int(b))
                       for a, b in transposed), transposed
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-4)
    _close(results[1][1], results[0][1])


@pytest.mark.parametrize("batch", [0, 1])
@pytest.mark.parametrize("constant", [False, True])
def test_linear_with_batch_0_and_1(batch, constant):
    """Batches of 0 and 1 rows (too thin for the kernel) give PyTorch's
    results, whether the weight is an argument or a packed constant."""
    model = tc.nn.Linear(300, 130)
    x = rng.standard_normal((batch, 300)).astype(np.float32)
    traced = tc.jit.trace(model, capture_as_const=constant)
    got = traced(tc.tensor(x)).numpy()
    want = torch.nn.functional.linear(torch.from_numpy(x), torch.from_numpy(model.weight.numpy()),
                                      torch.from_numpy(model.bias.numpy())).numpy()
    assert got.shape == (batch, 130)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("constant", [False, True])
def test_nan_and_inf_stay_where_pytorch_puts_them(constant):
    """A NaN or an infinity in either operand reaches exactly the outputs it
    reaches in PyTorch: the zero padding of edge tiles (rows past M,
    columns past N, the reduction past K) never turns inf * 0 into a NaN
    of a real output."""
    x = rng.standard_normal((37, 70)).astype(np.float32)
    w = rng.standard_normal((70, 45)).astype(np.float32)
    x[3, 5] = np.nan
    x[10, 0] = np.inf
    w[69, 44] = -np.inf
    w[2, 7] = np.inf
    tw = tc.tensor(w)
    traced = tc.jit.trace(lambda x: x @ tw, capture_as_const=constant)
    got = traced(tc.tensor(x)).numpy()
    want = (torch.from_numpy(x.astype(np.float64)) @ torch.from_numpy(w.astype(np.float64))).numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(want))
    np.testing.assert_array_equal(np.isneginf(got), np.isneginf(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-4, atol=1e-4)
    assert _blocked(traced)


@pytest.mark.parametrize("batch", [0, 1])
def test_conv2d_with_batch_0_and_1(batch):
    x = rng.standard_normal((batch, 8, 12, 12)).astype(np.float32)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    traced = tc.jit.trace(lambda x, w: F.conv2d(x, w, padding=1))
    got = traced(tc.tensor(x), tc.tensor(w)).numpy()
    want = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1).numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)

