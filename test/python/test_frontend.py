"""tianc's Python frontend: eager ops, tracing, and their agreement with torch."""

import inspect
import logging

import numpy as np
import pytest
import torch

import tianc as tc
from tianc import functional as F

torch.manual_seed(0)


def t(x):
    return torch.from_numpy(np.asarray(x))


def close(a, b, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(np.asarray(a.numpy() if isinstance(a, tc.Tensor) else a),
                               b.detach().numpy() if isinstance(b, torch.Tensor) else b,
                               rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------
# Eager
# ---------------------------------------------------------------------------

def test_tensor_basics():
    x = tc.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.shape == (2, 2) and x.dtype == tc.float32 and x.ndim == 2
    assert tc.tensor([1, 2]).dtype == tc.int64
    assert "tensor([[1., 2.]," in repr(x)
    assert (x + 1).tolist() == [[2.0, 3.0], [4.0, 5.0]]
    assert (2 * x - x / 2).tolist() == [[1.5, 3.0], [4.5, 6.0]]
    assert (x @ x).tolist() == [[7.0, 10.0], [15.0, 22.0]]
    assert (x > 2).tolist() == [[False, False], [True, True]]
    assert x.sum().item() == 10.0 and x.mean(0).tolist() == [2.0, 3.0]
    assert x.T.tolist() == [[1.0, 3.0], [2.0, 4.0]]


def test_type_promotion_follows_numpy():
    i = tc.tensor([1, 2, 3])
    assert (i + 1).dtype == tc.int64
    assert (i + 0.5).dtype == tc.float32 and (i + 0.5).tolist() == [1.5, 2.5, 3.5]
    assert (i / 2).tolist() == [0.5, 1.0, 1.5]  # true division
    assert (i * tc.tensor([1.0, 2.0, 3.0])).dtype == tc.float32


def test_indexing_matches_numpy():
    a = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    x = tc.tensor(a)
    for index in [1, -1, (1, 2), (slice(None), 1), (slice(0, 3, 2), slice(1, None)),
                  (Ellipsis, 2), (None, 0), (1, None, slice(None, None, 2))]:
        np.testing.assert_array_equal(x[index].numpy(), a[index], err_msg=str(index))
    ids = tc.tensor([2, 0])
    np.testing.assert_array_equal(x[ids].numpy(), a[[2, 0]])


ACTIVATIONS = [
    (F.relu, torch.relu), (F.sigmoid, torch.sigmoid), (F.tanh, torch.tanh),
    (F.exp, torch.exp), (F.neg, torch.neg), (F.abs, torch.abs),
    (lambda x: F.gelu(x), torch.nn.functional.gelu),
    (lambda x: F.gelu(x, "tanh"), lambda x: torch.nn.functional.gelu(x, approximate="tanh")),
    (lambda x: F.softmax(x, -1), lambda x: torch.softmax(x, -1)),
    (lambda x: F.log_softmax(x, 0), lambda x: torch.log_softmax(x, 0)),
    (lambda x: F.clamp(x, -0.5, 0.5), lambda x: torch.clamp(x, -0.5, 0.5)),
    (lambda x: x.sum(1, keepdim=True), lambda x: x.sum(1, keepdim=True)),
    (lambda x: x.max(0), lambda x: x.amax(0)),
    (lambda x: F.layer_norm(x, [7]), lambda x: torch.nn.functional.layer_norm(x, [7])),
]


@pytest.mark.parametrize("ours,theirs", ACTIVATIONS)
def test_eager_ops_match_torch(ours, theirs):
    x = np.random.default_rng(3).standard_normal((5, 7)).astype(np.float32)
    close(ours(tc.tensor(x)), theirs(t(x)))


def test_eager_conv_pool_match_torch():
    x = np.random.default_rng(4).standard_normal((2, 3, 12, 12)).astype(np.float32)
    w = np.random.default_rng(5).standard_normal((8, 3, 3, 3)).astype(np.float32)
    b = np.random.default_rng(6).standard_normal(8).astype(np.float32)
    ours = F.max_pool2d(F.relu(F.conv2d(tc.tensor(x), tc.tensor(w), tc.tensor(b), padding=1)), 2)
    theirs = torch.max_pool2d(torch.relu(torch.conv2d(t(x), t(w), t(b), padding=1)), 2)
    close(ours, theirs, rtol=1e-4, atol=1e-4)


def test_cross_entropy_matches_torch():
    logits = np.random.default_rng(7).standard_normal((6, 10)).astype(np.float32)
    target = np.array([1, 0, 9, 3, 3, 5])
    close(F.cross_entropy(tc.tensor(logits), tc.tensor(target)),
          torch.nn.functional.cross_entropy(t(logits), t(target)))


def test_eager_kernels_are_cached():
    from tianc import _dispatch

    x = tc.randn(3, 3)
    F.tanh(x)
    before = _dispatch.kernel_cache_size()
    for _ in range(3):
        F.tanh(tc.randn(3, 3))
    assert _dispatch.kernel_cache_size() == before


def test_shape_error_names_op_shapes_and_user_line():
    a, b = tc.randn(2, 3), tc.randn(4, 3)
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(tc.TianError) as info:
        a + b
    message = str(info.value)
    assert "tian.add" in message
    assert "operand shapes [2, 3] and [4, 3] are not broadcast-compatible" in message
    assert f"test_frontend.py:{line}" in message


def test_matmul_error():
    with pytest.raises(tc.TianError, match=r"contracting dimensions differ: lhs \[2, 3\] has K = 3"):
        tc.randn(2, 3) @ tc.randn(4, 5)


# ---------------------------------------------------------------------------
# Tracing
# ---------------------------------------------------------------------------

def mlp_params(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return [(tc.tensor(rng.standard_normal((o, i)).astype(np.float32) / np.sqrt(i)),
             tc.tensor(rng.standard_normal(o).astype(np.float32) * 0.1))
            for i, o in zip(sizes[:-1], sizes[1:])]


def mlp(x, params):
    for k, (w, b) in enumerate(params):
        x = F.linear(x, w, b)
        if k < len(params) - 1:
            x = F.relu(x)
    return x


def test_traced_mlp_matches_eager_and_torch():
    params = mlp_params([32, 64, 64, 10])
    x = tc.randn(16, 32)
    compiled = tc.jit.trace(lambda x: mlp(x, params))
    out = compiled(x)
    eager = mlp(x, params)
    theirs = t(x.numpy())
    for k, (w, b) in enumerate(params):
        theirs = torch.nn.functional.linear(theirs, t(w.numpy()), t(b.numpy()))
        if k < len(params) - 1:
            theirs = torch.relu(theirs)
    close(out, eager.numpy(), rtol=1e-5, atol=1e-6)
    close(out, theirs, rtol=1e-4, atol=1e-5)


def test_parameters_are_arguments_read_on_every_call():
    w = tc.ones(3)
    f = tc.jit.trace(lambda x: x * w)
    assert f(tc.ones(3)).tolist() == [1.0, 1.0, 1.0]
    w._data[:] = 2.0  # an optimizer updates parameters in place
    assert f(tc.ones(3)).tolist() == [2.0, 2.0, 2.0]
    assert "%arg1: tensor<3xf32>" in f.ir("tian")


def test_capture_as_const_folds_parameters():
    w = tc.tensor([[1.0, 2.0], [3.0, 4.0]])
    f = tc.jit.trace(lambda x: x @ w.T, capture_as_const=True)
    assert f(tc.ones(1, 2)).tolist() == [[3.0, 7.0]]
    optimized = f.ir("tian-optimized")
    assert "%arg1" not in optimized and "tian.transpose" not in optimized  # folded


def test_small_cnn_traced_matches_torch():
    rng = np.random.default_rng(1)
    w1 = tc.tensor(rng.standard_normal((8, 1, 3, 3)).astype(np.float32) * 0.3)
    b1 = tc.tensor(rng.standard_normal(8).astype(np.float32) * 0.1)
    gamma, beta = tc.tensor(rng.uniform(0.5, 1.5, 8).astype(np.float32)), tc.tensor(rng.standard_normal(8).astype(np.float32))
    mean, var = tc.tensor(rng.standard_normal(8).astype(np.float32) * 0.1), tc.tensor(rng.uniform(0.5, 2, 8).astype(np.float32))
    wf = tc.tensor(rng.standard_normal((10, 8)).astype(np.float32) * 0.3)

    def net(x):
        y = F.conv2d(x, w1, b1, padding=1)
        y = F.relu(F.batch_norm(y, mean, var, gamma, beta))
        y = F.max_pool2d(y, 2)
        y = F.adaptive_avg_pool2d(y, 1).flatten(1)
        return F.linear(y, wf)

    x = tc.randn(4, 1, 8, 8)
    out = tc.jit.trace(net)(x)
    tt = lambda v: t(v.numpy())  # noqa: E731
    ref = torch.conv2d(tt(x), tt(w1), tt(b1), padding=1)
    ref = torch.relu(torch.nn.functional.batch_norm(ref, tt(mean), tt(var), tt(gamma), tt(beta)))
    ref = torch.nn.functional.adaptive_avg_pool2d(torch.max_pool2d(ref, 2), 1).flatten(1)
    ref = torch.nn.functional.linear(ref, tt(wf))
    close(out, ref, rtol=1e-4, atol=1e-5)
    close(out, net(x).numpy(), rtol=1e-5, atol=1e-6)


def test_attention_block_traced_matches_torch():
    rng = np.random.default_rng(2)
    d, heads, seq = 16, 2, 6
    wq, wk, wv, wo = (tc.tensor(rng.standard_normal((d, d)).astype(np.float32) / 4) for _ in range(4))

    def block(x):
        h = F.layer_norm(x, [d])
        q, k, v = (F.linear(h, w).reshape(1, seq, heads, d // heads).permute(0, 2, 1, 3)
                   for w in (wq, wk, wv))
        scores = F.softmax(q @ k.transpose(-2, -1) * (1.0 / np.sqrt(d // heads)), -1)
        attn = (scores @ v).permute(0, 2, 1, 3).reshape(1, seq, d)
        return x + F.gelu(F.linear(attn, wo), "tanh")

    x = tc.randn(1, seq, d)
    out = tc.jit.trace(block)(x)
    mha = torch.nn.functional
    tx = t(x.numpy())
    h = mha.layer_norm(tx, [d])
    q, k, v = (mha.linear(h, t(w.numpy())).reshape(1, seq, heads, d // heads).permute(0, 2, 1, 3)
               for w in (wq, wk, wv))
    ref_attn = mha.scaled_dot_product_attention(q, k, v).permute(0, 2, 1, 3).reshape(1, seq, d)
    ref = tx + mha.gelu(mha.linear(ref_attn, t(wo.numpy())), approximate="tanh")
    close(out, ref, rtol=1e-4, atol=1e-5)


def test_new_shape_compiles_new_variant_and_says_so(caplog):
    f = tc.jit.trace(lambda x: F.relu(x) * 2)
    f(tc.randn(3))
    f(tc.randn(3))
    assert f.num_variants == 1
    with caplog.at_level(logging.INFO, logger="tianc"):
        assert f(tc.randn(2, 2)).shape == (2, 2)
    assert f.num_variants == 2
    assert any("new input signature" in r.message for r in caplog.records)


def test_value_dependent_control_flow_is_reported_with_the_line():
    def branchy(x):
        if x.sum() > 0:  # needs a value while tracing
            return x
        return -x

    with pytest.raises(tc.TianError) as info:
        tc.jit.trace(branchy)(tc.randn(3))
    message = str(info.value)
    assert "bool(tensor) needs the value of a tensor" in message
    assert "test_frontend.py" in message and "tc.where" in message


def test_traced_shape_error_points_at_user_line():
    def bad(x):
        return x @ tc.randn(5, 2)

    line = inspect.getsourcelines(bad)[1] + 1
    with pytest.raises(tc.TianError) as info:
        tc.jit.trace(bad)(tc.randn(2, 3))
    assert f"test_frontend.py:{line}" in str(info.value)
    assert "contracting dimensions differ" in str(info.value)


def test_ir_stages():
    f = tc.jit.trace(lambda x: F.softmax(x, -1))
    with pytest.raises(tc.TianError, match="has not been called yet"):
        f.ir()
    f(tc.randn(2, 5))
    assert "tian.softmax" in f.ir("tian")
    assert "tian.reduce_max" in f.ir("tian-optimized")
    assert "scf.forall" in f.ir("linalg") and '"reduction"' in f.ir("linalg")  # a row loop
    assert "llvm.func" in f.ir("llvm-dialect")
    assert "define void" in f.ir("llvm-ir")
    with pytest.raises(tc.TianError, match="unknown stage 'asm'"):
        f.ir("asm")


def test_tensors_from_read_only_and_strided_arrays():
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    frozen = base.copy()
    frozen.flags.writeable = False
    assert (tc.tensor(frozen) + 1).tolist() == (base + 1).tolist()
    assert (tc.tensor(base.T) * 2).tolist() == (base.T * 2).tolist()
    assert (tc.tensor(np.broadcast_to(np.float32(3), (2, 2))) - 1).tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_compile_progress_shows_stages_when_slow(monkeypatch):
    import io

    from tianc.compiler.pipeline import CompileProgress

    stream = io.StringIO()
    monkeypatch.setenv("TIANC_PROGRESS", "1")
    with CompileProgress("model", delay=0.0, stream=stream) as progress:
        import time

        time.sleep(0.05)
        progress.set_stage("linalg")
    text = stream.getvalue()
    assert "tianc: compiling model: linalg" in text and "tianc: compiled model in" in text
    quiet = io.StringIO()
    with CompileProgress("fast", delay=10.0, stream=quiet):
        pass
    assert quiet.getvalue() == ""


def test_eager_compile_burst_shows_progress(monkeypatch, capsys):
    from tianc._dispatch import _EagerCompileProgress

    monkeypatch.setenv("TIANC_PROGRESS", "1")
    progress = _EagerCompileProgress()
    progress.compiled("tian.conv2d", 0.6)
    assert capsys.readouterr().err == ""  # under a second: silent
    progress.compiled("tian.relu", 0.6)
    progress.finish()
    assert "compiled 2 eager kernels in 1.2s (last: tian.relu)" in capsys.readouterr().err


def test_integer_inputs_to_float_ops_compute_in_float32():
    out = F.exp(tc.tensor([0, 1]))
    assert out.dtype == tc.float32
    np.testing.assert_allclose(out.numpy(), [1.0, np.e], rtol=1e-6)


def test_bad_arguments_name_the_user_line():
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(tc.TianError) as info:
        F.softmax(tc.randn(2, 3), 5)
    assert f"test_frontend.py:{line}: dimension 5 is out of range for a tensor of rank 2" in str(info.value)
    with pytest.raises(tc.TianError, match="indices must be int32 or int64, got float32"):
        F.embedding(tc.tensor([0.5]), tc.randn(3, 2))


def test_invalid_module_is_a_compile_error_not_a_crash():
    from mlir import ir
    from mlir.dialects import func

    from tianc.compiler import CompileError, compile_module
    from tianc.dialects import tian

    with ir.Context(), ir.Location.file("model.py", 7, 0):
        module = ir.Module.create()
        i64s = ir.RankedTensorType.get([2], ir.IntegerType.get_signless(64))
        with ir.InsertionPoint(module.body):
            # Builders do not verify: tian.exp on integers is built, then rejected.
            func.FuncOp.from_py_func(i64s, name="f")(lambda a: tian.ExpOp(a).result)
    with pytest.raises(CompileError) as info:
        compile_module(module, "f")
    assert "must be ranked tensor of 32-bit float" in str(info.value)
    assert '"model.py":7' in str(info.value)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.bool_])
def test_bitwise_ops_match_torch_eager_and_traced(dtype):
    rng = np.random.default_rng(3)
    a = rng.integers(-100, 100, (3, 4)).astype(dtype)
    b = rng.integers(-100, 100, (4,)).astype(dtype)
    ops = [("bitwise_and", lambda x, y: x & y), ("bitwise_or", lambda x, y: x | y),
           ("bitwise_xor", lambda x, y: x ^ y), ("bitwise_not", lambda x, y: ~x)]
    if dtype != np.bool_:
        shift = np.array([0, 1, 3, 7], dtype)
        ops += [("bitwise_left_shift", lambda x, y: x << tc.tensor(shift) if isinstance(x, tc.Tensor)
                 else x << torch.from_numpy(shift)),
                ("bitwise_right_shift", lambda x, y: x >> tc.tensor(shift) if isinstance(x, tc.Tensor)
                 else x >> torch.from_numpy(shift))]
    for name, fn in ops:
        want = fn(torch.from_numpy(a), torch.from_numpy(b)).numpy()
        traced = tc.jit.trace(lambda x, y: fn(x, y))
        for got in (fn(tc.tensor(a), tc.tensor(b)), traced(tc.tensor(a), tc.tensor(b))):
            np.testing.assert_array_equal(got.numpy(), want, err_msg=name)
            assert got.dtype == want.dtype, name


def test_bitwise_ops_refuse_floats_and_shifts_refuse_bools():
    x = tc.tensor(np.ones(3, np.float32))
    with pytest.raises(tc.TianError, match="bitwise_and: integer or bool tensors only"):
        F.bitwise_and(x, x)
    with pytest.raises(tc.TianError, match="bitwise_not: integer or bool tensors only"):
        F.bitwise_not(x)
    flags = tc.tensor(np.ones(3, np.bool_))
    with pytest.raises(tc.TianError, match="bitwise_left_shift: integer tensors only"):
        F.bitwise_left_shift(flags, flags)


def test_inverse_trig_special_values_match_torch():
    x = np.array([-np.inf, -2, -1, -0.5, -0.0, 0.0, 1e-30, 0.5, 1, 2, 1e30, np.inf, np.nan],
                 np.float32)
    for name in ("asin", "acos", "atan", "asinh", "acosh", "atanh"):
        want = getattr(torch, name)(torch.from_numpy(x)).numpy()
        fn = getattr(F, name)
        for got in (fn(tc.tensor(x)), tc.jit.trace(lambda v: fn(v))(tc.tensor(x))):
            np.testing.assert_allclose(got.numpy(), want, rtol=2e-7, atol=0, err_msg=name)
            numbers = ~np.isnan(want)  # the sign of a NaN means nothing
            np.testing.assert_array_equal(np.signbit(got.numpy())[numbers], np.signbit(want)[numbers],
                                          err_msg=name)
        with np.errstate(over="ignore"):
            half = x.astype(np.float16)
        want = getattr(torch, name)(torch.from_numpy(half.astype(np.float32))).numpy()
        np.testing.assert_allclose(fn(tc.tensor(half)).numpy(), want.astype(np.float16),
                                   rtol=1e-3, err_msg=name)


EINSUMS = [("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
           ("ii->i", [(4, 4)]), ("ii", [(3, 3)]), ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]),
           ("i,i->", [(5,), (5,)]), ("i,j->ij", [(3,), (4,)]),
           ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]), ("bii->bi", [(2, 3, 3)]),
           ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("bhqd,bhkd->bhqk", [(2, 3, 4, 8), (2, 3, 5, 8)]),
           ("ijk,ikl", [(2, 3, 4), (2, 4, 5)]), ("i,i", [(0,), (0,)]), ("ab,ab->a", [(3, 1), (3, 4)]),
           ("iij->j", [(3, 3, 2)]), ("b i d, b j d -> b i j", [(1, 2, 3), (1, 4, 3)])]


@pytest.mark.parametrize("equation,shapes", EINSUMS)
def test_einsum_matches_torch_eager_traced_and_in_gradients(equation, shapes):
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    want = torch.einsum(equation, *theirs)
    ours = [tc.tensor(a, requires_grad=True) for a in arrays]
    got = F.einsum(equation, *ours)
    np.testing.assert_allclose(got.numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-5)
    traced = tc.jit.trace(lambda *v: F.einsum(equation, *v))(*[tc.tensor(a) for a in arrays])
    np.testing.assert_allclose(traced.numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-5)
    weight = rng.standard_normal(want.shape).astype(np.float32)
    (want * torch.from_numpy(weight)).sum().backward()
    (got * tc.tensor(weight)).sum().backward()
    for x, t in zip(ours, theirs):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("equation,shapes,message", [
    ("ij,jk->ik", [(3, 4), (5, 6)], "'j' has sizes 4 and 5"),
    ("ij,jk", [(3, 4)], "names 2 operands, got 1"),
    ("ijk->i", [(3, 4)], "has 3 dims, but its operand has shape \\[3, 4\\]"),
    ("ij->iz", [(3, 4)], "output letter 'z'"),
    ("ii->i", [(3, 4)], "'i' has sizes 3 and 4")])
def test_einsum_errors_name_the_equation(equation, shapes, message):
    with pytest.raises(tc.TianError, match=message):
        F.einsum(equation, *[tc.tensor(np.ones(s, np.float32)) for s in shapes])


def _stable_topk(x, k, axis, largest):
    """numpy reference: equal elements lowest index first, NaN largest."""
    moved = np.moveaxis(x, axis, -1)
    nan = np.isnan(moved) if moved.dtype.kind == "f" else np.zeros(moved.shape, bool)
    key = np.where(nan, 0, moved).astype(np.float64)
    rows = moved.reshape(-1, moved.shape[-1])
    order = np.stack([np.lexsort((-k_, ~n_)) if largest else np.lexsort((k_, n_))
                      for k_, n_ in zip(key.reshape(rows.shape), nan.reshape(rows.shape))])
    order = order.reshape(moved.shape)[..., :k]
    return (np.moveaxis(np.take_along_axis(moved, order, -1), -1, axis),
            np.moveaxis(order, -1, axis))


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int8, np.int32, np.int64, np.bool_])
@pytest.mark.parametrize("largest", [True, False])
def test_topk_with_ties_matches_a_stable_reference(dtype, largest):
    rng = np.random.default_rng(7)
    x = rng.integers(-4, 4, (3, 9)).astype(dtype)  # many ties
    traced = tc.jit.trace(lambda v: F.topk(v, 4, 1, largest))
    for k in (0, 1, 4, 9):
        want_values, want_indices = _stable_topk(x, k, 1, largest)
        values, indices = F.topk(tc.tensor(x), k, 1, largest)
        np.testing.assert_array_equal(values.numpy(), want_values)
        np.testing.assert_array_equal(indices.numpy(), want_indices)
        assert values.dtype == x.dtype and indices.dtype == np.int64
    values, indices = traced(tc.tensor(x))
    want_values, want_indices = _stable_topk(x, 4, 1, largest)
    np.testing.assert_array_equal(values.numpy(), want_values)
    np.testing.assert_array_equal(indices.numpy(), want_indices)


def test_topk_nan_and_infinities_match_torch():
    x = np.array([[1, np.nan, 3, -np.inf, np.inf, np.nan, -np.inf]], np.float32)
    for largest in (True, False):
        values, indices = tc.tensor(x).topk(7, largest=largest)
        want_values, want_indices = torch.topk(torch.from_numpy(x), 7, largest=largest)
        np.testing.assert_array_equal(values.numpy(), want_values.numpy())
        np.testing.assert_array_equal(indices.numpy(), _stable_topk(x, 7, 1, largest)[1])


def test_topk_gradient_matches_torch():
    x = np.random.default_rng(2).standard_normal((4, 6)).astype(np.float32)
    ours, theirs = tc.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.topk(ours, 3, 0)[0].sum().backward()
    torch.topk(theirs, 3, 0)[0].sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    with pytest.raises(tc.TianError, match="topk: k = 7 is out of range for a dimension of size 6"):
        F.topk(ours, 7)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_matches_torch(mode, padding_mode, align_corners):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 3, 5, 7)).astype(np.float32)
    grid = rng.uniform(-1.6, 1.6, (2, 4, 6, 2)).astype(np.float32)  # outside [-1, 1] too
    want = torch.nn.functional.grid_sample(torch.from_numpy(x), torch.from_numpy(grid), mode,
                                           padding_mode, align_corners).numpy()
    run = lambda a, g: F.grid_sample(a, g, mode, padding_mode, align_corners)  # noqa: E731
    for got in (run(tc.tensor(x), tc.tensor(grid)),
                tc.jit.trace(run)(tc.tensor(x), tc.tensor(grid))):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_grid_sample_3d_and_affine_grid_match_torch(mode):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 2, 4, 5, 3)).astype(np.float32)
    theta = rng.uniform(-1, 1, (2, 3, 4)).astype(np.float32)
    for align in (False, True):
        grid = torch.nn.functional.affine_grid(torch.from_numpy(theta), [2, 2, 3, 4, 5], align)
        ours = F.affine_grid(tc.tensor(theta), [2, 2, 3, 4, 5], align)
        np.testing.assert_allclose(ours.numpy(), grid.numpy(), rtol=1e-5, atol=1e-6)
        want = torch.nn.functional.grid_sample(torch.from_numpy(x), grid, mode, "border", align)
        got = F.grid_sample(tc.tensor(x), ours, mode, "border", align)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(tc.TianError, match="grid_sample: a grid of shape \\[2, 3, 2\\] does not fit"):
        F.grid_sample(tc.tensor(x), tc.tensor(np.zeros((2, 3, 2), np.float32)))


