"""tianc functions and modules as ONNX models.

``export`` traces the function (as ``tc.jit.trace`` does), then writes each
op of the traced tian function as ONNX nodes: the graph ONNX Runtime runs is
the graph tianc compiles. Tensors the function reads from outside (a
module's parameters and buffers) become initializers, named as in
``named_parameters``; constants become initializers too. The model is
checked with ``onnx.checker`` before it is written.
"""

import math

import numpy as np
from mlir import ir

from .._dispatch import TianError
from .. import dtypes

DEFAULT_OPSET = 17
MIN_EXPORT_OPSET = 17  # LayerNormalization, axes as inputs

_UNARY = {"neg": "Neg", "abs": "Abs", "relu": "Relu", "exp": "Exp", "log": "Log",
          "sqrt": "Sqrt", "tanh": "Tanh", "sigmoid": "Sigmoid", "erf": "Erf", "sin": "Sin",
          "cos": "Cos", "floor": "Floor", "ceil": "Ceil", "not": "Not", "asin": "Asin",
          "acos": "Acos", "atan": "Atan", "asinh": "Asinh", "acosh": "Acosh", "atanh": "Atanh"}
# Bitwise ops: ONNX's Bitwise* (opset 18) on integers, its logical ops on bools.
_BITWISE = {"bitwise_and": ("BitwiseAnd", "And"), "bitwise_or": ("BitwiseOr", "Or"),
            "bitwise_xor": ("BitwiseXor", "Xor"), "bitwise_not": ("BitwiseNot", None)}
# BitShift takes signed integers from opset 28 (before: unsigned only).
_SHIFT_OPSET = 28
_BITCAST_OPSET = 26
_BINARY = {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div", "pow": "Pow", "max": "Max",
           "min": "Min"}
_REDUCE = {"reduce_sum": "ReduceSum", "reduce_max": "ReduceMax", "reduce_min": "ReduceMin",
           "reduce_prod": "ReduceProd", "reduce_mean": "ReduceMean"}


def _onnx_type(element_type):
    from onnx import helper

    return helper.np_dtype_to_tensor_dtype(dtypes.from_mlir(element_type))


def _array(attr, tensor_type):
    shape = tuple(tensor_type.shape)
    dtype = dtypes.from_mlir(tensor_type.element_type)
    if attr.is_splat:
        return np.full(shape, attr.get_splat_value().value, dtype)
    try:
        return np.array(attr, dtype=dtype).reshape(shape)
    except (TypeError, ValueError, RuntimeError):
        return np.array([attr[i] for i in range(len(attr))], dtype).reshape(shape)


