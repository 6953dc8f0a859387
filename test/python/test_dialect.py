"""tian from Python: registration, generated builders, diagnostics, passes."""

import pytest
from mlir import ir
from mlir.dialects import func, linalg
from mlir.passmanager import PassManager

import tianc
from tianc.dialects import tian

MIXED_MODULE = """
func.func @mixed(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = tian.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %c = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = tian.mul %0, %f : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = tian.softmax %1 axis = 1 : tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}
"""


def f32(*shape):
    return ir.RankedTensorType.get(list(shape), ir.F32Type.get())


def test_every_new_context_knows_tian():
    for _ in range(2):
        module = ir.Module.parse(MIXED_MODULE, ir.Context())
        assert module.operation.verify()


def test_parsed_ops_are_generated_opview_classes():
    module = ir.Module.parse(MIXED_MODULE, ir.Context())
    ops = list(module.body.operations[0].regions[0].blocks[0].operations)
    assert isinstance(ops[0], tian.AddOp)
    assert isinstance(ops[3], linalg.FillOp)
    assert isinstance(ops[5], tian.SoftmaxOp)
    assert ops[5].axis.value == 1


def test_builders_infer_result_types():
    with ir.Context(), ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):

            @func.FuncOp.from_py_func(f32(4, 1), f32(3), f32(3, 5))
            def graph(a, b, w):
                s = tian.AddOp(a, b).result
                m = tian.MatmulOp(s, w).result
                r = tian.ReduceSumOp(m, [1], keepdims=True).result
                return tian.ReluOp(r).result

        ftype = graph.func_op.type
        assert str(ftype.results[0]) == "tensor<4x1xf32>"
        assert module.operation.verify()


def test_builder_shape_error_names_op_and_shapes():
    with ir.Context(), ir.Location.file("model.py", 12, 5):
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            with pytest.raises(ir.MLIRError) as info:

                @func.FuncOp.from_py_func(f32(4, 2), f32(5))
                def bad(a, b):
                    return tian.AddOp(a, b).result

    messages = [d.message for d in info.value.error_diagnostics]
    assert any("operand shapes [4, 2] and [5] are not broadcast-compatible" in m
               for m in messages), messages
    assert any('"model.py":12:5' in str(d.location) for d in info.value.error_diagnostics)


def test_parse_error_is_an_exception_not_a_crash():
    bad = """func.func @f(%a: tensor<2xf32>) -> tensor<3xf32> {
      %0 = tian.reshape %a to [3] : tensor<2xf32> -> tensor<3xf32>
      return %0 : tensor<3xf32>
    }"""
    with pytest.raises(ir.MLIRError, match=r"cannot reshape \[2\] \(2 elements\) to \[3\]"):
        ir.Module.parse(bad, ir.Context())


def test_tian_passes_run_from_python_by_name():
    ctx = ir.Context()
    module = ir.Module.parse(MIXED_MODULE, ctx)
    PassManager.parse("builtin.module(tian-decompose,canonicalize,cse)", ctx).run(
        module.operation)
    text = str(module)
    assert "tian.softmax" not in text
    for op in ("tian.reduce_max", "tian.exp", "tian.reduce_sum", "tian.div", "linalg.fill"):
        assert op in text, op


def test_enum_attributes_round_trip_from_python():
    with ir.Context(), ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):

            @func.FuncOp.from_py_func(f32(3), f32(3))
            def cmp(a, b):
                mask = tian.CompareOp(tian.ComparePredicate.le, a, b).result
                return tian.SelectOp(mask, a, b).result

        assert "tian.compare le" in str(module)
        assert str(cmp.func_op.type.results[0]) == "tensor<3xf32>"


def test_constant_folding_through_passmanager():
    src = """func.func @f() -> tensor<2xf32> {
      %a = tian.constant dense<[1.0, 2.0]> : tensor<2xf32>
      %b = tian.constant dense<3.0> : tensor<f32>
      %0 = tian.mul %a, %b : tensor<2xf32>, tensor<f32> -> tensor<2xf32>
      return %0 : tensor<2xf32>
    }"""
    ctx = ir.Context()
    module = ir.Module.parse(src, ctx)
    PassManager.parse("builtin.module(canonicalize)", ctx).run(module.operation)
    assert "dense<[3.000000e+00, 6.000000e+00]>" in str(module)
    assert "tian.mul" not in str(module)


def test_version():
    assert tianc.__version__


def test_builders_with_default_attributes():
    """Regression: inference used the adaptor's default getters, which crash
    when the Python bindings infer types (no attribute dictionary)."""
    with ir.Context(), ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):

            @func.FuncOp.from_py_func(f32(1, 3, 8, 8), f32(4, 3, 3, 3))
            def defaults(x, w):
                y = tian.Conv2dOp(x, w).result
                y = tian.MaxPool2dOp(y, [2, 2], [2, 2]).result
                y = tian.AvgPool2dOp(y, [1, 1], [1, 1]).result
                return tian.ReduceSumOp(y, [1]).result

        assert str(defaults.func_op.type.results[0]) == "tensor<1x3x3xf32>"
