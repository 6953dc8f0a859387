"""Custom ops from Python (tc.custom_op): compositions and linalg.generic-
style bodies, with shape and gradient rules, against PyTorch in eager mode,
traced code, AOT output and autograd, and the errors their authors meet."""

import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import tianc as tc
from tianc import cli, custom_ops
from tianc import functional as F

ROOT = Path(__file__).resolve().parents[2]
rng = np.random.default_rng(11)


@pytest.fixture(autouse=True)
def _own_registry():
    """Custom ops defined by a test do not outlive it (tianc ops lists them)."""
    saved = dict(custom_ops._registry)
    yield
    custom_ops._registry.clear()
    custom_ops._registry.update(saved)


def _example():
    spec = importlib.util.spec_from_file_location(
        "custom_op_example", ROOT / "examples" / "plugins" / "custom_op.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _torch_mish(x):
    return x * torch.tanh(torch.nn.functional.softplus(x))


def test_composition_with_its_own_gradient_matches_torch_eager_and_traced():
    example = _example()
    x = np.concatenate([rng.standard_normal(30), [0.0, 30.0, -30.0]]).astype(np.float32)
    tx = tc.tensor(x, requires_grad=True)
    y = example.mish(tx)
    (y * y).sum().backward()
    px = torch.from_numpy(x).requires_grad_()
    py = _torch_mish(px)
    (py * py).sum().backward()
    np.testing.assert_allclose(y.numpy(), py.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tx.grad.numpy(), px.grad.numpy(), rtol=1e-4, atol=1e-5)
    # The gradient is the rule's: one node for the op, not five inner ones.
    assert y._node.op_name == "examples.mish"
    # Traced: forward, and the gradient through tc.autograd.grad.
    forward = tc.jit.trace(example.mish)
    np.testing.assert_allclose(forward(tc.tensor(x)).numpy(), py.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    gradient = tc.jit.trace(tc.autograd.grad(lambda x: example.mish(x).sum()))
    px.grad = None
    _torch_mish(px).sum().backward()
    np.testing.assert_allclose(gradient(tc.tensor(x)).numpy(), px.grad.numpy(),
                               rtol=1e-4, atol=1e-5)


def test_composition_without_a_gradient_rule_is_differentiated_through():
    @tc.custom_op("test.scaled_square", shape=lambda x, scale=1.0: x)
    def scaled_square(x, scale=1.0):
        return x * x * scale

    x = rng.standard_normal((2, 3)).astype(np.float32)
    tx = tc.tensor(x, requires_grad=True)
    scaled_square(tx, scale=3.0).sum().backward()
    np.testing.assert_allclose(tx.grad.numpy(), 6.0 * x, rtol=1e-6)


def test_generic_reduction_with_gradient_matches_torch():
    example = _example()
    a = rng.standard_normal((7, 5)).astype(np.float32)
    b = rng.standard_normal((3, 5)).astype(np.float32)
    ta, tb = tc.tensor(a, requires_grad=True), tc.tensor(b, requires_grad=True)
    d = example.squared_distance(ta, tb)
    (d * tc.tensor(np.arange(21, dtype=np.float32).reshape(7, 3))).sum().backward()
    pa, pb = torch.from_numpy(a).requires_grad_(), torch.from_numpy(b).requires_grad_()
    pd = ((pa[:, None, :] - pb[None, :, :]) ** 2).sum(-1)
    (pd * torch.arange(21, dtype=torch.float32).reshape(7, 3)).sum().backward()
    np.testing.assert_allclose(d.numpy(), pd.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ta.grad.numpy(), pa.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(tb.grad.numpy(), pb.grad.numpy(), rtol=1e-4, atol=1e-5)
    traced = tc.jit.trace(lambda a, b: example.squared_distance(a, b) + 1.0)
    np.testing.assert_allclose(traced(tc.tensor(a), tc.tensor(b)).numpy(),
                               pd.detach().numpy() + 1.0, rtol=1e-5, atol=1e-6)
    assert "linalg.generic" in traced.ir("tian-optimized")


@pytest.mark.parametrize("shape", [(0, 4), (1, 1), (5, 33)])
def test_generic_elementwise_body_with_scalar_functions(shape):
    """A parallel-only body with comparisons, where, exp and maximum:
    eager and traced give numpy's values, NaN and infinities included."""
    clipped_exp = tc.custom_op(
        "test.clipped_exp", maps=["(i, j) -> (i, j)", "(i, j) -> (i, j)", "(i, j) -> (i, j)"],
        iterators=["parallel", "parallel"], shape=lambda x, y: x,
        body=lambda x, y, limit=2.0: custom_ops.where(
            x > limit, custom_ops.maximum(y, 0.0), custom_ops.exp(x) - y * 0.5))
    x = rng.standard_normal(shape).astype(np.float32) * 2
    y = rng.standard_normal(shape).astype(np.float32)
    if x.size:
        x.flat[0], y.flat[-1] = np.nan, np.inf
    want = np.where(x > 1.0, np.maximum(y, 0), np.exp(x) - y * 0.5)
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(clipped_exp(tc.tensor(x), tc.tensor(y), limit=1.0).numpy(),
                                   want, rtol=1e-6)
        traced = tc.jit.trace(lambda x, y: clipped_exp(x, y, limit=1.0))
        np.testing.assert_allclose(traced(tc.tensor(x), tc.tensor(y)).numpy(), want, rtol=1e-6)


def test_generic_body_on_integers_and_an_attribute():
    offset_product = tc.custom_op(
        "test.offset_product", maps=["(i) -> (i)", "(i) -> (i)", "(i) -> (i)"],
        iterators=["parallel"], shape=lambda a, b: a,
        body=lambda a, b, offset=0: a * b + offset - (a / 2))
    a = np.array([7, -7, 0, 100000], np.int32)
    b = np.array([3, 3, -5, 2], np.int32)
    got = offset_product(tc.tensor(a), tc.tensor(b), offset=10).numpy()
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, a * b + 10 - np.trunc(a / 2).astype(np.int32))
    # Another attribute value is another kernel, not the cached one.
    np.testing.assert_array_equal(offset_product(tc.tensor(a), tc.tensor(b), offset=-1).numpy(),
                                  a * b - 1 - np.trunc(a / 2).astype(np.int32))


def test_custom_ops_compile_ahead_of_time(tmp_path):
    from test_aot import _assert_close, _build_and_run

    example = _example()
    a = tc.tensor(rng.standard_normal((6, 4)).astype(np.float32))
    b = tc.tensor(rng.standard_normal((3, 4)).astype(np.float32))

    def model(a, b):
        return example.mish(example.squared_distance(a, b))

    result = tc.aot.compile(model, [a, b], output_dir=tmp_path / "out", name="custom",
                            progress=False)
    result.example_arrays = [a.numpy(), b.numpy()]
    got = _build_and_run(result, tmp_path, "cc")
    _assert_close(got, [model(a, b).numpy()])


def test_tianc_ops_lists_custom_ops_of_a_file():
    example = str(ROOT / "examples" / "plugins" / "custom_op.py")
    listed = subprocess.run([sys.executable, "-m", "tianc.cli", "ops", "--load-python", example],
                            capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "custom ops (tc.custom_op):" in lines and lines[-1] == "2 custom ops"
    assert any(line.startswith("examples.squared_distance") and "custom (generic)" in line
               for line in lines)
    _example()
    out = io.StringIO()
    cli.list_ops(out)  # this process's own list
    assert "examples.mish" in out.getvalue()


@pytest.mark.parametrize("make, message", [
    (lambda: tc.custom_op("softplus")(lambda x: x), r"named 'namespace.op'"),
    (lambda: tc.custom_op("tian.mine")(lambda x: x), r"the 'tian' namespace"),
    (lambda: tc.custom_op("t.a", maps=["(i) -> (i)"] * 2, iterators=["parallel"],
                          body=lambda x: x), r"a body needs a shape rule"),
    (lambda: tc.custom_op("t.a", maps=["(i) -> (i)", "(i) -> ()"], iterators=["reduction"],
                          shape=lambda x: (), body=lambda x, acc: acc + x),
     r"a reduction needs the output's start value"),
    (lambda: tc.custom_op("t.a", maps=["(i) -> (i", "(i) -> (i)"], iterators=["parallel"],
                          shape=lambda x: x, body=lambda x: x), r"bad indexing map '\(i\) -> \(i'"),
    (lambda: tc.custom_op("t.a", maps=["(i, j) -> (i)", "(i) -> (i)"], iterators=["parallel"],
                          shape=lambda x: x, body=lambda x: x), r"has 2 dims, the iterators 1"),
    (lambda: tc.custom_op("t.a", maps=["(i) -> (i)"] * 2, iterators=["window"],
                          shape=lambda x: x, body=lambda x: x), r"not 'window'"),
])
def test_bad_definitions_are_refused_where_they_are_written(make, message):
    with pytest.raises(tc.TianError, match=message):
        make()


def test_bad_calls_name_the_op_the_shapes_and_the_line():
    add = tc.custom_op("test.add", maps=["(i) -> (i)"] * 3, iterators=["parallel"],
                       shape=lambda a, b: a, body=lambda a, b: a + b)
    with pytest.raises(tc.TianError, match=r"test_custom_ops.py:\d+: test.add: loop dim d0 is 3 "
                                           r"in one operand and 4 in another"):
        add(tc.ones(3), tc.ones(4))
    with pytest.raises(tc.TianError, match=r"test.add takes 2 inputs"):
        add(tc.ones(3))
    unread = tc.custom_op("test.unread", maps=["(i, j) -> (i)", "(i, j) -> (i)"],
                          iterators=["parallel", "parallel"], shape=lambda a: a,
                          body=lambda a: a)
    with pytest.raises(tc.TianError, match=r"loop dim d1 is not read as a whole dim"):
        unread(tc.ones(2))
    typed = tc.custom_op("test.typed", maps=["(i) -> (i)"] * 2, iterators=["parallel"],
                         shape=lambda a: a, body=lambda a: a > 0.0)
    with pytest.raises(tc.TianError, match=r"test.typed: its body returns i1, the output's "
                                           r"element type is f32"):
        typed(tc.ones(2))

    @tc.custom_op("test.wrong_shape", shape=lambda x: (x[0] + 1,))
    def wrong_shape(x):
        return x * 2.0

    with pytest.raises(tc.TianError, match=r"its shape rule says \[4\] for inputs of shapes "
                                           r"\[\[3\]\], the composition made \[3\]"):
        wrong_shape(tc.ones(3))

    @tc.custom_op("test.bad_gradient", grad=lambda g, inputs, out: g.sum())
    def bad_gradient(x):
        return x * 2.0

    x = tc.tensor(np.ones(3, np.float32), requires_grad=True)
    with pytest.raises(tc.TianError, match=r"gradient rule of test.bad_gradient gave input #0 "
                                           r"\(shape \[3\]\) a gradient of shape \[\]"):
        bad_gradient(x).sum().backward()


def test_a_body_cannot_branch_and_integer_division_is_defined():
    branching = tc.custom_op("test.branching", maps=["(i) -> (i)"] * 2, iterators=["parallel"],
                             shape=lambda x: x, body=lambda x: x if x > 0.0 else 0.0)
    with pytest.raises(tc.TianError, match=r"cannot branch on a Scalar .* Use "
                                           r"tc.custom_ops.where"):
        branching(tc.ones(3))
    equal = tc.custom_op("test.equal", maps=["(i) -> (i)"] * 3, iterators=["parallel"],
                         shape=lambda a, b: a, dtype=tc.int32,
                         body=lambda a, b: custom_ops.where(a == b, a, b * 2))
    a = np.array([1, 2, 3], np.int32)
    b = np.array([1, 5, 3], np.int32)
    np.testing.assert_array_equal(equal(tc.tensor(a), tc.tensor(b)).numpy(), [1, 10, 3])
    divide = tc.custom_op("test.divide", maps=["(i) -> (i)"] * 3, iterators=["parallel"],
                          shape=lambda a, b: a, body=lambda a, b: a / b)
    smallest = np.iinfo(np.int32).min
    a = np.array([7, -7, 5, smallest, smallest], np.int32)
    b = np.array([2, 2, 0, -1, 1], np.int32)
    np.testing.assert_array_equal(divide(tc.tensor(a), tc.tensor(b)).numpy(),
                                  [3, -3, 0, smallest, smallest])


def test_a_generic_op_without_a_gradient_rule_says_so():
    square = tc.custom_op("test.square", maps=["(i) -> (i)"] * 2, iterators=["parallel"],
                          shape=lambda x: x, body=lambda x: x * x)
    x = tc.tensor(np.ones(3, np.float32), requires_grad=True)
    with pytest.raises(tc.TianError, match=r"test.square has no gradient rule"):
        (square(x) + x).sum().backward()


def test_a_redefined_generic_op_gets_a_new_eager_kernel():
    """The eager kernel cache keys on the whole definition: the same name
    and body with another init= (a notebook cell run again) is new code."""
    x = tc.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    results = []
    for start in (0.0, 100.0):
        total = tc.custom_op("test.total", maps=["(i, j) -> (i, j)", "(i, j) -> (i)"],
                             iterators=["parallel", "reduction"], init=start,
                             shape=lambda x: x[:1], body=lambda x, acc: acc + x)
        results.append(total(x).numpy())
    np.testing.assert_array_equal(results[0], [3, 12])
    np.testing.assert_array_equal(results[1], [103, 112])