class _Writer:
    """Collects nodes and initializers; names every value once."""

    def __init__(self, opset):
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.opset = opset
        self.nodes, self.initializers, self.names = [], [], {}
        self.count = 0

    def fresh(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def name(self, value):
        return self.names[value]

    def constant(self, array, hint="const"):
        name = self.fresh(hint)
        # (np.ascontiguousarray would make a 0-d array 1-d)
        self.initializers.append(self.numpy_helper.from_array(np.array(array, order="C"), name))
        return name

    def ints(self, values, hint="ints"):
        return self.constant(np.array(list(values), np.int64), hint)

    def node(self, op_type, inputs, outputs=None, **attrs):
        outputs = outputs or [self.fresh(op_type.lower())]
        self.nodes.append(self.helper.make_node(op_type, inputs, outputs,
                                                name=self.fresh(op_type), **attrs))
        return outputs[0]


def _emit(writer, op, predicates, approximations):
    """The ONNX nodes of one tian op; returns its result's name."""
    name = op.name[len("tian."):]
    attrs = op.attributes
    args = [writer.name(v) for v in op.operands]
    result_type = ir.RankedTensorType(op.results[0].type)

    def i64(key):
        return ir.IntegerAttr(attrs[key]).value

    def i64s(key):
        return list(ir.DenseI64ArrayAttr(attrs[key]))

    def f64(key, default):
        return ir.FloatAttr(attrs[key]).value if key in attrs else default

    if name == "constant":
        return writer.constant(_array(attrs["value"], result_type))
    if name == "iota":
        shape, dim = tuple(result_type.shape), i64("dim")
        positions = np.arange(shape[dim]).reshape([-1 if i == dim else 1 for i in range(len(shape))])
        return writer.constant(np.broadcast_to(positions, shape).astype(
            dtypes.from_mlir(result_type.element_type)))
    if name in _UNARY:
        return writer.node(_UNARY[name], args)
    if name == "rsqrt":
        return writer.node("Reciprocal", [writer.node("Sqrt", args)])
    if name == "gelu":
        approximate = approximations[ir.IntegerAttr(attrs["approximate"]).value] \
            if "approximate" in attrs else "none"
        if writer.opset >= 20:
            return writer.node("Gelu", args, approximate=approximate)
        dtype = dtypes.from_mlir(result_type.element_type)
        half, one = writer.constant(np.array(0.5, dtype)), writer.constant(np.array(1.0, dtype))
        if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            cube = writer.node("Mul", [writer.node("Mul", [args[0], args[0]]), args[0]])
            inner = writer.node("Add", [args[0], writer.node(
                "Mul", [cube, writer.constant(np.array(0.044715, dtype))])])
            curve = writer.node("Tanh", [writer.node(
                "Mul", [inner, writer.constant(np.array(math.sqrt(2 / math.pi), dtype))])])
        else:  # 0.5 x (1 + erf(x / sqrt(2)))
            curve = writer.node("Erf", [writer.node(
                "Mul", [args[0], writer.constant(np.array(1 / math.sqrt(2), dtype))])])
        return writer.node("Mul", [writer.node("Mul", [args[0], half]),
                                   writer.node("Add", [curve, one])])
    if name in _BINARY:
        return writer.node(_BINARY[name], args)
    if name == "rem":  # C's fmod
        return writer.node("Mod", args, fmod=1)
    if name in _BITWISE:
        integer_op, bool_op = _BITWISE[name]
        if str(result_type.element_type) == "i1":
            return writer.node(bool_op, args)
        if writer.opset < 18:
            raise TianError(f"ONNX export of {op.name} needs opset 18 or newer (BitwiseAnd ...)")
        return writer.node(integer_op, args)
    if name in ("shift_left", "shift_right"):
        if writer.opset < _SHIFT_OPSET and not str(result_type.element_type).startswith("ui"):
            raise TianError(f"ONNX export of {op.name} needs opset {_SHIFT_OPSET} or newer "
                            "(BitShift of signed integers)")
        return writer.node("BitShift", args, direction="LEFT" if name == "shift_left" else "RIGHT")
    if name == "compare":
        predicate = predicates[ir.IntegerAttr(attrs["predicate"]).value]
        if predicate == "ne":
            return writer.node("Not", [writer.node("Equal", args)])
        return writer.node({"eq": "Equal", "lt": "Less", "le": "LessOrEqual", "gt": "Greater",
                            "ge": "GreaterOrEqual"}[predicate], args)
    if name == "select":
        return writer.node("Where", args)
    if name == "cast":
        return writer.node("Cast", args, to=_onnx_type(result_type.element_type))
    if name == "bitcast":
        if writer.opset < _BITCAST_OPSET:
            raise TianError(f"ONNX export of {op.name} needs opset {_BITCAST_OPSET} or newer (BitCast)")
        return writer.node("BitCast", args, to=_onnx_type(result_type.element_type))
    if name == "matmul":
        return writer.node("MatMul", args)
    if name == "conv2d":
        return writer.node("Conv", args, strides=i64s("strides"), pads=i64s("padding"),
                           dilations=i64s("dilations"), group=i64("groups"))
    if name in ("max_pool2d", "avg_pool2d"):
        common = dict(kernel_shape=i64s("kernel_size"), strides=i64s("strides"),
                      pads=i64s("padding"), ceil_mode=int("ceil_mode" in attrs))
        if name == "max_pool2d":
            return writer.node("MaxPool", args, dilations=i64s("dilations"), **common)
        include = ir.BoolAttr(attrs["count_include_pad"]).value if "count_include_pad" in attrs \
            else True
        return writer.node("AveragePool", args, count_include_pad=int(include), **common)
    if name == "global_avg_pool2d":
        return writer.node("GlobalAveragePool", args)
    if name in _REDUCE:
        keep = int("keepdims" in attrs)
        axes = i64s("axes")
        if name == "reduce_sum" or writer.opset >= 18:
            return writer.node(_REDUCE[name], args + [writer.ints(axes, "axes")], keepdims=keep)
        return writer.node(_REDUCE[name], args, axes=axes, keepdims=keep)
    if name == "argmax":
        return writer.node("ArgMax", args, axis=i64("axis"), keepdims=int("keepdims" in attrs))
    if name in ("softmax", "log_softmax"):
        return writer.node("Softmax" if name == "softmax" else "LogSoftmax", args,
                           axis=i64("axis"))
    if name == "layer_norm":
        axis = i64("axis")
        input_type = ir.RankedTensorType(op.operands[0].type)
        normalized = tuple(input_type.shape)[axis:]
        dtype = dtypes.from_mlir(input_type.element_type)
        view = op.opview
        weight = writer.name(view.weight) if view.weight is not None else \
            writer.constant(np.ones(normalized, dtype))
        bias = [writer.name(view.bias)] if view.bias is not None else []
        return writer.node("LayerNormalization", [args[0], weight] + bias, axis=axis,
                           epsilon=f64("epsilon", 1e-5))
    if name == "batch_norm":
        return writer.node("BatchNormalization", args, epsilon=f64("epsilon", 1e-5))
    if name in ("reshape", "broadcast_to"):
        shape = writer.ints(i64s("shape"), "shape")
        if name == "reshape":  # allowzero: a 0 is a 0 (an empty dim), not "copy the input's"
            return writer.node("Reshape", [args[0], shape], allowzero=1)
        return writer.node("Expand", [args[0], shape])
    if name == "expand_dims":
        return writer.node("Unsqueeze", [args[0], writer.ints(i64s("axes"), "axes")])
    if name == "squeeze":
        return writer.node("Squeeze", [args[0], writer.ints(i64s("axes"), "axes")])
    if name == "transpose":
        return writer.node("Transpose", args, perm=i64s("perm"))
    if name == "concat":
        return writer.node("Concat", args, axis=i64("axis"))
    if name == "slice":
        starts = i64s("starts")
        return writer.node("Slice", [args[0], writer.ints(starts, "starts"),
                                     writer.ints(i64s("limits"), "ends"),
                                     writer.ints(range(len(starts)), "axes"),
                                     writer.ints(i64s("steps"), "steps")])
    if name == "pad":
        pads = writer.ints(i64s("low") + i64s("high"), "pads")
        dtype = dtypes.from_mlir(result_type.element_type)
        value = writer.constant(np.array(f64("value", 0.0), dtype))
        return writer.node("Pad", [args[0], pads, value], mode="constant")
    if name == "gather":
        return writer.node("Gather", args, axis=i64("axis"))
    raise TianError(f"ONNX export does not map {op.name} yet")


def export(model, example_inputs, path=None, opset=DEFAULT_OPSET, name=None):
    """Writes ``model`` (a function or nn.Module), traced on
    ``example_inputs``, as an ONNX model to ``path`` (or returns its bytes
    when ``path`` is None). Inputs are named after the function's
    parameters, initializers after the module's parameters."""
    from onnx import checker, helper

    from ..aot import _check_arguments, _input_names, _weight_names
    from ..dialects import tian
    from ..jit import record

    if not MIN_EXPORT_OPSET <= opset <= _max_opset():
        raise TianError(f"ONNX export writes opsets {MIN_EXPORT_OPSET}-{_max_opset()}, not {opset}")
    inputs = _check_arguments(model, example_inputs)
    name = name or getattr(model, "__name__", type(model).__name__)
    recorded = record(model, inputs, "main")
    from ..random import generator_state

    if any(tensor is generator_state() for tensor, _, _ in recorded.state):
        raise TianError(f"{name} draws random numbers (rand, randn, dropout in training mode): "
                        "ONNX export takes deterministic functions (call model.eval())")
    if recorded.state:
        raise TianError(f"{name} updates parameters or gradients while it runs: ONNX export "
                        "takes inference functions")
    writer = _Writer(opset)
    predicates = {int(getattr(tian.ComparePredicate, p)): p
                  for p in ("eq", "ne", "lt", "le", "gt", "ge")}
    approximations = {int(tian.GeluApproximation.none): "none",
                      int(tian.GeluApproximation.tanh): "tanh"}
    function = recorded.module.body.operations[0]
    block = function.regions[0].blocks[0]
    input_names = _input_names(model, len(inputs))
    graph_inputs, outputs = [], []
    with recorded.module.context:
        for value, input_name in zip(block.arguments, input_names):
            writer.names[value] = input_name
            value_type = ir.RankedTensorType(value.type)
            graph_inputs.append(helper.make_tensor_value_info(
                input_name, _onnx_type(value_type.element_type), list(value_type.shape)))
        weights = _weight_names(model, recorded.captured)
        for value, weight_name, tensor in zip(block.arguments[len(inputs):], weights,
                                              recorded.captured):
            writer.names[value] = weight_name
            writer.initializers.append(writer.numpy_helper.from_array(
                np.array(tensor.numpy(), order="C"), weight_name))
        for op in block.operations:
            op = op.operation
            if op.name == "func.return":
                returned = list(op.operands)
                break
            writer.names[op.results[0]] = _emit(writer, op, predicates, approximations)
        for index, value in enumerate(returned):
            output_name = f"output{index}" if len(returned) > 1 else "output"
            writer.node("Identity", [writer.name(value)], [output_name])
            value_type = ir.RankedTensorType(value.type)
            outputs.append(helper.make_tensor_value_info(
                output_name, _onnx_type(value_type.element_type), list(value_type.shape)))
    graph = helper.make_graph(writer.nodes, str(name), graph_inputs, outputs, writer.initializers)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                                   producer_name="tianc")
    onnx_model.ir_version = min(onnx_model.ir_version, 10)  # what ONNX Runtime 1.32 reads
    checker.check_model(onnx_model, full_check=True)
    data = onnx_model.SerializeToString()
    if path is None:
        return data
    with open(path, "wb") as file:
        file.write(data)
    return None


def _max_opset():
    import onnx.defs

    return onnx.defs.onnx_opset_version()