def test_round_halves_to_even_like_torch():
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999997, 2 ** 23 + 1, -0.0, np.inf, np.nan],
                 np.float32)
    for got in (F.round(tc.tensor(x)), tc.jit.trace(lambda v: F.round(v))(tc.tensor(x))):
        np.testing.assert_array_equal(got.numpy(), torch.round(torch.from_numpy(x)).numpy())


BF16_OPS = {
    "add": (lambda a: a + a, lambda a: a + a), "exp": (F.exp, torch.exp),
    "gelu": (F.gelu, torch.nn.functional.gelu), "erf": (F.erf, torch.erf),
    "softmax": (lambda a: F.softmax(a, -1), lambda a: torch.softmax(a, -1)),
    "sum": (lambda a: a.sum(), lambda a: a.sum()),
    "matmul": (lambda a: a @ F.transpose(a, 0, 1), lambda a: a @ a.T),
    "layer_norm": (lambda a: F.layer_norm(a, [8]), lambda a: torch.nn.functional.layer_norm(a, [8])),
    "atan": (F.atan, torch.atan), "cast": (lambda a: F.cast(a, tc.float32), lambda a: a.float())}


@pytest.mark.parametrize("name", sorted(BF16_OPS))
def test_bfloat16_ops_match_torch_eager_and_traced(name):
    ours, theirs = BF16_OPS[name]
    x = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    want = theirs(torch.from_numpy(x).to(torch.bfloat16))
    t = tc.tensor(x.astype(tc.bfloat16))
    assert t.dtype == tc.bfloat16
    for got in (ours(t), tc.jit.trace(ours)(t)):
        assert str(got.dtype) == str(want.dtype).replace("torch.", "")
        # within one bfloat16 rounding (2^-8 relative) of PyTorch's
        np.testing.assert_allclose(got.numpy().astype(np.float32), want.float().numpy(),
                                   rtol=2 ** -7, atol=2 ** -7)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_remainder_and_fmod_are_exact_at_the_edges_like_numpy(dtype):
    a = np.array([0, -0.0, 0, -0.0, -3, 3, -1, 1, np.inf, -np.inf, 1, 1, np.nan, 1, 1e4, -7.5, 7.5],
                 dtype)
    b = np.array([-2, 2, 2, -2, np.inf, np.inf, -np.inf, -np.inf, 2, 2, 0, -0.0, 2, np.nan, 3.3, 2, -2],
                 dtype)
    for ours, ref in ((F.remainder, np.mod), (F.fmod, np.fmod)):
        with np.errstate(all="ignore"):
            want = ref(a, b)
        for got in (ours(tc.tensor(a), tc.tensor(b)), tc.jit.trace(ours)(tc.tensor(a), tc.tensor(b))):
            np.testing.assert_array_equal(got.numpy(), want)
            numbers = ~np.isnan(want)
            np.testing.assert_array_equal(np.signbit(got.numpy())[numbers], np.signbit(want)[numbers])


