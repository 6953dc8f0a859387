"""Every lowered tian op, compiled through the CPU pipeline, against numpy."""

import math

import numpy as np
import pytest
from mlir import ir
from mlir.dialects import func

import tianc  # noqa: F401
from tianc.compiler import CompileError, compile_module, lower
from tianc.dialects import tian

RNG = np.random.default_rng(1234)
MLIR_TYPES = {np.float32: "f32", np.float16: "f16", np.int32: "i32", np.int64: "i64",
              np.int8: "i8", np.bool_: "i1"}


def tensor_type(array):
    element = ir.Type.parse(MLIR_TYPES[array.dtype.type])
    return ir.RankedTensorType.get(list(array.shape), element)


def run(build, *inputs):
    """Compiles a one-op function built by ``build(*args)`` and runs it."""
    ctx = ir.Context()
    with ctx, ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            func.FuncOp.from_py_func(*[tensor_type(a) for a in inputs], name="f")(build)
    return compile_module(module, "f")(*inputs)


def rand(*shape, dtype=np.float32, low=-2.0, high=2.0):
    if np.issubdtype(dtype, np.integer):
        return RNG.integers(int(low) - 3, int(high) + 4, size=shape).astype(dtype)
    return RNG.uniform(low, high, size=shape).astype(dtype)


UNARY = {
    "NegOp": np.negative, "AbsOp": np.abs, "ReluOp": lambda x: np.maximum(x, 0),
    "ExpOp": np.exp, "TanhOp": np.tanh, "SinOp": np.sin, "CosOp": np.cos,
    "FloorOp": np.floor, "CeilOp": np.ceil,
    "SigmoidOp": lambda x: 1 / (1 + np.exp(-x)),
    "ErfOp": np.vectorize(math.erf), "AtanOp": np.arctan, "AsinhOp": np.arcsinh,
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4)])
def test_unary_float(name, shape):
    x = rand(*shape)
    got = run(lambda a: getattr(tian, name)(a).result, x)
    np.testing.assert_allclose(got, UNARY[name](x).astype(np.float32), rtol=2e-6, atol=2e-7)


@pytest.mark.parametrize("name,ref", [("LogOp", np.log), ("SqrtOp", np.sqrt),
                                      ("RsqrtOp", lambda x: 1 / np.sqrt(x))])
def test_unary_positive_domain(name, ref):
    x = rand(4, 6, low=0.1, high=5.0)
    np.testing.assert_allclose(run(lambda a: getattr(tian, name)(a).result, x), ref(x), rtol=2e-6)


@pytest.mark.parametrize("name,ref,low,high", [
    ("AsinOp", np.arcsin, -1, 1), ("AcosOp", np.arccos, -1, 1), ("AtanhOp", np.arctanh, -1, 1),
    ("AcoshOp", np.arccosh, 1, 30), ("AsinhOp", np.arcsinh, -1e-3, 1e-3),
    ("AtanhOp", np.arctanh, -1e-3, 1e-3), ("AcoshOp", np.arccosh, 1, 1.001)])
def test_unary_inverse_trig_in_domain(name, ref, low, high):
    # Relative to the exact value of each float32 input (near 0, and near 1
    # for acosh, where log(1 + x) would lose every digit).
    x = rand(1000, low=low, high=high)
    want = ref(x.astype(np.float64))
    np.testing.assert_allclose(run(lambda a: getattr(tian, name)(a).result, x), want, rtol=4e-7)


@pytest.mark.parametrize("name,ref", [("NegOp", np.negative), ("AbsOp", np.abs),
                                      ("ReluOp", lambda x: np.maximum(x, 0))])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.int8])
def test_unary_int(name, ref, dtype):
    x = rand(10, dtype=dtype)
    np.testing.assert_array_equal(run(lambda a: getattr(tian, name)(a).result, x), ref(x))


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_torch(approximate):
    torch = pytest.importorskip("torch")
    x = rand(64, low=-6, high=6)
    mode = tian.GeluApproximation.tanh if approximate == "tanh" else tian.GeluApproximation.none
    got = run(lambda a: tian.GeluOp(a, approximate=mode).result, x)
    want = torch.nn.functional.gelu(torch.from_numpy(x), approximate=approximate).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_not():
    x = RNG.integers(0, 2, size=(3, 4)).astype(np.bool_)
    np.testing.assert_array_equal(run(lambda a: tian.NotOp(a).result, x), ~x)


