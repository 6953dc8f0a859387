"""Unsigned (uint8/16/32/64) and int16 tensors against numpy, eager and
compiled: the unsigned arithmetic must survive tian-signless-integers (the
lowering computes on signless integers with the signedness in the ops)."""

import numpy as np
import pytest

import tianc as tc
import tianc.functional as F

UNSIGNED = [np.uint8, np.uint16, np.uint32, np.uint64]
INTEGERS = UNSIGNED + [np.int16]


def _values(dtype, size, seed=0):
    """Values over the whole range, with the extremes (0, the largest) in."""
    info = np.iinfo(dtype)
    rng = np.random.default_rng(seed)
    values = rng.integers(info.min, info.max, size, dtype=dtype, endpoint=True)
    values[:3] = [info.min, info.max, 1]
    return values


def _divisors(dtype, size):
    b = _values(dtype, size, seed=1)
    b[0] = 0  # x / 0 and x % 0 are 0
    return b


def _safe(op, a, b):
    with np.errstate(all="ignore"):
        return np.where(b == 0, 0, op(a, np.where(b == 0, 1, b))).astype(a.dtype)


CASES = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: F.div(a, b, rounding_mode="trunc"),
            lambda a, b: _safe(lambda x, y: np.trunc(x / y) if x.dtype.kind == "i" else x // y, a, b)),
    "remainder": (F.remainder, lambda a, b: _safe(np.mod, a, b)),
    "maximum": (F.maximum, np.maximum),
    "minimum": (F.minimum, np.minimum),
    "lt": (F.lt, np.less),
    "ge": (F.ge, np.greater_equal),
    "bitwise_xor": (F.bitwise_xor, np.bitwise_xor),
}


@pytest.mark.parametrize("dtype", INTEGERS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", sorted(CASES))
def test_binary_ops_match_numpy_eager_and_compiled(dtype, name):
    op, reference = CASES[name]
    a, b = _values(dtype, 64), _divisors(dtype, 64)
    if name == "div" and np.dtype(dtype).kind == "i":
        a[a == np.iinfo(dtype).min] = 0  # MIN / -1 overflows (tianc wraps, numpy warns)
    with np.errstate(all="ignore"):
        expected = reference(a, b)
    eager = op(tc.tensor(a), tc.tensor(b)).numpy()
    compiled = tc.jit.trace(op)(tc.tensor(a), tc.tensor(b)).numpy()
    for got in (eager, compiled):
        assert got.dtype == np.asarray(expected).dtype
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", UNSIGNED, ids=lambda d: np.dtype(d).name)
def test_shifts_bring_in_zeros_and_shift_out_everything(dtype):
    a = _values(dtype, 16)
    bits = np.iinfo(dtype).bits
    amounts = np.array([0, 1, 3, bits - 1, bits, bits + 5] * 3, dtype)[:16]
    right = np.where(amounts >= bits, 0, a >> np.minimum(amounts, bits - 1)).astype(dtype)
    left = np.where(amounts >= bits, 0, a << np.minimum(amounts, bits - 1)).astype(dtype)

    def shifts(x, s):
        return F.bitwise_right_shift(x, s), F.bitwise_left_shift(x, s)
    for got in (shifts(tc.tensor(a), tc.tensor(amounts)),
                tc.jit.trace(shifts)(tc.tensor(a), tc.tensor(amounts))):
        np.testing.assert_array_equal(got[0].numpy(), right)
        np.testing.assert_array_equal(got[1].numpy(), left)


@pytest.mark.parametrize("dtype", INTEGERS, ids=lambda d: np.dtype(d).name)
def test_reductions_and_argmax_order_unsigned_values(dtype):
    x = _values(dtype, 24).reshape(4, 6)

    def reductions(v):
        return F.amax(v, 1), F.amin(v, 0), F.argmax(v, 1), F.sum(v, 1), F.topk(v, 2, 1)[0]
    expected = (x.max(1), x.min(0), x.argmax(1), x.sum(1, dtype=dtype), np.sort(x, 1)[:, ::-1][:, :2])
    for got in (reductions(tc.tensor(x)), tc.jit.trace(reductions)(tc.tensor(x))):
        for value, want in zip(got, expected):
            np.testing.assert_array_equal(value.numpy(), want)


@pytest.mark.parametrize("dtype", UNSIGNED, ids=lambda d: np.dtype(d).name)
def test_casts_zero_extend_and_convert_unsigned(dtype):
    x = _values(dtype, 16)

    def casts(v):
        return F.cast(v, tc.float32), F.cast(v, tc.int64), F.cast(v, tc.bool_)
    expected = (x.astype(np.float32), x.astype(np.int64), x.astype(bool))
    for got in (casts(tc.tensor(x)), tc.jit.trace(casts)(tc.tensor(x))):
        for value, want in zip(got, expected):
            np.testing.assert_array_equal(value.numpy(), want)
    # Floats in range convert exactly, truncating toward zero.
    top = float(min(np.iinfo(dtype).max, 2 ** 24))
    floats = np.array([0.0, 0.9, 1.5, 250.7, top], np.float32)
    for got in (F.cast(tc.tensor(floats), dtype), tc.jit.trace(lambda v: F.cast(v, dtype))(tc.tensor(floats))):
        np.testing.assert_array_equal(got.numpy(), floats.astype(dtype))


def test_signed_to_unsigned_wraps_as_numpy():
    x = np.array([-1, -128, 0, 127], np.int8)
    np.testing.assert_array_equal(F.cast(tc.tensor(x), tc.uint8).numpy(), x.astype(np.uint8))
    np.testing.assert_array_equal(F.cast(tc.tensor(x), tc.uint32).numpy(), x.astype(np.uint32))


def test_promotion_follows_numpy():
    a = tc.tensor(np.array([200, 255], np.uint8))
    b = tc.tensor(np.array([-1, 1], np.int8))
    out = a + b
    assert out.dtype == np.int16
    np.testing.assert_array_equal(out.numpy(), np.array([199, 256], np.int16))
    assert (a + 1).dtype == np.uint8  # a Python scalar takes the tensor's dtype
    np.testing.assert_array_equal((a + 1).numpy(), np.array([201, 0], np.uint8))


def test_constants_fold_with_unsigned_semantics():
    big = tc.tensor(np.array([255, 128], np.uint8))

    def f(x):
        # big is captured: max, compare and division of constants fold at compile time
        return F.maximum(x, big), F.lt(big, x), F.div(big, tc.tensor(np.array([2, 3], np.uint8)),
                                                        rounding_mode="trunc")
    traced = tc.jit.trace(f)
    x = np.array([1, 200], np.uint8)
    got = traced(tc.tensor(x))
    np.testing.assert_array_equal(got[0].numpy(), np.maximum(x, [255, 128]))
    np.testing.assert_array_equal(got[1].numpy(), np.array([255, 128], np.uint8) < x)
    np.testing.assert_array_equal(got[2].numpy(), np.array([127, 42], np.uint8))


@pytest.mark.parametrize("shape", [(0,), (1,), (3, 0), (1, 1)])
def test_empty_and_single_element_shapes(shape):
    x = np.full(shape, 250, np.uint8)
    np.testing.assert_array_equal((tc.tensor(x) + tc.tensor(x)).numpy(), x + x)
    np.testing.assert_array_equal(tc.jit.trace(lambda v: v * v)(tc.tensor(x)).numpy(), x * x)


def test_image_batch_uint8_to_float_and_max_pool():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (2, 3, 8, 8), dtype=np.uint8)

    def preprocess(v):
        return F.max_pool2d(v, 2), F.mul(F.cast(v, tc.float32), 1 / 255)
    for pooled, scaled in (preprocess(tc.tensor(image)), tc.jit.trace(preprocess)(tc.tensor(image))):
        np.testing.assert_array_equal(pooled.numpy(), image.reshape(2, 3, 4, 2, 4, 2).max((3, 5)))
        np.testing.assert_allclose(scaled.numpy(), image.astype(np.float32) / 255, rtol=1e-6)