def test_remainder_and_fmod_gradients_match_torch():
    rng = np.random.default_rng(1)
    a = rng.uniform(-5, 5, (3, 4)).astype(np.float32)
    b = rng.uniform(0.5, 2, (4,)).astype(np.float32) * np.array([1, -1, 1, -1], np.float32)
    for ours, theirs in ((F.remainder, torch.remainder), (F.fmod, torch.fmod)):
        x, y = tc.tensor(a, requires_grad=True), tc.tensor(b, requires_grad=True)
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        ours(x, y).sum().backward()
        theirs(tx, ty).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
        np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-6)


def test_review_edge_cases_float16_inverse_hyperbolics_round_and_division_by_zero():
    # float16 asinh/acosh squared past 256 to inf (found by review).
    h = np.array([300, 1000, -2000, 60000], np.float16)
    want = np.arcsinh(h.astype(np.float64))
    for fn in (F.asinh, tc.jit.trace(lambda v: F.asinh(v))):
        np.testing.assert_allclose(fn(tc.tensor(h)).numpy().astype(np.float64), want, rtol=2e-3)
    got = F.acosh(tc.tensor(h)).numpy().astype(np.float64)
    np.testing.assert_allclose(got[[0, 1, 3]], np.arccosh(h[[0, 1, 3]].astype(np.float64)),
                               rtol=2e-3)
    assert np.isnan(got[2])
    # round: bfloat16 is integral past 2^7, and zeros keep their sign.
    b = np.array([129, 130.5, -0.3, -0.0, 2.5], tc.bfloat16)
    np.testing.assert_array_equal(F.round(tc.tensor(b)).numpy().astype(np.float32),
                                  torch.round(torch.tensor(b.astype(np.float32)).to(torch.bfloat16))
                                  .float().numpy())
    signs = np.signbit(F.round(tc.tensor(np.array([-0.3, -0.0, 0.3], np.float32))).numpy())
    np.testing.assert_array_equal(signs, [True, True, False])
    # Integer division and remainder by zero (and MIN / -1) give numpy's
    # values in eager and compiled code: they used to kill the process.
    a = np.array([5, -5, 7, np.iinfo(np.int32).min, 0], np.int32)
    d = np.array([0, 0, 2, -1, 0], np.int32)
    for fn, ref in ((lambda x, y: F.div(x, y, rounding_mode="floor"), np.floor_divide),
                    (lambda x, y: F.div(x, y, rounding_mode="trunc"), None),
                    (F.fmod, np.fmod), (F.remainder, np.mod)):
        with np.errstate(all="ignore"):
            want = ref(a, d) if ref else np.array([0, 0, 3, np.iinfo(np.int32).min, 0], np.int32)
        for run in (fn, tc.jit.trace(fn)):
            np.testing.assert_array_equal(run(tc.tensor(a), tc.tensor(d)).numpy(), want)