BINARY = {"AddOp": np.add, "SubOp": np.subtract, "MulOp": np.multiply,
          "MaxOp": np.maximum, "MinOp": np.minimum}
BROADCASTS = [((3, 4), (3, 4)), ((4, 1), (3,)), ((), (2, 3)), ((2, 1, 4), (3, 1))]


@pytest.mark.parametrize("name", sorted(BINARY) + ["DivOp", "PowOp"])
@pytest.mark.parametrize("lhs_shape,rhs_shape", BROADCASTS)
def test_binary_float_broadcasting(name, lhs_shape, rhs_shape):
    a = rand(*lhs_shape, low=0.5, high=3.0)
    b = rand(*rhs_shape, low=0.5, high=3.0)
    ref = {**BINARY, "DivOp": np.divide, "PowOp": np.power}[name]
    got = run(lambda x, y: getattr(tian, name)(x, y).result, a, b)
    np.testing.assert_allclose(got, ref(a, b), rtol=2e-6)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_int(name):
    a, b = rand(5, 6, dtype=np.int32), rand(6, dtype=np.int32)
    np.testing.assert_array_equal(run(lambda x, y: getattr(tian, name)(x, y).result, a, b),
                                  BINARY[name](a, b))


BITWISE = {"BitwiseAndOp": np.bitwise_and, "BitwiseOrOp": np.bitwise_or,
           "BitwiseXorOp": np.bitwise_xor}


@pytest.mark.parametrize("name", sorted(BITWISE))
@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.bool_])
def test_bitwise(name, dtype):
    a = RNG.integers(-128, 128, (5, 6)).astype(dtype)
    b = RNG.integers(-128, 128, (6,)).astype(dtype)
    np.testing.assert_array_equal(run(lambda x, y: getattr(tian, name)(x, y).result, a, b),
                                  BITWISE[name](a, b))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64])
def test_shifts_and_bitwise_not(dtype):
    bits = np.iinfo(dtype).bits
    a = np.array([3, -3, 5, -1, 1, -128, 100, 0], dtype)
    b = np.array([2, bits, -1, bits - 1, bits - 1, 1, bits + 5, 3], dtype)
    inside = (b >= 0) & (b < bits)
    safe = np.where(inside, b, 0)
    left = np.where(inside, (a.astype(np.int64) << safe).astype(dtype), 0)
    right = np.where(inside, a >> safe, np.where(a < 0, -1, 0)).astype(dtype)
    np.testing.assert_array_equal(run(lambda x, y: tian.ShiftLeftOp(x, y).result, a, b), left)
    np.testing.assert_array_equal(run(lambda x, y: tian.ShiftRightOp(x, y).result, a, b), right)
    np.testing.assert_array_equal(run(lambda x: tian.BitwiseNotOp(x).result, a), ~a)


def test_int_division_truncates_toward_zero():
    a = np.array([7, -7, 7, -7], np.int32)
    b = np.array([2, 2, -2, -2], np.int32)
    np.testing.assert_array_equal(run(lambda x, y: tian.DivOp(x, y).result, a, b),
                                  np.trunc(a / b).astype(np.int32))


def test_max_propagates_nan():
    a = np.array([np.nan, 1.0, 3.0], np.float32)
    b = np.array([1.0, np.nan, 2.0], np.float32)
    got = run(lambda x, y: tian.MaxOp(x, y).result, a, b)
    np.testing.assert_array_equal(np.isnan(got), [True, True, False])


@pytest.mark.parametrize("pred,ref", [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                                      ("le", np.less_equal), ("gt", np.greater),
                                      ("ge", np.greater_equal)])
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_compare(pred, ref, dtype):
    a = rand(4, 5, dtype=dtype).round()
    b = rand(5, dtype=dtype).round()
    if dtype == np.float32:
        a[0, 0] = np.nan
    got = run(lambda x, y: tian.CompareOp(getattr(tian.ComparePredicate, pred), x, y).result, a, b)
    np.testing.assert_array_equal(got, ref(a, b))


