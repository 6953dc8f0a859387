"""ONNX models as tianc modules.

``load`` reads a model (parsed by the ``onnx`` package: protobuf, external
data, opset imports), checks it in one pass that lists every problem, and
returns an ``OnnxModule``. Its float initializers are Parameters named as in
the model (PyTorch's ``conv1.weight``, ...), so an imported model trains;
integer initializers are known arrays (shapes, indices). ``forward`` runs the
graph's nodes in order through ``tianc.onnx.ops``: eagerly, or traced by
``tc.jit.trace`` / ``tc.aot.compile`` like any module. Every op a node
builds carries the node's name and type as its MLIR location, so errors and
reports name the node.
"""

from pathlib import Path

import numpy as np

from .. import dtypes
from .._dispatch import TianError, origin
from ..nn.module import Module, Parameter
from ..tensor import Tensor
from . import ops as onnx_ops

# The standard domain's opsets tianc reads: from 1 (the opset 6 models of the
# old PyTorch exporter, ONNX's shipped suites) to the newest the pinned onnx
# release defines. Ops read the opset where their meaning changed.
MIN_OPSET = 1


def max_opset():
    import onnx.defs

    return onnx.defs.onnx_opset_version()


def _onnx():
    try:
        import onnx
    except ImportError:
        raise TianError("tianc.onnx needs the onnx package: pip install onnx") from None
    return onnx


def read_model(source):
    """(ModelProto, the file it came from or '<bytes>'/'<model>') from a path,
    bytes or a ModelProto; a damaged file is a TianError naming it."""
    onnx = _onnx()
    from google.protobuf.message import DecodeError

    if isinstance(source, onnx.ModelProto):
        return source, source.graph.name or "<model>"
    if isinstance(source, (bytes, bytearray, memoryview)):
        try:
            return onnx.load_model_from_string(bytes(source)), "<bytes>"
        except (DecodeError, ValueError, RuntimeError) as error:
            raise TianError(f"<bytes>: not an ONNX model ({error})") from None
    path = Path(source)
    if not path.is_file():
        raise TianError(f"{path}: no such ONNX file")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except (DecodeError, ValueError, RuntimeError, OSError) as error:
        raise TianError(f"{path}: not an ONNX model (damaged or truncated: {error})") from None
    try:
        from onnx.external_data_helper import load_external_data_for_model

        load_external_data_for_model(model, str(path.parent))
    except (OSError, ValueError, onnx.checker.ValidationError) as error:
        raise TianError(f"{path}: cannot read its external data ({error})") from None
    return model, str(path)


def _opset(model):
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return entry.version
    return None


def _attributes(node, opset, source):
    from onnx import GraphProto, helper

    values = {}
    for attribute in node.attribute:
        value = helper.get_attribute_value(attribute)
        if isinstance(value, GraphProto):  # the body of If, Loop, Scan
            value = Subgraph(value, opset, source)
        elif isinstance(value, bytes):
            value = value.decode()
        elif isinstance(value, list) and value and isinstance(value[0], bytes):
            value = [v.decode() for v in value]
        values[attribute.name] = value
    return values


def _node_label(node, index):
    return f"node {node.name or f'#{index}'} ({node.op_type})"


def problems(model):
    """Every reason ``model`` cannot be imported, each naming its node:
    unknown domains and opsets, unsupported ops, values used before they
    are defined (a cycle or a missing initializer), in subgraphs too."""
    found = []
    opset = _opset(model)
    newest = max_opset()
    # A model of other domains only (training ops) needs no standard opset.
    if opset is None and (not model.opset_import or any(n.domain in ("", "ai.onnx")
                                                        for n in model.graph.node)):
        found.append("the model imports no standard-domain (ai.onnx) opset")
    elif opset is not None and not MIN_OPSET <= opset <= newest:
        found.append(f"opset {opset} is outside the supported range {MIN_OPSET}-{newest}")
    _graph_problems(model.graph, {""}, found, "")
    return found


