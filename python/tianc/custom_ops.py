"""Custom ops from Python: ``tc.custom_op``.

Two ways to define one, both usable in eager mode, in traced and AOT code
and under autograd, and listed by ``tianc ops``:

1. **A composition of tianc ops**, with an optional gradient rule (without
   one, autograd differentiates the composition) and shape rule::

       @tc.custom_op("demo.softplus", grad=lambda g, inputs, out: g * F.sigmoid(inputs[0]))
       def softplus(x):
           return F.log(1.0 + F.exp(x))

2. **A linalg.generic-style body**: indexing maps and iterator types over
   the loop dims, and a scalar body that computes the output element from
   the input elements (and, for a reduction, the running value)::

       row_sum_sq = tc.custom_op(
           "demo.row_sum_sq", maps=["(i, j) -> (i, j)", "(i, j) -> (i)"],
           iterators=["parallel", "reduction"], init=0.0,
           body=lambda x, acc: acc + x * x,
           shape=lambda x: x[:1],
           grad=lambda g, inputs, out: 2.0 * inputs[0] * g.unsqueeze(-1))

   The body's arguments are ``Scalar`` values with the arithmetic operators
   and comparisons and ``tc.custom_ops.exp/log/sqrt/tanh/maximum/minimum/
   where`` (or, as ``.value``, the MLIR value itself, for arith and math
   ops). Integer ``/`` truncates toward zero; ``x / 0`` is 0. A body cannot
   branch on a Scalar (``if``, ``max()``): ``where`` selects. It becomes
   one ``linalg.generic`` in the traced function, lowered, fused around and
   bufferized like tian's own ops; eager calls compile it as a kernel.

Rules: ``shape(*input_shapes, **attrs)`` gives the output shape (a generic
op needs it; a composition's result is checked against it).
``grad(g, inputs, out, **attrs)`` gives the gradient of each input (a
tensor for one input, a tuple or list with None for inputs that get none),
built from tianc ops, so it works eager and traced. Keyword arguments of a
call are the op's attributes: Python numbers, strings or tuples, passed to
the composition, and to the body and the rules where they name them.
"""

import dataclasses
import hashlib
import inspect
import re

from mlir import ir
from mlir.dialects import arith, linalg, math, tensor as tensor_dialect

from . import _fingerprint
from . import autograd as _autograd
from . import dtypes
from ._dispatch import TianError, apply, error_here, tracing