def test_select():
    c = RNG.integers(0, 2, size=(4, 1)).astype(np.bool_)
    a, b = rand(4, 3), rand(3)
    np.testing.assert_array_equal(run(lambda k, x, y: tian.SelectOp(k, x, y).result, c, a, b),
                                  np.where(c, a, b))


@pytest.mark.parametrize("src,dst", [(np.float32, np.int32), (np.float32, np.float16),
                                     (np.int32, np.float32), (np.int64, np.int8),
                                     (np.float32, np.bool_), (np.bool_, np.float32)])
def test_cast(src, dst):
    x = rand(12, dtype=np.float32, low=-100, high=100).astype(src)
    got = run(lambda a: tian.CastOp(a, ir.Type.parse(MLIR_TYPES[dst])).result, x)
    if src == np.float32 and np.issubdtype(dst, np.integer):
        want = np.trunc(x).astype(dst)
    else:
        want = x.astype(dst)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("lhs,rhs", [((4, 8), (8, 16)), ((1, 1), (1, 1)), ((2, 4, 8), (2, 8, 3)),
                                     ((2, 1, 4, 8), (3, 8, 5)), ((5, 3), (2, 3, 4))])
def test_matmul(lhs, rhs):
    a, b = rand(*lhs), rand(*rhs)
    np.testing.assert_allclose(run(lambda x, y: tian.MatmulOp(x, y).result, a, b), a @ b,
                               rtol=1e-5, atol=1e-5)


def test_matmul_int():
    a, b = rand(3, 4, dtype=np.int32), rand(4, 2, dtype=np.int32)
    np.testing.assert_array_equal(run(lambda x, y: tian.MatmulOp(x, y).result, a, b), a @ b)


REDUCTIONS = {"ReduceSumOp": np.sum, "ReduceMaxOp": np.max, "ReduceMinOp": np.min,
              "ReduceProdOp": np.prod, "ReduceMeanOp": np.mean}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("axes,keepdims", [([1], False), ([0, 2], True), ([0, 1, 2], False),
                                           ([2], True)])
def test_reductions(name, axes, keepdims):
    x = rand(3, 4, 5, low=0.5, high=1.5)
    got = run(lambda a: getattr(tian, name)(a, axes, keepdims=keepdims).result, x)
    want = REDUCTIONS[name](x, axis=tuple(axes), keepdims=keepdims)
    np.testing.assert_allclose(got, want, rtol=2e-5)