def _graph_problems(graph, outer, found, where):
    """Adds the problems of ``graph`` (a model's graph or a subgraph, which
    sees the names ``outer`` defines) to ``found``."""
    from onnx import AttributeProto

    defined = set(outer) | {i.name for i in graph.initializer} | {i.name for i in graph.input}
    for index, node in enumerate(graph.node):
        label = where + _node_label(node, index)
        if node.domain in onnx_ops.DOMAIN_OPS:
            if node.op_type not in onnx_ops.DOMAIN_OPS[node.domain]:
                found.append(f"{label}: op {node.op_type} of domain {node.domain!r} is not supported")
        elif node.domain not in ("", "ai.onnx"):
            found.append(f"{label}: domain {node.domain!r} is not supported")
        elif node.op_type not in onnx_ops.OPS or any(
                node.op_type in ops for ops in onnx_ops.DOMAIN_OPS.values()):
            found.append(f"{label}: op {node.op_type} is not supported")
        for name in node.input:
            if name not in defined:
                found.append(f"{label}: input {name!r} is not defined before the node "
                             "(a missing initializer, a graph input, or a cycle)")
        for attribute in node.attribute:
            if attribute.type == AttributeProto.GRAPH:
                _graph_problems(attribute.g, defined, found, f"{label}: {attribute.name}: ")
        defined.update(node.output)
    for output in graph.output:
        if output.name not in defined:
            found.append(f"{where}graph output {output.name!r} is produced by no node")
    for initializer in graph.initializer:
        try:
            onnx_ops.onnx_dtype(initializer.data_type)
        except onnx_ops.Unsupported as error:
            found.append(f"{where}initializer {initializer.name!r}: {error}")
    for value in list(graph.input) + (list(graph.output) if where else []):
        problem = _type_problem(value.type)
        if problem:
            found.append(f"{where}input {value.name!r}: {problem}")


def _type_problem(value_type):
    """Why tianc cannot hold a value of this ONNX type (None: it can):
    tensors of its dtypes, and sequences and optionals of those."""
    kind = value_type.WhichOneof("value")
    if kind is None:  # a subgraph's value with no declared type
        return None
    if kind in ("sequence_type", "optional_type"):
        return _type_problem(getattr(value_type, kind).elem_type)
    if kind != "tensor_type":
        return f"{kind} values are not supported"
    if value_type.tensor_type.elem_type == 0:
        return None
    try:
        onnx_ops.onnx_dtype(value_type.tensor_type.elem_type)
    except onnx_ops.Unsupported as error:
        return str(error)
    return None


def input_shapes(model):
    """[(name, shape or None per dim, dtype)] of the graph inputs that are
    not initializers (a dim with no fixed size is None)."""
    initializers = {i.name for i in model.graph.initializer}
    shapes = []
    for value in model.graph.input:
        if value.name in initializers:
            continue
        if value.type.WhichOneof("value") != "tensor_type":  # a sequence or an optional
            shapes.append((value.name, None, None))
            continue
        tensor_type = value.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None
                for d in tensor_type.shape.dim]
        shapes.append((value.name, dims, onnx_ops.onnx_dtype(tensor_type.elem_type)))
    return shapes


class OnnxModule(Module):
    """An imported ONNX graph. Call it with one tensor per graph input (in
    order); it returns the graph's outputs (one tensor, or a tuple)."""

    def __init__(self, model, source):
        super().__init__()
        from onnx import numpy_helper

        graph = model.graph
        self.source = source
        # [(name, dims (None: no fixed size), dtype)] of the graph inputs.
        self.input_shapes = input_shapes(model)
        # A model of other domains only (training ops) reads the newest semantics.
        self.opset = _opset(model) or max_opset()
        self.graph_name = graph.name
        self._known = {}  # initializers of integer/bool type: numpy
        for initializer in graph.initializer:
            array = numpy_helper.to_array(initializer)
            if dtypes.is_floating(onnx_ops.onnx_dtype(initializer.data_type)):
                self._parameters[initializer.name] = Parameter(
                    array.astype(onnx_ops.onnx_dtype(initializer.data_type)))
            else:
                self._known[initializer.name] = array.astype(
                    onnx_ops.onnx_dtype(initializer.data_type))
        self._initializer_names = {i.name for i in graph.initializer}
        self.input_names = [v.name for v in graph.input if v.name not in self._initializer_names]
        self.output_names = [v.name for v in graph.output]
        self._nodes = _prepare_nodes(graph.node, self.opset, source, "")

    def forward(self, *inputs):
        if len(inputs) != len(self.input_names):
            raise TianError(f"{self.source}: the model takes {len(self.input_names)} inputs "
                            f"({', '.join(self.input_names)}), got {len(inputs)}")
        values = dict(self._known)
        values.update((name, p) for name, p in self._parameters.items())
        for name, value in zip(self.input_names, inputs):
            values[name] = _as_value(value)
        values[""] = None
        _run_nodes(self._nodes, values, self.opset, self.source)
        results = tuple(_as_output(values[name]) for name in self.output_names)
        return results[0] if len(results) == 1 else results


def _as_value(value):
    """A graph input: a tensor, a list of them (a sequence) or None (an
    empty optional)."""
    if value is None or isinstance(value, Tensor):
        return value
    if isinstance(value, (list, tuple)):
        return [_as_value(v) for v in value]
    return Tensor(value)