_registry = {}
_NAME = re.compile(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+\Z")


def custom_op(name, fn=None, *, shape=None, grad=None, summary=None, maps=None,
              iterators=None, body=None, init=None, dtype=None):
    """Defines a custom op named ``name`` ("namespace.op"): decorates a
    composition of tianc ops, or (with ``body``, ``maps`` and
    ``iterators``) makes a linalg.generic-style op. See the module's text."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise TianError(f"a custom op is named 'namespace.op' (like 'mylib.softplus'), not {name!r}")
    if name.startswith("tian."):
        raise TianError(f"custom op {name!r}: the 'tian' namespace is tianc's own ops")
    if body is not None:
        if fn is not None:
            raise TianError(f"custom op {name!r}: give a composition or a body, not both")
        op = GenericOp(name, body, maps, iterators, shape, grad, init, dtype, summary)
        _registry[name] = op
        return op
    if maps is not None or iterators is not None or init is not None:
        raise TianError(f"custom op {name!r}: maps, iterators and init go with a body=")

    def decorate(function):
        op = CompositeOp(name, function, shape, grad, summary)
        _registry[name] = op
        return op

    return decorate(fn) if fn is not None else decorate


class _CustomOp:
    kind = "custom"

    def __init__(self, name, shape, grad, summary, documented):
        self.name, self.shape_rule, self.grad_rule = name, shape, grad
        doc = inspect.getdoc(documented) if documented is not None else ""
        self.summary = summary or (doc or "").split("\n", 1)[0] or "custom op"
        self.__name__ = name.rsplit(".", 1)[-1]
        self.__doc__ = doc

    def gradient(self, rule):
        """Decorator form of ``grad=``."""
        self.grad_rule = rule
        return rule

    def shape(self, rule):
        """Decorator form of ``shape=``."""
        self.shape_rule = rule
        return rule

    def _tensors(self, inputs):
        from .tensor import Tensor

        return [t if isinstance(t, Tensor) else Tensor(t) for t in inputs]

    def _expected_shape(self, inputs, attrs):
        if self.shape_rule is None:
            return None
        try:
            return tuple(int(d) for d in _call(self.shape_rule, *[tuple(t.shape) for t in inputs],
                                               attrs=attrs))
        except TianError:
            raise
        except Exception as error:
            raise error_here(f"{self.name}: its shape rule failed for inputs of shapes "
                             f"{[list(t.shape) for t in inputs]}: {type(error).__name__}: "
                             f"{error}") from error

    def _vjp(self, inputs, attrs):
        if self.grad_rule is None:
            return None
        name, rule = self.name, self.grad_rule

        def vjp(g, out):
            grads = _call(rule, g, list(inputs), out, attrs=attrs)
            if not isinstance(grads, (tuple, list)):
                grads = (grads,)
            if len(grads) != len(inputs):
                raise TianError(f"the gradient rule of {name} gave {len(grads)} gradients for "
                                f"{len(inputs)} inputs")
            result = []
            for index, (grad_value, inp) in enumerate(zip(grads, inputs)):
                if grad_value is not None and tuple(grad_value.shape) != tuple(inp.shape):
                    raise TianError(f"the gradient rule of {name} gave input #{index} (shape "
                                    f"{list(inp.shape)}) a gradient of shape "
                                    f"{list(grad_value.shape)}")
                result.append(grad_value)
            return result

        return vjp


class CompositeOp(_CustomOp):
    """A custom op made of tianc ops."""

    kind = "custom (composition)"

    def __init__(self, name, function, shape, grad, summary):
        super().__init__(name, shape, grad, summary, function)
        self.function = function

    def __call__(self, *inputs, **attrs):
        from .tensor import Tensor

        inputs = self._tensors(inputs)
        if self.grad_rule is None:  # autograd sees the ops of the composition
            out = self.function(*inputs, **attrs)
        else:
            with _autograd.no_grad():
                out = self.function(*inputs, **attrs)
        if not isinstance(out, Tensor):
            raise error_here(f"{self.name} must return one Tensor, got {type(out).__name__}")
        want = self._expected_shape(inputs, attrs)
        if want is not None and tuple(out.shape) != want:
            raise error_here(f"{self.name}: its shape rule says {list(want)} for inputs of "
                             f"shapes {[list(t.shape) for t in inputs]}, the composition "
                             f"made {list(out.shape)}")
        if self.grad_rule is not None:
            if out._trace is None and out._data is not None:
                out = Tensor._wrap(out._data)  # a node of its own, not the last inner op's
            elif tracing() is not None:
                out = tracing().new_tensor(tracing().value_of(out))
            vjp = self._vjp(inputs, attrs)
            _autograd.attach(out, self.name, inputs, lambda g: vjp(g, out))
        return out


class GenericOp(_CustomOp):
    """A custom op with a linalg.generic-style scalar body."""

    kind = "custom (generic)"

    def __init__(self, name, body, maps, iterators, shape, grad, init, dtype, summary):
        super().__init__(name, shape, grad, summary, body)
        if shape is None:
            raise TianError(f"custom op {name!r}: a body needs a shape rule (shape=)")
        if not maps or not iterators:
            raise TianError(f"custom op {name!r}: a body needs maps= (one per input and one for "
                            "the output) and iterators= ('parallel' or 'reduction' per loop dim)")
        bad = [i for i in iterators if i not in ("parallel", "reduction")]
        if bad:
            raise TianError(f"custom op {name!r}: iterators are 'parallel' or 'reduction', "
                            f"not {bad[0]!r}")
        if "reduction" in iterators and init is None:
            raise TianError(f"custom op {name!r}: a reduction needs the output's start value "
                            "(init=)")
        self.body, self.maps, self.iterators = body, [*maps], [*iterators]
        self.init, self.dtype = init, dtypes.canonical(dtype) if dtype is not None else None
        self._dims = []
        with ir.Context():  # the maps are checked now, where the user wrote them
            for text in self.maps:
                try:
                    parsed = ir.AffineMapAttr(ir.Attribute.parse(f"affine_map<{text}>")).value
                except (ValueError, ir.MLIRError) as error:
                    raise TianError(f"custom op {name!r}: bad indexing map {text!r}: "
                                    f"{str(error).splitlines()[0]}") from None
                if parsed.n_dims != len(self.iterators):
                    raise TianError(f"custom op {name!r}: map {text!r} has {parsed.n_dims} "
                                    f"dims, the iterators {len(self.iterators)}")
                # Per result: the loop dim it is (None: an expression).
                self._dims.append([e.position if isinstance(e, ir.AffineDimExpr) else None
                                   for e in parsed.results])
        # What the eager kernel cache keys on: everything that defines the op
        # (a cell run again with another init= must not get the old kernel).
        self.fingerprint = hashlib.sha256(repr((
            self.maps, self.iterators, init, str(self.dtype), _fingerprint.digest(body),
        )).encode()).hexdigest()[:16]

    def __call__(self, *inputs, **attrs):
        inputs = self._tensors(inputs)
        if len(inputs) != len(self.maps) - 1:
            raise error_here(f"{self.name} takes {len(self.maps) - 1} inputs "
                             f"(one per input map), got {len(inputs)}")
        out_shape = self._expected_shape(inputs, attrs)
        _check_sizes(self.name, self._dims, [*[t.shape for t in inputs], out_shape],
                     len(self.iterators))
        out_dtype = self.dtype or inputs[0].dtype
        key = ("custom", self.name, self.fingerprint, _attrs_key(attrs), out_dtype.str, out_shape)

        def build(*values):
            return self._build(values, out_shape, out_dtype, attrs)

        return apply(self.name, build, inputs, key, self._vjp(inputs, attrs) or self._no_gradient)

    def _no_gradient(self, g, out):
        raise TianError(f"custom op {self.name} has no gradient rule (grad=): autograd cannot "
                        "go through its body")

    def _build(self, values, out_shape, out_dtype, attrs):
        maps = [ir.AffineMapAttr(ir.Attribute.parse(f"affine_map<{m}>")).value for m in self.maps]
        element = dtypes.mlir_element_type(out_dtype)
        result_type = ir.RankedTensorType.get(list(out_shape), element)
        init = tensor_dialect.EmptyOp(list(out_shape), element).result
        if self.init is not None:
            start = _constant(self.init, element)
            init = linalg.fill(start, outs=[init])
        iterator_attrs = [ir.Attribute.parse(f"#linalg.iterator_type<{i}>")
                          for i in self.iterators]
        generic = linalg.GenericOp([result_type], list(values), [init],
                                   ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in maps]),
                                   ir.ArrayAttr.get(iterator_attrs))
        types = [ir.RankedTensorType(v.type).element_type for v in values] + [element]
        block = generic.regions[0].blocks.append(*types)
        with ir.InsertionPoint(block):
            arguments = [Scalar(a) for a in block.arguments]
            if self.init is None:
                arguments = arguments[:-1]  # the output's old value means nothing
            try:
                result = _call(self.body, *arguments, attrs=attrs)
            except TianError:
                raise
            except Exception as error:
                raise error_here(f"{self.name}: its body failed: {type(error).__name__}: "
                                 f"{error}") from error
            value = _as_value(result, element)
            if value.type != element:
                raise error_here(f"{self.name}: its body returns {value.type}, the output's "
                                 f"element type is {element}")
            linalg.YieldOp([value])
        return generic.result


def _check_sizes(name, dims, shapes, n_dims):
    """Every loop dim has one size: the shapes of all operands agree on it.
    ``dims``: per operand's map, the loop dim of each result (None for an
    expression of several)."""
    sizes = {}
    for index, (results, shape) in enumerate(zip(dims, shapes)):
        if len(results) != len(shape):
            raise error_here(f"{name}: the map of operand #{index} has {len(results)} results "
                             f"for a shape of rank {len(shape)} ({list(shape)})")
        for dim, size in zip(results, shape):
            if dim is not None and sizes.setdefault(dim, size) != size:
                raise error_here(f"{name}: loop dim d{dim} is {sizes[dim]} in one operand "
                                 f"and {size} in another (shapes {[list(s) for s in shapes]})")
    missing = [d for d in range(n_dims) if d not in sizes]
    if missing:
        raise error_here(f"{name}: loop dim d{missing[0]} is not read as a whole dim of any "
                         "operand, so its size is unknown")


def _call(rule, *args, attrs):
    """``rule(*args, **attrs)``, passing only the attributes it names (a rule
    that ignores an attribute need not take it)."""
    try:
        parameters = inspect.signature(rule).parameters.values()
    except (TypeError, ValueError):
        return rule(*args, **attrs)
    if any(p.kind == p.VAR_KEYWORD for p in parameters):
        return rule(*args, **attrs)
    names = {p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    return rule(*args, **{k: v for k, v in attrs.items() if k in names})


def _attrs_key(attrs):
    return tuple(sorted((k, repr(v)) for k, v in attrs.items()))


# ------------------------------------------------------------------ scalars

def _constant(value, element):
    if isinstance(element, ir.IntegerType):
        if element.width == 1:
            return arith.ConstantOp(element, ir.IntegerAttr.get(element, int(bool(value)))).result
        return arith.ConstantOp(element, ir.IntegerAttr.get(element, int(value))).result
    return arith.ConstantOp(element, ir.FloatAttr.get(element, float(value))).result


def _as_value(x, like):
    if isinstance(x, Scalar):
        return x.value
    if isinstance(x, ir.Value):
        return x
    if isinstance(x, (bool, int, float)):
        return _constant(x, like)
    raise TianError(f"a custom op's body computes with its Scalar arguments and numbers, "
                    f"not {type(x).__name__}")


class Scalar:
    """One element inside a custom op's body: arithmetic builds arith ops
    (float or integer, by the element type); ``.value`` is the MLIR value."""

    def __init__(self, value):
        self.value = value

    @property
    def type(self):
        return self.value.type

    @property
    def is_float(self):
        return isinstance(self.value.type, ir.FloatType)

    def _other(self, other):
        return _as_value(other, self.value.type)

    def _binary(self, other, float_op, int_op, reverse=False):
        a, b = self.value, self._other(other)
        if reverse:
            a, b = b, a
        return Scalar((float_op if self.is_float else int_op)(a, b).result)

    def __add__(self, o): return self._binary(o, arith.AddFOp, arith.AddIOp)
    def __radd__(self, o): return self._binary(o, arith.AddFOp, arith.AddIOp, True)
    def __sub__(self, o): return self._binary(o, arith.SubFOp, arith.SubIOp)
    def __rsub__(self, o): return self._binary(o, arith.SubFOp, arith.SubIOp, True)
    def __mul__(self, o): return self._binary(o, arith.MulFOp, arith.MulIOp)
    def __rmul__(self, o): return self._binary(o, arith.MulFOp, arith.MulIOp, True)
    def __truediv__(self, o): return self._divide(self.value, self._other(o))
    def __rtruediv__(self, o): return self._divide(self._other(o), self.value)

    def __bool__(self):
        raise TianError("a custom op's body cannot branch on a Scalar (if, and, or, min, max, "
                        "abs): the value exists only when the kernel runs. Use "
                        "tc.custom_ops.where(condition, a, b), maximum or minimum")

    def __eq__(self, o): return self._compare(o, "OEQ", "eq")
    def __ne__(self, o): return self._compare(o, "UNE", "ne")
    __hash__ = None

    def _divide(self, a, b):
        if self.is_float:
            return Scalar(arith.DivFOp(a, b).result)
        # Integers truncate toward zero (C); x / 0 is 0 and MIN / -1 is MIN,
        # where arith.divsi is undefined (a SIGFPE on x86).
        zero, one = _constant(0, a.type), _constant(1, a.type)
        minus_one = _constant(-1, a.type)
        smallest = _constant(-(1 << (a.type.width - 1)), a.type)
        by_zero = arith.CmpIOp(arith.CmpIPredicate.eq, b, zero).result
        overflow = arith.AndIOp(arith.CmpIOp(arith.CmpIPredicate.eq, a, smallest).result,
                                arith.CmpIOp(arith.CmpIPredicate.eq, b, minus_one).result).result
        safe = arith.SelectOp(arith.OrIOp(by_zero, overflow).result, one, b).result
        return Scalar(arith.SelectOp(by_zero, zero, arith.DivSIOp(a, safe).result).result)

    def __neg__(self):
        if self.is_float:
            return Scalar(arith.NegFOp(self.value).result)
        return Scalar(arith.SubIOp(_constant(0, self.type), self.value).result)

    def _compare(self, other, float_predicate, int_predicate):
        if self.is_float:
            predicate = getattr(arith.CmpFPredicate, float_predicate)
            return Scalar(arith.CmpFOp(predicate, self.value, self._other(other)).result)
        predicate = getattr(arith.CmpIPredicate, int_predicate)
        return Scalar(arith.CmpIOp(predicate, self.value, self._other(other)).result)

    def __lt__(self, o): return self._compare(o, "OLT", "slt")
    def __le__(self, o): return self._compare(o, "OLE", "sle")
    def __gt__(self, o): return self._compare(o, "OGT", "sgt")
    def __ge__(self, o): return self._compare(o, "OGE", "sge")


def _float_unary(op_class):
    def function(x):
        if not isinstance(x, Scalar) or not x.is_float:
            raise TianError(f"{op_class.OPERATION_NAME} takes a float Scalar of a custom op's body")
        return Scalar(op_class(x.value).result)

    function.__name__ = op_class.OPERATION_NAME.split(".")[1]
    return function


exp = _float_unary(math.ExpOp)
log = _float_unary(math.LogOp)
sqrt = _float_unary(math.SqrtOp)
tanh = _float_unary(math.TanhOp)


def maximum(a, b):
    """max(a, b); NaN if either is NaN (as tian.max)."""
    return Scalar((arith.MaximumFOp if a.is_float else arith.MaxSIOp)(a.value, a._other(b)).result)


def minimum(a, b):
    """min(a, b); NaN if either is NaN (as tian.min)."""
    return Scalar((arith.MinimumFOp if a.is_float else arith.MinSIOp)(a.value, a._other(b)).result)


def where(condition, a, b):
    """``a`` where ``condition`` (a comparison of Scalars) holds, else ``b``."""
    like = a.type if isinstance(a, Scalar) else b.type
    return Scalar(arith.SelectOp(condition.value, _as_value(a, like), _as_value(b, like)).result)


@dataclasses.dataclass(frozen=True)
class OpInfo:
    name: str
    kind: str
    summary: str


def list_ops():
    """OpInfo of every custom op defined in this process."""
    return [OpInfo(op.name, op.kind, op.summary) for op in _registry.values()]