def test_shifts_out_of_range_eager_and_traced():
    a = np.array([3, -3, 5, -1], np.int32)
    b = np.array([32, 40, -1, 31], np.int32)
    for left, right in ((F.bitwise_left_shift, F.bitwise_right_shift),
                        (tc.jit.trace(F.bitwise_left_shift), tc.jit.trace(F.bitwise_right_shift))):
        np.testing.assert_array_equal(left(tc.tensor(a), tc.tensor(b)).numpy(), [0, 0, 0, -2 ** 31])
        np.testing.assert_array_equal(right(tc.tensor(a), tc.tensor(b)).numpy(), [0, -1, 0, -1])


def test_grid_sample_nearest_reflects_before_rounding_like_torch():
    x = np.arange(4, dtype=np.float32).reshape(1, 1, 1, 4)
    grid = np.zeros((1, 1, 3, 2), np.float32)
    grid[0, 0, :, 0] = [0.0, 1.5, -1.25]  # x = 1.5 (a half), past the right and left edges
    for padding in ("reflection", "border"):
        want = torch.nn.functional.grid_sample(torch.from_numpy(x), torch.from_numpy(grid),
                                               "nearest", padding, False).numpy()
        np.testing.assert_array_equal(
            F.grid_sample(tc.tensor(x), tc.tensor(grid), "nearest", padding).numpy(), want)