def _as_output(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [_as_output(v) for v in value]
    return onnx_ops.tensor(value)


def _prepare_nodes(nodes, opset, source, where):
    return [(node, _attributes(node, opset, source), where + _node_label(node, index))
            for index, node in enumerate(nodes)]


def _run_nodes(nodes, values, opset, source):
    """Runs prepared nodes in order, adding their outputs to ``values``."""
    for index, (node, attrs, label) in enumerate(nodes):
        args = [values[name] for name in node.input]
        # What a node needs to run the nodes before it again (Gradient).
        rerun = (lambda replaced, index=index: _rerun(nodes, index, values, replaced, opset, source))
        with origin(source, label):
            outputs = _run_node(_Node(node, opset, values, rerun), args, attrs, label, source)
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        for name, value in zip(node.output, outputs):
            if name:
                values[name] = value


def _rerun(nodes, index, values, replaced, opset, source):
    """The values of the nodes before ``index`` computed again with some
    values ``replaced`` (the Gradient op's leaves)."""
    scope = {name: value for name, value in values.items()}
    scope.update(replaced)
    _run_nodes(nodes[:index], scope, opset, source)
    return scope


class Subgraph:
    """The body of an If, Loop or Scan node: ``run(scope, inputs)`` runs it
    with the enclosing graph's values (``scope``) visible and returns its
    outputs. Its initializers are constants."""

    def __init__(self, graph, opset, source):
        from onnx import numpy_helper

        self.name = graph.name
        self.input_names = [v.name for v in graph.input]
        self.output_names = [v.name for v in graph.output]
        self._constants = {}
        for initializer in graph.initializer:
            array = numpy_helper.to_array(initializer)
            self._constants[initializer.name] = array.astype(
                onnx_ops.onnx_dtype(initializer.data_type))
        self._opset, self._source = opset, source
        self._nodes = _prepare_nodes(graph.node, opset, source, f"{graph.name or 'subgraph'}: ")

    def run(self, scope, inputs):
        if len(inputs) != len(self.input_names):
            raise onnx_ops.Unsupported(f"subgraph {self.name!r} takes {len(self.input_names)} "
                                       f"inputs, got {len(inputs)}")
        values = dict(scope)
        values.update(self._constants)
        values.update(zip(self.input_names, inputs))
        _run_nodes(self._nodes, values, self._opset, self._source)
        return [values[name] for name in self.output_names]


class _Node:
    """What an op handler sees of a node: its type, outputs, the opset and
    the values in scope (which the bodies of If, Loop and Scan read)."""

    __slots__ = ("op_type", "output", "opset", "name", "scope", "rerun")

    def __init__(self, node, opset, scope, rerun=None):
        self.op_type, self.output, self.opset, self.name, self.scope = (
            node.op_type, list(node.output), opset, node.name, scope)
        self.rerun = rerun


def _foldable(op_type, args):
    """Every input known: integers (shape arithmetic), or small floats for
    the ops that shape arithmetic passes through."""
    known = [a for a in args if a is not None]
    if not known or not all(isinstance(a, np.ndarray) for a in known):
        return False
    if all(onnx_ops.is_integer(a) for a in known):
        return True
    return op_type in onnx_ops.SMALL_FLOAT_FOLDS and all(a.size <= onnx_ops.SMALL for a in known)


def _run_node(view, args, attrs, label, source):
    try:
        if view.op_type in onnx_ops.LEGACY_BROADCAST:
            args = onnx_ops.legacy_broadcast(view, args, attrs)
        fold = onnx_ops.FOLDS.get(view.op_type)
        if fold is not None and _foldable(view.op_type, args):
            outputs = fold(view, args, attrs)
        else:
            outputs = onnx_ops.OPS[view.op_type](view, args, attrs)
    except onnx_ops.Unsupported as error:
        raise TianError(f"{source}: {label}: {error}") from None
    except TianError:
        raise
    except (ValueError, IndexError, KeyError, TypeError, ArithmeticError) as error:
        # A malformed node (a missing attribute, inputs of the wrong rank):
        # say which, rather than a traceback from inside the importer.
        raise TianError(f"{source}: {label}: the node is malformed or not supported "
                        f"({type(error).__name__}: {error})") from None
    # numpy folds may give scalars (np.take of a 0-d index): known values are arrays.
    if isinstance(outputs, tuple):
        return tuple(np.asarray(v) if isinstance(v, np.generic) else v for v in outputs)
    return np.asarray(outputs) if isinstance(outputs, np.generic) else outputs


def load(source) -> OnnxModule:
    """An ONNX model (a path, bytes or an onnx.ModelProto) as a tianc
    module; one TianError lists everything it cannot import."""
    model, where = read_model(source)
    found = problems(model)
    if found:
        raise TianError(f"{where}: cannot import the model:\n  " + "\n  ".join(found))
    return OnnxModule(model, where)