@pytest.mark.parametrize("axis", [0, 1])
def test_softmax_and_log_softmax(axis):
    x = rand(6, 9, low=-20, high=20)
    shifted = x - x.max(axis=axis, keepdims=True)
    soft = np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(run(lambda a: tian.SoftmaxOp(a, axis).result, x), soft,
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(run(lambda a: tian.LogSoftmaxOp(a, axis).result, x),
                               np.log(soft), rtol=1e-5, atol=1e-5)


def test_layer_norm_matches_torch():
    torch = pytest.importorskip("torch")
    x, w, b = rand(2, 5, 16), rand(16), rand(16)
    got = run(lambda a, ww, bb: tian.LayerNormOp(a, 2, weight=ww, bias=bb).result, x, w, b)
    want = torch.nn.functional.layer_norm(torch.from_numpy(x), (16,), torch.from_numpy(w),
                                          torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_batch_norm_matches_torch():
    torch = pytest.importorskip("torch")
    x = rand(2, 3, 4, 4)
    scale, bias, mean = rand(3), rand(3), rand(3)
    var = rand(3, low=0.5, high=2.0)
    got = run(lambda a, s, bb, m, v: tian.BatchNormOp(a, s, bb, m, v).result,
              x, scale, bias, mean, var)
    want = torch.nn.functional.batch_norm(
        torch.from_numpy(x), torch.from_numpy(mean), torch.from_numpy(var),
        torch.from_numpy(scale), torch.from_numpy(bias), training=False, eps=1e-5).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_data_movement():
    x = rand(2, 3, 4)
    np.testing.assert_array_equal(run(lambda a: tian.ReshapeOp(a, [6, 4]).result, x),
                                  x.reshape(6, 4))
    np.testing.assert_array_equal(run(lambda a: tian.TransposeOp(a, [2, 0, 1]).result, x),
                                  x.transpose(2, 0, 1))
    y = rand(3, 1)
    np.testing.assert_array_equal(run(lambda a: tian.BroadcastToOp(a, [2, 3, 4]).result, y),
                                  np.broadcast_to(y, (2, 3, 4)))
    z = rand(8, 6)
    np.testing.assert_array_equal(
        run(lambda a: tian.SliceOp(a, [1, 0], [7, 6], [2, 1]).result, z), z[1:7:2, 0:6])
    np.testing.assert_array_equal(
        run(lambda a: tian.PadOp(a, [1, 0], [2, 3], value=-1.5).result, z),
        np.pad(z, ((1, 2), (0, 3)), constant_values=-1.5))
    a, b = rand(2, 3), rand(2, 5)
    np.testing.assert_array_equal(run(lambda p, q: tian.ConcatOp([p, q], 1).result, a, b),
                                  np.concatenate([a, b], axis=1))
    np.testing.assert_array_equal(run(lambda p: tian.ExpandDimsOp(p, [0, 3]).result, a),
                                  a[None, :, :, None])


def test_iota():
    ctx = ir.Context()
    with ctx, ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            result_type = ir.RankedTensorType.get([2, 4], ir.F32Type.get())

            @func.FuncOp.from_py_func(name="f")
            def f():
                return tian.IotaOp(result_type, 1).result

    got = compile_module(module, "f")()
    np.testing.assert_array_equal(got, np.broadcast_to(np.arange(4, dtype=np.float32), (2, 4)))


def test_unlowered_op_error_names_op_and_user_line():
    ctx = ir.Context()
    with ctx, ir.Location.file("my_model.py", 42, 9):
        module = ir.Module.create()
        dynamic = ir.RankedTensorType.get([ir.ShapedType.get_dynamic_size(), 4], ir.F32Type.get())
        with ir.InsertionPoint(module.body):
            func.FuncOp.from_py_func(dynamic, name="f")(lambda a: tian.ExpOp(a).result)

    with pytest.raises(CompileError) as info:
        lower(module)
    text = str(info.value)
    assert "stage 'linalg' failed" in text
    assert "'tian.exp' op has dynamic shapes, which are not lowered yet" in text
    assert '"my_model.py":42:9' in text


def test_wrong_input_shape_is_reported():
    ctx = ir.Context()
    with ctx, ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            func.FuncOp.from_py_func(tensor_type(rand(3)), name="f")(lambda a: tian.ExpOp(a).result)
    kernel = compile_module(module, "f")
    with pytest.raises(ValueError, match=r"input #0 has shape \[4\], the compiled function expects \[3\]"):
        kernel(rand(4))


def test_dump_ir_writes_every_stage(tmp_path, monkeypatch):
    monkeypatch.setenv("TIANC_DUMP_IR", str(tmp_path))
    run(lambda a: tian.SoftmaxOp(a, 0).result, rand(5))
    (folder,) = tmp_path.iterdir()
    assert folder.name.startswith("f-")
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["0-tian.mlir", "1-tian-optimized.mlir", "2-linalg.mlir",
                     "3-bufferized.mlir", "4-llvm-dialect.mlir", "5-llvm-ir.ll"]
    assert "tian.softmax" in (folder / "0-tian.mlir").read_text()
    assert "define void @f(ptr" in (folder / "5-llvm-ir.ll").read_text()


def test_dump_ir_keeps_every_compile(tmp_path, monkeypatch):
    # Each compile has its own folder: a function at two shapes and the
    # eager kernels of one process no longer overwrite each other's files.
    import tianc as tc

    monkeypatch.setenv("TIANC_DUMP_IR", str(tmp_path))
    step = tc.jit.trace(lambda a: (a * 2).sum())
    step(tc.ones(3)), step(tc.ones(2, 2))
    tc.ones(4).exp(), tc.ones(4, 1).exp()
    folders = sorted(p.name for p in tmp_path.iterdir())
    traced = [f for f in folders if f.startswith("lambda-")]
    eager = [f for f in folders if f.startswith("eager-tian.exp-")]
    assert len(traced) == 2 and len(eager) == 2, folders
    texts = {(tmp_path / f / "0-tian.mlir").read_text() for f in traced + eager}
    assert len(texts) == 4
    assert all((tmp_path / f / "5-llvm-ir.ll").exists() for f in folders)


torch = pytest.importorskip("torch")
F = torch.nn.functional


@pytest.mark.parametrize("stride,padding,dilation,groups", [
    ((1, 1), (0, 0, 0, 0), (1, 1), 1), ((2, 2), (3, 3, 3, 3), (1, 1), 1),
    ((1, 2), (1, 0, 1, 0), (2, 1), 1), ((1, 1), (1, 1, 1, 1), (1, 1), 2),
    ((2, 2), (1, 1, 1, 1), (1, 1), 6)])
def test_conv2d_matches_torch(stride, padding, dilation, groups):
    x = rand(2, 6, 9, 9)
    w = rand(12, 6 // groups, 3, 3)
    got = run(lambda a, b: tian.Conv2dOp(a, b, strides=list(stride), padding=list(padding),
                                         dilations=list(dilation), groups=groups).result, x, w)
    pt, pl, pb, pr = padding
    assert (pt, pl) == (pb, pr)  # torch pads symmetrically
    want = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=stride, padding=(pt, pl),
                    dilation=dilation, groups=groups).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kernel,stride,padding,ceil", [
    ((3, 3), (2, 2), (1, 1), False), ((2, 2), (2, 2), (0, 0), True),
    ((3, 3), (2, 2), (1, 1), True), ((2, 3), (1, 2), (1, 0), False)])