def test_integer_convolution_accumulates_exactly():
    rng = np.random.default_rng(4)
    x = rng.integers(-100, 100, (1, 2, 5, 5)).astype(np.int32)
    w = rng.integers(-100, 100, (3, 2, 3, 3)).astype(np.int32)
    expected = np.zeros((1, 3, 3, 3), np.int32)
    for o in range(3):
        for i in range(3):
            for j in range(3):
                expected[0, o, i, j] = (x[0, :, i:i + 3, j:j + 3] * w[o]).sum()
    for got in (F.conv2d(tc.tensor(x), tc.tensor(w)), tc.jit.trace(F.conv2d)(tc.tensor(x), tc.tensor(w))):
        np.testing.assert_array_equal(got.numpy(), expected)


def test_bitcast_matches_numpy_view():
    x = np.array([1.0, -0.0, np.inf, np.nan], np.float32)
    for got in (F.bitcast(tc.tensor(x), tc.int32), tc.jit.trace(lambda v: v.view(tc.int32))(tc.tensor(x))):
        np.testing.assert_array_equal(got.numpy(), x.view(np.int32))
    u = np.array([255, 0, 128], np.uint8)
    np.testing.assert_array_equal(F.bitcast(tc.tensor(u), tc.int8).numpy(), u.view(np.int8))
    flags = np.array([True, False], bool)
    np.testing.assert_array_equal(F.bitcast(tc.tensor(flags), tc.uint8).numpy(), flags.view(np.uint8))
    with pytest.raises(tc.TianError, match="differ in width"):
        F.bitcast(tc.tensor(x), tc.int16)
    assert tc.tensor(x).view(2, 2).shape == (2, 2)  # a shape still reshapes


def test_from_numpy_shares_unsigned_arrays():
    array = np.arange(6, dtype=np.uint16)
    shared = tc.from_numpy(array)
    array[0] = 65535
    assert shared.dtype == np.uint16 and int(shared.numpy()[0]) == 65535


def test_onnx_export_of_unsigned_ops_runs_in_onnx_runtime(tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    x = np.array([3, 200, 255, 0], np.uint8)
    y = np.array([2, 7, 255, 1], np.uint8)

    def f(a, b):
        return F.maximum(a, b), F.div(a, b, rounding_mode="trunc"), F.lt(a, b), F.cast(a, tc.float32)
    path = tmp_path / "unsigned.onnx"
    tc.onnx.export(f, (tc.tensor(x), tc.tensor(y)), path)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    got = session.run(None, dict(zip(names, (x, y))))
    for value, want in zip(got, [t.numpy() for t in f(tc.tensor(x), tc.tensor(y))]):
        np.testing.assert_array_equal(value, want)