def test_max_pool2d_matches_torch(kernel, stride, padding, ceil):
    x = rand(2, 3, 11, 10)
    pad4 = [padding[0], padding[1], padding[0], padding[1]]
    got = run(lambda a: tian.MaxPool2dOp(a, list(kernel), list(stride), padding=pad4,
                                         ceil_mode=ceil).result, x)
    want = F.max_pool2d(torch.from_numpy(x), kernel, stride, padding, ceil_mode=ceil).numpy()
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("include_pad", [True, False])
@pytest.mark.parametrize("kernel,stride,padding,ceil", [
    ((3, 3), (2, 2), (1, 1), False), ((2, 2), (2, 2), (0, 0), True),
    ((3, 3), (2, 2), (1, 1), True)])
def test_avg_pool2d_matches_torch(kernel, stride, padding, ceil, include_pad):
    x = rand(2, 3, 11, 10)
    pad4 = [padding[0], padding[1], padding[0], padding[1]]
    got = run(lambda a: tian.AvgPool2dOp(a, list(kernel), list(stride), padding=pad4,
                                         ceil_mode=ceil, count_include_pad=include_pad).result, x)
    want = F.avg_pool2d(torch.from_numpy(x), kernel, stride, padding, ceil_mode=ceil,
                        count_include_pad=include_pad).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_global_avg_pool2d():
    x = rand(2, 5, 7, 7)
    np.testing.assert_allclose(run(lambda a: tian.GlobalAvgPool2dOp(a).result, x),
                               x.mean(axis=(2, 3), keepdims=True), rtol=1e-5)


@pytest.mark.parametrize("axis,index_dtype", [(0, np.int64), (1, np.int32)])
def test_gather_matches_numpy_take(axis, index_dtype):
    table = rand(10, 6, 3)
    ids = RNG.integers(0, table.shape[axis], size=(2, 4)).astype(index_dtype)
    got = run(lambda t, i: tian.GatherOp(t, i, axis).result, table, ids)
    np.testing.assert_array_equal(got, np.take(table, ids, axis=axis))


def test_gather_wraps_negative_and_clamps_out_of_range_indices():
    table = rand(5, 2)
    ids = np.array([-3, 0, 4, 99, -1, -5, -6, -99], np.int64)
    got = run(lambda t, i: tian.GatherOp(t, i, 0).result, table, ids)
    np.testing.assert_array_equal(got, table[np.clip(np.where(ids < 0, ids + 5, ids), 0, 4)])


@pytest.mark.parametrize("axis,keepdims", [(0, False), (1, True), (2, False)])
def test_argmax_first_maximum(axis, keepdims):
    x = rand(4, 5, 6, dtype=np.int32)  # small ints: many ties, first one wins
    got = run(lambda a: tian.ArgmaxOp(a, axis, keepdims=keepdims).result, x)
    np.testing.assert_array_equal(got, np.argmax(x, axis=axis, keepdims=keepdims))
