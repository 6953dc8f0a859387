"""tianc.functional (import as F): every tian op as a PyTorch-style function.

Each function normalizes its arguments (negative axes, scalars, dtype
promotion) and hands one builder of tian ops to the dispatcher, which runs it
eagerly or records it into a trace. Composites (linear, cross_entropy, ...)
are written in terms of these.
"""

import builtins
import itertools
import math

import numpy as np

from . import dtypes
from ._dispatch import apply, error_here
from .dialects import tian
from .tensor import Tensor

# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------


def _as_tensor(value, like=None):
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float)) and like is not None:
        dtype = like.dtype
        if isinstance(value, float) and not dtypes.is_floating(dtype):
            dtype = dtypes.float32
        literal = Tensor(np.array(value, dtype=dtype))
    else:
        literal = Tensor(value)
    literal._literal = True
    return literal


def _promote(*values):
    """Tensors of one dtype: Python scalars take the tensors' dtype, mixed
    tensor dtypes promote as numpy does (float64 becomes float32)."""
    if all(type(v) is Tensor for v in values) and len({v.dtype for v in values}) == 1:
        return list(values)  # the common case, kept cheap for eager dispatch
    like = next((v for v in values if isinstance(v, Tensor)), None)
    tensors = [_as_tensor(v, like) for v in values]
    target = dtypes.canonical(np.result_type(*[t.dtype for t in tensors]))
    return [t if t.dtype == target else cast(t, target) for t in tensors]


def ones_like(x):
    literal = Tensor(np.ones(x.shape, x.dtype))
    literal._literal = True
    return literal


def zeros_like(x):
    literal = Tensor(np.zeros(x.shape, x.dtype))
    literal._literal = True
    return literal


def _unbroadcast(g, shape):
    """Sums a gradient over the dimensions that broadcasting stretched, so it
    has the shape of the input it flows to."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    lead = g.ndim - len(shape)
    axes = list(range(lead)) + [lead + i for i, d in enumerate(shape)
                                if d == 1 and g.shape[lead + i] != 1]
    return reshape(sum(g, axes, keepdim=True) if axes else g, list(shape))


def _axis(dim, ndim):
    if not -ndim <= dim < builtins.max(ndim, 1):
        raise error_here(f"dimension {dim} is out of range for a tensor of rank {ndim}")
    return dim % ndim if ndim else 0


def _axes(dim, ndim):
    if dim is None:
        return list(range(ndim))
    dims = [dim] if isinstance(dim, int) else list(dim)
    return sorted({_axis(d, ndim) for d in dims})


def _pair(value):
    return [value, value] if isinstance(value, int) else list(value)


def _padding4(padding):
    """int, (h, w) or (top, left, bottom, right) -> [top, left, bottom, right]."""
    if isinstance(padding, int):
        return [padding] * 4
    padding = list(padding)
    return padding * 2 if len(padding) == 2 else padding


# ---------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------


def _unary(name, op_class, rule=None, float_only=False):
    """An elementwise op; ``rule(x, out, g)`` is its gradient (None: no
    gradient flows, as for floor or not). ``float_only`` ops compute integer
    inputs in float32, as PyTorch does."""
    def op(x):
        x = _as_tensor(x)
        if float_only and not dtypes.is_floating(x.dtype):
            x = cast(x, dtypes.float32)
        vjp = (lambda g, out: [rule(x, out, g)]) if rule else None
        return apply(f"tian.{name}", lambda v: op_class(v).result, [x], key=(name,), vjp=vjp)
    op.__name__ = name
    op.__doc__ = f"Elementwise tian.{name}."
    return op


def _sign(x):
    return sub(cast(gt(x, 0), x.dtype), cast(lt(x, 0), x.dtype))


neg = _unary("neg", tian.NegOp, lambda x, out, g: neg(g))
abs = _unary("abs", tian.AbsOp, lambda x, out, g: mul(g, _sign(x)))
relu = _unary("relu", tian.ReluOp, lambda x, out, g: where(gt(x, 0), g, 0.0))
exp = _unary("exp", tian.ExpOp, lambda x, out, g: mul(g, out), float_only=True)
log = _unary("log", tian.LogOp, lambda x, out, g: div(g, x), float_only=True)
sqrt = _unary("sqrt", tian.SqrtOp, lambda x, out, g: div(mul(g, 0.5), out), float_only=True)
rsqrt = _unary("rsqrt", tian.RsqrtOp, lambda x, out, g: mul(g, mul(mul(out, mul(out, out)), -0.5)), float_only=True)
tanh = _unary("tanh", tian.TanhOp, lambda x, out, g: mul(g, sub(1.0, mul(out, out))), float_only=True)
sigmoid = _unary("sigmoid", tian.SigmoidOp, lambda x, out, g: mul(g, mul(out, sub(1.0, out))), float_only=True)
erf = _unary("erf", tian.ErfOp,
             lambda x, out, g: mul(g, mul(exp(neg(mul(x, x))), 2.0 / math.sqrt(math.pi))), float_only=True)
sin = _unary("sin", tian.SinOp, lambda x, out, g: mul(g, cos(x)), float_only=True)
cos = _unary("cos", tian.CosOp, lambda x, out, g: neg(mul(g, sin(x))), float_only=True)
floor = _unary("floor", tian.FloorOp, lambda x, out, g: zeros_like(x), float_only=True)
ceil = _unary("ceil", tian.CeilOp, lambda x, out, g: zeros_like(x), float_only=True)
logical_not = _unary("not", tian.NotOp)
asin = _unary("asin", tian.AsinOp, lambda x, out, g: mul(g, rsqrt(sub(1.0, mul(x, x)))),
              float_only=True)
acos = _unary("acos", tian.AcosOp, lambda x, out, g: neg(mul(g, rsqrt(sub(1.0, mul(x, x))))),
              float_only=True)
atan = _unary("atan", tian.AtanOp, lambda x, out, g: div(g, add(mul(x, x), 1.0)), float_only=True)
asinh = _unary("asinh", tian.AsinhOp, lambda x, out, g: mul(g, rsqrt(add(mul(x, x), 1.0))),
               float_only=True)
acosh = _unary("acosh", tian.AcoshOp, lambda x, out, g: mul(g, rsqrt(sub(mul(x, x), 1.0))),
               float_only=True)
atanh = _unary("atanh", tian.AtanhOp, lambda x, out, g: div(g, sub(1.0, mul(x, x))),
               float_only=True)
_bitwise_not = _unary("bitwise_not", tian.BitwiseNotOp)


def bitwise_not(x):
    """~x for integer tensors; logical not for bools (PyTorch's)."""
    x = _as_tensor(x)
    if x.dtype == dtypes.bool_:
        return logical_not(x)
    if dtypes.is_floating(x.dtype):
        raise error_here(f"bitwise_not: integer or bool tensors only, got {x.dtype}")
    return _bitwise_not(x)


def _gelu_grad(x, g, approximate):
    if approximate == "tanh":
        c = math.sqrt(2.0 / math.pi)
        inner = tanh(mul(add(x, mul(mul(x, mul(x, x)), 0.044715)), c))
        d_inner = mul(add(mul(mul(x, x), 3 * 0.044715), 1.0), c)
        slope = add(mul(add(inner, 1.0), 0.5),
                    mul(mul(x, 0.5), mul(sub(1.0, mul(inner, inner)), d_inner)))
    else:
        cdf = mul(add(erf(mul(x, 1.0 / math.sqrt(2.0))), 1.0), 0.5)
        pdf = mul(exp(mul(mul(x, x), -0.5)), 1.0 / math.sqrt(2.0 * math.pi))
        slope = add(cdf, mul(x, pdf))
    return mul(g, slope)


def gelu(x, approximate="none"):
    """GELU, exact (erf) or with approximate='tanh'."""
    if approximate not in ("none", "tanh"):
        raise error_here(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    mode = approximate
    x = _as_tensor(x)
    return apply("tian.gelu",
                 lambda v: tian.GeluOp(v, approximate=getattr(tian.GeluApproximation, mode)).result,
                 [x], key=("gelu", mode), vjp=lambda g, out: [_gelu_grad(x, g, mode)])


def _binary(name, op_class, rule):
    """A broadcasting elementwise op; ``rule(a, b, out, g)`` gives the two
    gradients before un-broadcasting (None where no gradient is needed)."""
    def op(a, b):
        if not (type(a) is Tensor and type(b) is Tensor and a._data is not None
                and b._data is not None and a._data.dtype == b._data.dtype):
            a, b = _promote(a, b)  # the common eager case skips this

        def vjp(g, out):
            ga, gb = rule(a, b, out, g)
            return [None if ga is None else _unbroadcast(ga, a.shape),
                    None if gb is None else _unbroadcast(gb, b.shape)]
        return apply(f"tian.{name}", lambda x, y: op_class(x, y).result, [a, b], key=(name,),
                     vjp=vjp)
    op.__name__ = name
    op.__doc__ = f"Elementwise tian.{name} with numpy broadcasting."
    return op


add = _binary("add", tian.AddOp, lambda a, b, out, g: (g, g))
sub = _binary("sub", tian.SubOp, lambda a, b, out, g: (g, neg(g) if b.requires_grad else None))
mul = _binary("mul", tian.MulOp, lambda a, b, out, g: (mul(g, b) if a.requires_grad else None,
                                                       mul(g, a) if b.requires_grad else None))
# Ties send the gradient to lhs, as a mask on (lhs >= rhs) / (lhs <= rhs).
maximum = _binary("max", tian.MaxOp, lambda a, b, out, g: (where(ge(a, b), g, 0.0),
                                                           where(ge(a, b), 0.0, g)))
minimum = _binary("min", tian.MinOp, lambda a, b, out, g: (where(le(a, b), g, 0.0),
                                                           where(le(a, b), 0.0, g)))
_div = _binary("div", tian.DivOp,
               lambda a, b, out, g: (div(g, b) if a.requires_grad else None,
                                     neg(div(mul(g, out), b)) if b.requires_grad else None))
# d/db of a - trunc(a / b) b is -trunc(a / b).
_rem = _binary("rem", tian.RemOp,
               lambda a, b, out, g: (g if a.requires_grad else None,
                                     neg(mul(g, div(a, b, rounding_mode="trunc")))
                                     if b.requires_grad else None))
_pow = _binary("pow", tian.PowOp,
               lambda a, b, out, g: (mul(g, mul(b, pow(a, sub(b, 1.0)))) if a.requires_grad else None,
                                     mul(g, mul(out, log(a))) if b.requires_grad else None))


def div(a, b, rounding_mode=None):
    """PyTorch's div: true division (integer inputs are divided as float32)
    by default; ``rounding_mode="trunc"`` rounds the quotient toward zero,
    ``"floor"`` down, keeping integer inputs integer."""
    a, b = _promote(a, b)
    if rounding_mode not in (None, "trunc", "floor"):
        raise error_here(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    if dtypes.is_floating(a.dtype):
        quotient = _div(a, b)
        if rounding_mode == "trunc":
            return where(lt(quotient, 0), ceil(quotient), floor(quotient))
        return floor(quotient) if rounding_mode == "floor" else quotient
    if rounding_mode is None:
        return _div(cast(a, dtypes.float32), cast(b, dtypes.float32))
    quotient = _div(a, b)  # integer division truncates toward zero
    if rounding_mode == "floor":
        # One less where the division was inexact and the signs differ.
        inexact = where(ne(b, 0), ne(mul(quotient, b), a), False)  # x // 0 is 0
        signs_differ = ne(lt(a, 0), lt(b, 0))
        quotient = sub(quotient, cast(where(inexact, signs_differ, False), a.dtype))
    return quotient


def remainder(a, b):
    """PyTorch's remainder (Python's %): the sign of the divisor. From the
    exact fmod: a nonzero result with the dividend's sign moves by b, a zero
    one takes b's sign (numpy's rule: -3 % inf is inf, 0 % -2 is -0)."""
    a, b = _promote(a, b)
    r = fmod(a, b)
    moved = where(ne(r, 0), ne(lt(r, 0), lt(b, 0)), False)
    r = where(moved, add(r, b), r)
    if dtypes.is_floating(a.dtype):
        r = where(eq(r, 0), where(lt(b, 0), -0.0, 0.0), r)
    return r


def fmod(a, b):
    """C's fmod: the sign of the dividend, exact for floats (tian.rem)."""
    a, b = _promote(a, b)
    return _rem(a, b)


def pow(a, b):
    a, b = _promote(a, b)
    if not dtypes.is_floating(a.dtype):
        a, b = cast(a, dtypes.float32), cast(b, dtypes.float32)
    return _pow(a, b)


def _compare(predicate):
    def op(a, b):
        a, b = _promote(a, b)
        pred = getattr(tian.ComparePredicate, predicate)
        return apply(f"tian.compare {predicate}", lambda x, y: tian.CompareOp(pred, x, y).result,
                     [a, b], key=("compare", predicate))
    op.__name__ = predicate
    return op


eq, ne, lt, le, gt, ge = (_compare(p) for p in ("eq", "ne", "lt", "le", "gt", "ge"))


def _bitwise(public, name, op_class, bools):
    """An integer op (PyTorch's bitwise_*): no gradient; ``bools`` says
    whether bool tensors are accepted (and, or, xor) or refused (shifts)."""
    def op(a, b):
        a, b = _promote(a, b)
        if dtypes.is_floating(a.dtype) or (a.dtype == dtypes.bool_ and not bools):
            kinds = "integer or bool" if bools else "integer"
            raise error_here(f"{op.__name__}: {kinds} tensors only, got {a.dtype}")
        return apply(f"tian.{name}", lambda x, y: op_class(x, y).result, [a, b], key=(name,))
    op.__name__ = public
    return op


bitwise_and = _bitwise("bitwise_and", "bitwise_and", tian.BitwiseAndOp, bools=True)
bitwise_or = _bitwise("bitwise_or", "bitwise_or", tian.BitwiseOrOp, bools=True)
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor", tian.BitwiseXorOp, bools=True)
# Shifts by a negative amount or by the bit width or more give 0 (left) or
# the sign (right), as ONNX's BitShift; right shifts of signed values fill
# with the sign, as PyTorch's.
bitwise_left_shift = _bitwise("bitwise_left_shift", "shift_left", tian.ShiftLeftOp, bools=False)
bitwise_right_shift = _bitwise("bitwise_right_shift", "shift_right", tian.ShiftRightOp, bools=False)


def where(condition, x, y):
    """numpy.where: condition ? x : y, broadcasting all three."""
    condition = _as_tensor(condition)
    if condition.dtype != dtypes.bool_:
        condition = ne(condition, 0)
    x, y = _promote(x, y)

    def vjp(g, out):
        zero = zeros_like(g)
        return [None,
                _unbroadcast(where(condition, g, zero), x.shape) if x.requires_grad else None,
                _unbroadcast(where(condition, zero, g), y.shape) if y.requires_grad else None]
    return apply("tian.select", lambda c, a, b: tian.SelectOp(c, a, b).result,
                 [condition, x, y], key=("select",), vjp=vjp)


def cast(x, dtype):
    """Converts the element type (float -> int truncates toward zero)."""
    x = _as_tensor(x)
    dtype = dtypes.canonical(dtype)
    if x.dtype == dtype:
        return x
    source = x.dtype
    differentiable = dtypes.is_floating(source) and dtypes.is_floating(dtype)
    return apply("tian.cast", lambda v: tian.CastOp(v, dtypes.mlir_element_type(dtype)).result,
                 [x], key=("cast", dtype.str),
                 vjp=(lambda g, out: [cast(g, source)]) if differentiable else None)


def bitcast(x, dtype):
    """Reinterprets each element's bits as ``dtype`` of the same width
    (numpy's ``view(dtype)``, PyTorch's ``Tensor.view(dtype)``); a bool is its
    byte. No gradient."""
    x = _as_tensor(x)
    dtype = dtypes.canonical(dtype)
    if x.dtype == dtype:
        return x
    if x.dtype.itemsize != dtype.itemsize:
        raise error_here(f"bitcast: {x.dtype} ({x.dtype.itemsize} bytes) and {dtype} "
                         f"({dtype.itemsize} bytes) differ in width")
    return apply("tian.bitcast",
                 lambda v: tian.BitcastOp(v, dtypes.mlir_element_type(dtype)).result,
                 [x], key=("bitcast", dtype.str))


def clamp(x, min=None, max=None):
    if min is not None:
        x = maximum(x, min)
    if max is not None:
        x = minimum(x, max)
    return x


# ---------------------------------------------------------------------------
# Contractions and windows
# ---------------------------------------------------------------------------


def matmul(a, b):
    """Batched matrix product; 1-D operands are promoted as in numpy."""
    a, b = _promote(a, b)
    squeeze = []
    if a.ndim == 1:
        a, squeeze = unsqueeze(a, 0), squeeze + [-2]
    if b.ndim == 1:
        b, squeeze = unsqueeze(b, 1), squeeze + [-1]
    def vjp(g, out, a=a, b=b):
        return [_unbroadcast(matmul(g, transpose(b, -2, -1)), a.shape) if a.requires_grad else None,
                _unbroadcast(matmul(transpose(a, -2, -1), g), b.shape) if b.requires_grad else None]
    out = apply("tian.matmul", lambda x, y: tian.MatmulOp(x, y).result, [a, b], key=("matmul",),
                vjp=vjp)
    for dim in squeeze:
        out = globals()["squeeze"](out, dim)
    return out


def linear(x, weight, bias=None):
    """x @ weight.T + bias, weight of shape [out, in]."""
    out = matmul(x, permute(weight, 1, 0))
    return out if bias is None else add(out, bias)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    strides, pads, dilations = _pair(stride), _padding4(padding), _pair(dilation)
    x, weight = _as_tensor(x), _as_tensor(weight)

    def vjp(g, out):
        return [_conv2d_input_grad(g, x, weight, strides, pads, dilations, groups)
                if x.requires_grad else None,
                _conv2d_weight_grad(g, x, weight, strides, pads, dilations, groups)
                if weight.requires_grad else None]

    out = apply("tian.conv2d",
                lambda v, w: tian.Conv2dOp(v, w, strides=strides, padding=pads,
                                           dilations=dilations, groups=groups).result,
                [x, weight],
                key=("conv2d", tuple(strides), tuple(pads), tuple(dilations), groups), vjp=vjp)
    if bias is not None:
        out = add(out, reshape(bias, -1, 1, 1))
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    kernel = _pair(kernel_size)
    strides = _pair(stride) if stride is not None else kernel
    pads, dilations = _padding4(padding), _pair(dilation)
    x = _as_tensor(x)

    def vjp(g, out):
        return [_max_pool2d_grad(g, out, x, kernel, strides, pads, dilations)]
    return apply("tian.max_pool2d",
                 lambda v: tian.MaxPool2dOp(v, kernel, strides, padding=pads,
                                            dilations=dilations, ceil_mode=ceil_mode).result,
                 [x],
                 key=("max_pool2d", tuple(kernel), tuple(strides), tuple(pads), tuple(dilations),
                      ceil_mode), vjp=vjp)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    kernel = _pair(kernel_size)
    strides = _pair(stride) if stride is not None else kernel
    pads = _padding4(padding)
    x = _as_tensor(x)

    def vjp(g, out):
        if ceil_mode:
            raise error_here("the gradient of tian.avg_pool2d with ceil_mode is not implemented yet")
        return [_avg_pool2d_grad(g, x, kernel, strides, pads, count_include_pad)]
    return apply("tian.avg_pool2d",
                 lambda v: tian.AvgPool2dOp(v, kernel, strides, padding=pads, ceil_mode=ceil_mode,
                                            count_include_pad=count_include_pad).result,
                 [x],
                 key=("avg_pool2d", tuple(kernel), tuple(strides), tuple(pads), ceil_mode,
                      count_include_pad), vjp=vjp)


def adaptive_avg_pool2d(x, output_size):
    if _pair(output_size) != [1, 1]:
        raise error_here(f"adaptive_avg_pool2d supports output_size 1 only, got {output_size}")
    x = _as_tensor(x)
    count = x.shape[2] * x.shape[3]
    return apply("tian.global_avg_pool2d", lambda v: tian.GlobalAvgPool2dOp(v).result,
                 [x], key=("global_avg_pool2d",),
                 vjp=lambda g, out: [broadcast_to(mul(g, 1.0 / count), x.shape)])


# Gradients of the window ops, built from the ops above: a gradient "scatters"
# each output position back to the input positions its window read. With
# stride s, output i of window offset p reads padded input i*s + p*d; moving a
# [.., OH, OW] tensor onto those positions is a dilation by s (zeros between
# rows), then a pad by the offset.

def _spread(t, strides, offsets, size):
    """Places t[.., i, j] at [.., i*s0 + o0, j*s1 + o1] of a zero tensor whose
    last two dimensions are ``size``."""
    n, c, oh, ow = t.shape
    s0, s1 = strides
    if (s0, s1) != (1, 1):
        t = reshape(t, n, c, oh, 1, ow, 1)
        t = _pad_dims(t, [0] * 6, [0, 0, 0, s0 - 1, 0, s1 - 1])
        t = reshape(t, n, c, oh * s0, ow * s1)
    h, w = (oh - 1) * s0 + 1, (ow - 1) * s1 + 1
    t = slice(t, [0, 0, 0, 0], [n, c, h, w], [1, 1, 1, 1]) if (h, w) != t.shape[2:] else t
    high = [size[0] - offsets[0] - h, size[1] - offsets[1] - w]
    if min(high) < 0:
        t = slice(t, [0, 0, 0, 0], [n, c, h + builtins.min(high[0], 0), w + builtins.min(high[1], 0)],
                  [1, 1, 1, 1])
        high = [builtins.max(v, 0) for v in high]
    return _pad_dims(t, [0, 0, offsets[0], offsets[1]], [0, 0, high[0], high[1]])


def _window(xp, offset, strides, out_hw):
    """The [N, C, OH, OW] tensor of padded-input elements at one window offset."""
    n, c = xp.shape[:2]
    starts = [0, 0, offset[0], offset[1]]
    limits = [n, c, offset[0] + (out_hw[0] - 1) * strides[0] + 1,
              offset[1] + (out_hw[1] - 1) * strides[1] + 1]
    return slice(xp, starts, limits, [1, 1, strides[0], strides[1]])


def _unpad(t, pads, hw):
    n, c = t.shape[:2]
    return slice(t, [0, 0, pads[0], pads[1]], [n, c, pads[0] + hw[0], pads[1] + hw[1]], [1, 1, 1, 1])


def _conv2d_weight_grad(g, x, w, strides, pads, dilations, groups=1):
    # dW[o,c,p,q] = sum_{n,i,j} g[n,o,i,j] * xpad[n,c,i*s+p*d,j*s+q*d]: a
    # convolution over (n, i, j), with stride and dilation swapped.
    xp = _pad_dims(x, [0, 0, pads[0], pads[1]], [0, 0, pads[2], pads[3]])
    grad = conv2d(transpose(xp, 0, 1), transpose(g, 0, 1), stride=dilations, dilation=strides)
    kh, kw = w.shape[2:]
    grad = slice(grad, [0, 0, 0, 0], [grad.shape[0], grad.shape[1], kh, kw], [1, 1, 1, 1])
    if groups > 1:
        # That computed every (input channel, output channel) pair; keep the
        # pairs of the same group: the diagonal blocks of [G, C/G, G, O/G].
        c, o = grad.shape[:2]
        blocks = reshape(grad, groups, c // groups, groups, o // groups, kh, kw)
        eye = Tensor(np.eye(groups, dtype=grad.dtype).reshape(groups, 1, groups, 1, 1, 1))
        eye._literal = True
        diagonal = sum(mul(blocks, eye), 2)                       # [G, C/G, O/G, kh, kw]
        return reshape(permute(diagonal, 0, 2, 1, 3, 4), o, c // groups, kh, kw)
    return transpose(grad, 0, 1)


def _conv2d_input_grad(g, x, w, strides, pads, dilations, groups=1):
    # Spread g onto the stride grid, pad by the dilated kernel extent, and
    # correlate with the flipped, channel-transposed kernel.
    kh, kw = w.shape[2:]
    hp, wp = x.shape[2] + pads[0] + pads[2], x.shape[3] + pads[1] + pads[3]
    span = [(kh - 1) * dilations[0], (kw - 1) * dilations[1]]
    spread = _spread(g, strides, [0, 0], [(g.shape[2] - 1) * strides[0] + 1,
                                         (g.shape[3] - 1) * strides[1] + 1])
    flipped = flip(w, (2, 3))
    if groups > 1:
        # [O, C/G, kh, kw] -> [G, O/G, C/G, ...] -> [G, C/G, O/G, ...] -> [C, O/G, kh, kw]
        o, cg = w.shape[:2]
        kernel = reshape(permute(reshape(flipped, groups, o // groups, cg, kh, kw), 0, 2, 1, 3, 4),
                         cg * groups, o // groups, kh, kw)
    else:
        kernel = transpose(flipped, 0, 1)
    grad = conv2d(spread, kernel, padding=[span[0], span[1], span[0], span[1]], dilation=dilations,
                  groups=groups)
    # Positions of the padded input no window reached get no gradient.
    grad = _pad_dims(grad, [0, 0, 0, 0], [0, 0, hp - grad.shape[2], wp - grad.shape[3]])
    return _unpad(grad, pads, x.shape[2:])


def _max_pool2d_grad(g, out, x, kernel, strides, pads, dilations):
    # Each output's gradient goes to the first window position holding the
    # maximum (as PyTorch does), found offset by offset.
    neg_inf = float("-inf")
    hp = x.shape[2] + pads[0] + pads[2] + (out.shape[2] - 1) * strides[0]
    wp = x.shape[3] + pads[1] + pads[3] + (out.shape[3] - 1) * strides[1]
    xp = _pad_dims(x, [0, 0, pads[0], pads[1]], [0, 0, hp - x.shape[2] - pads[0], wp - x.shape[3] - pads[1]],
                   neg_inf)
    taken = None
    grad = None
    for p in range(kernel[0]):
        for q in range(kernel[1]):
            offset = [p * dilations[0], q * dilations[1]]
            hit = eq(_window(xp, offset, strides, out.shape[2:]), out)
            if taken is not None:
                hit = where(taken, False, hit)
                taken = where(hit, True, taken)
            else:
                taken = hit
            part = _spread(where(hit, g, 0.0), strides, offset, [hp, wp])
            grad = part if grad is None else add(grad, part)
    return _unpad(grad, pads, x.shape[2:])


def _avg_pool2d_grad(g, x, kernel, strides, pads, count_include_pad):
    hp, wp = x.shape[2] + pads[0] + pads[2], x.shape[3] + pads[1] + pads[3]
    if count_include_pad:
        share = mul(g, 1.0 / (kernel[0] * kernel[1]))
    else:
        # Divide by the number of real input elements in each window.
        ones = ones_like(x)
        counts = mul(avg_pool2d(ones, kernel, strides, pads), float(kernel[0] * kernel[1]))
        share = div(g, counts)
    grad = None
    for p in range(kernel[0]):
        for q in range(kernel[1]):
            part = _spread(share, strides, [p, q], [hp, wp])
            grad = part if grad is None else add(grad, part)
    return _unpad(grad, pads, x.shape[2:])


# ---------------------------------------------------------------------------
# Reductions and normalizations
# ---------------------------------------------------------------------------


def _reduce(name, op_class, rule):
    """A reduction; ``rule(x, out_kept, g_kept, axes)`` gets the output and
    gradient reshaped with the reduced dimensions kept as size 1."""
    def op(x, dim=None, keepdim=False):
        x = _as_tensor(x)
        axes = _axes(dim, x.ndim)
        if not axes:
            return x
        kept = [1 if i in axes else d for i, d in enumerate(x.shape)]

        def vjp(g, out):
            return [rule(x, reshape(out, kept), reshape(g, kept), axes)]
        return apply(f"tian.{name}", lambda v: op_class(v, axes, keepdims=keepdim).result, [x],
                     key=(name, tuple(axes), keepdim), vjp=vjp)
    op.__name__ = name
    return op


def _extremum_grad(x, out, g, axes):
    # Ties share the gradient equally, as in PyTorch's amax/amin.
    mask = cast(eq(x, out), x.dtype)
    return div(mul(mask, g), sum(mask, axes, keepdim=True))


sum = _reduce("reduce_sum", tian.ReduceSumOp, lambda x, out, g, axes: broadcast_to(g, x.shape))
amax = _reduce("reduce_max", tian.ReduceMaxOp, _extremum_grad)
amin = _reduce("reduce_min", tian.ReduceMinOp, _extremum_grad)
prod = _reduce("reduce_prod", tian.ReduceProdOp, lambda x, out, g, axes: div(mul(g, out), x))
_mean = _reduce("reduce_mean", tian.ReduceMeanOp,
                lambda x, out, g, axes: broadcast_to(
                    mul(g, 1.0 / int(np.prod([x.shape[a] for a in axes]))), x.shape))


def mean(x, dim=None, keepdim=False):
    x = _as_tensor(x)
    if not dtypes.is_floating(x.dtype):
        x = cast(x, dtypes.float32)
    return _mean(x, dim, keepdim)


def argmax(x, dim=None, keepdim=False):
    x = _as_tensor(x)
    if dim is None:
        return argmax(reshape(x, -1), 0)
    axis = _axis(dim, x.ndim)
    return apply("tian.argmax", lambda v: tian.ArgmaxOp(v, axis, keepdims=keepdim).result, [x],
                 key=("argmax", axis, keepdim))


def topk(x, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the ``k`` largest (or smallest) elements along
    ``dim``, in order; equal elements come lowest index first and NaN counts
    as larger than every number (PyTorch's and ONNX's rules). Built from k
    rounds of a masked max and a first-index argmax, so it costs k passes
    over the data: meant for small k (beam search, top-k sampling), not for
    sorting (there is no sort primitive yet)."""
    x = _as_tensor(x)
    if x.ndim == 0:
        values, indices = topk(reshape(x, 1), k, 0, largest, sorted)
        return reshape(values, []), reshape(indices, [])
    axis = _axis(dim, x.ndim)
    n = x.shape[axis]
    if not 0 <= k <= n:
        raise error_here(f"topk: k = {k} is out of range for a dimension of size {n}")
    shape = [1] * x.ndim
    shape[axis] = n
    positions = Tensor(np.arange(n, dtype=np.int64).reshape(shape))
    data = cast(x, dtypes.int8) if x.dtype == dtypes.bool_ else x
    floating = dtypes.is_floating(data.dtype)
    if floating:
        extreme = -math.inf if largest else math.inf
    else:
        info = np.iinfo(data.dtype)
        extreme = int(info.min if largest else info.max)
    nan = ne(data, data) if floating else None
    remaining = None  # every position not taken yet (None: all)
    values, indices = [], []

    def any_along(mask):
        return gt(amax(cast(mask, dtypes.int8), axis, keepdim=True), 0)

    for _ in range(k):
        candidates = remaining
        if floating:
            # NaNs first when largest, last when smallest.
            first = nan if largest else logical_not(nan)
            preferred = first if candidates is None else where(candidates, first, False)
            rest = logical_not(first) if candidates is None else where(candidates, logical_not(first), False)
            candidates = where(any_along(preferred), preferred, rest)
        pool = data if candidates is None else where(candidates, data, extreme)
        best = (amax if largest else amin)(pool, axis, keepdim=True)
        chosen = eq(data, best)
        if floating:
            chosen = where(chosen, True, nan)  # all candidates are NaN, or none is
        if candidates is not None:
            chosen = where(candidates, chosen, False)
        index = argmax(cast(chosen, dtypes.int8), axis, keepdim=True)
        hit = eq(positions, index)
        values.append(sum(where(hit, data, zeros_like(data)), axis, keepdim=True))
        indices.append(index)
        remaining = logical_not(hit) if remaining is None else where(hit, False, remaining)
    if k == 0:
        empty = list(x.shape)
        empty[axis] = 0
        return (Tensor(np.zeros(empty, x.dtype)), Tensor(np.zeros(empty, np.int64)))
    values = concat(values, axis) if k > 1 else values[0]
    if x.dtype == dtypes.bool_:
        values = cast(values, dtypes.bool_)
    return values, (concat(indices, axis) if k > 1 else indices[0])


def _scalar_as_vector(fn, x, dim):
    """PyTorch lets a 0-d tensor take dim 0 or -1: the op on one element."""
    if dim not in (0, -1):
        raise error_here(f"dimension {dim} is out of range for a tensor of rank 0")
    return reshape(fn(reshape(x, 1), 0), [])


def softmax(x, dim=-1):
    x = _as_tensor(x)
    if x.ndim == 0:
        return _scalar_as_vector(softmax, x, dim)
    axis = _axis(dim, x.ndim)
    return apply("tian.softmax", lambda v: tian.SoftmaxOp(v, axis).result, [x], key=("softmax", axis),
                 vjp=lambda g, out: [mul(out, sub(g, sum(mul(g, out), axis, keepdim=True)))])


def log_softmax(x, dim=-1):
    x = _as_tensor(x)
    if x.ndim == 0:
        return _scalar_as_vector(log_softmax, x, dim)
    axis = _axis(dim, x.ndim)
    return apply("tian.log_softmax", lambda v: tian.LogSoftmaxOp(v, axis).result, [x],
                 key=("log_softmax", axis),
                 vjp=lambda g, out: [sub(g, mul(exp(out), sum(g, axis, keepdim=True)))])


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    x = _as_tensor(x)
    normalized = [normalized_shape] if isinstance(normalized_shape, int) else list(normalized_shape)
    if list(x.shape[x.ndim - len(normalized):]) != normalized:
        raise error_here(f"layer_norm: normalized_shape {normalized} does not match the trailing "
                        f"dimensions of input {list(x.shape)}")
    axis = x.ndim - len(normalized)
    inputs = [x] + [t for t in (weight, bias) if t is not None]
    has_weight, has_bias = weight is not None, bias is not None

    def build(v, *params):
        params = list(params)
        w = params.pop(0) if has_weight else None
        b = params.pop(0) if has_bias else None
        return tian.LayerNormOp(v, axis, weight=w, bias=b, epsilon=eps).result

    def vjp(g, out):
        axes = list(range(axis, x.ndim))
        lead = list(range(axis))
        mu = mean(x, axes, keepdim=True)
        centered = sub(x, mu)
        rstd = rsqrt(add(mean(mul(centered, centered), axes, keepdim=True), eps))
        xhat = mul(centered, rstd)
        gxhat = mul(g, weight) if has_weight else g
        gx = mul(rstd, sub(sub(gxhat, mean(gxhat, axes, keepdim=True)),
                           mul(xhat, mean(mul(gxhat, xhat), axes, keepdim=True))))
        grads = [gx]
        if has_weight:
            grads.append(sum(mul(g, xhat), lead) if weight.requires_grad else None)
        if has_bias:
            grads.append(sum(g, lead) if bias.requires_grad else None)
        return grads

    return apply("tian.layer_norm", build, inputs, key=("layer_norm", axis, has_weight, has_bias, eps),
                 vjp=vjp)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalization over dimension 1; with training=True it normalizes
    with the batch's statistics (the running buffers are not updated here)."""
    x = _as_tensor(x)
    channels = x.shape[1]
    if training:
        axes = [0] + list(range(2, x.ndim))
        shape = [1, channels] + [1] * (x.ndim - 2)
        mu = mean(x, axes, keepdim=True)
        centered = sub(x, mu)
        var = mean(mul(centered, centered), axes, keepdim=True)
        out = mul(centered, rsqrt(add(var, eps)))
        if weight is not None:
            out = mul(out, reshape(weight, *shape))
        if bias is not None:
            out = add(out, reshape(bias, *shape))
        return out
    weight = _as_tensor(weight if weight is not None else np.ones(channels, x.dtype))
    bias = _as_tensor(bias if bias is not None else np.zeros(channels, x.dtype))
    running_mean, running_var = _as_tensor(running_mean), _as_tensor(running_var)

    def vjp(g, out):
        shape = [channels] + [1] * (x.ndim - 2)
        axes = [0] + list(range(2, x.ndim))
        rstd = rsqrt(add(running_var, eps))
        xhat = mul(sub(x, reshape(running_mean, shape)), reshape(rstd, shape))
        return [mul(g, reshape(mul(weight, rstd), shape)) if x.requires_grad else None,
                sum(mul(g, xhat), axes) if weight.requires_grad else None,
                sum(g, axes) if bias.requires_grad else None, None, None]

    return apply("tian.batch_norm",
                 lambda v, s, b, m, var: tian.BatchNormOp(v, s, b, m, var, epsilon=eps).result,
                 [x, weight, bias, running_mean, running_var], key=("batch_norm", eps), vjp=vjp)


# ---------------------------------------------------------------------------
# Data movement
# ---------------------------------------------------------------------------


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return list(shape[0])
    return list(shape)


def reshape(x, *shape):
    x = _as_tensor(x)
    shape = _shape_arg(shape)
    if shape.count(-1) > 1:
        raise error_here(f"reshape: at most one dimension can be -1, got {shape}")
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1]))
        if known == 0 or x.numel() % known:
            raise error_here(f"reshape: cannot reshape {list(x.shape)} to {shape}")
        shape[shape.index(-1)] = x.numel() // known
    if list(x.shape) == shape:
        return x
    return apply("tian.reshape", lambda v: tian.ReshapeOp(v, shape).result, [x],
                 key=("reshape", tuple(shape)), vjp=lambda g, out: [reshape(g, list(x.shape))])


def permute(x, *dims):
    x = _as_tensor(x)
    perm = [_axis(d, x.ndim) for d in _shape_arg(dims)]
    if perm == list(range(x.ndim)):
        return x
    inverse = list(np.argsort(perm))
    return apply("tian.transpose", lambda v: tian.TransposeOp(v, perm).result, [x],
                 key=("transpose", tuple(perm)), vjp=lambda g, out: [permute(g, inverse)])


def transpose(x, dim0=0, dim1=1):
    x = _as_tensor(x)
    perm = list(range(x.ndim))
    a, b = _axis(dim0, x.ndim), _axis(dim1, x.ndim)
    perm[a], perm[b] = perm[b], perm[a]
    return permute(x, perm)


def broadcast_to(x, *shape):
    x = _as_tensor(x)
    shape = _shape_arg(shape)
    shape = [x.shape[i - (len(shape) - x.ndim)] if d == -1 else d for i, d in enumerate(shape)]
    if list(x.shape) == shape:
        return x
    return apply("tian.broadcast_to", lambda v: tian.BroadcastToOp(v, shape).result, [x],
                 key=("broadcast_to", tuple(shape)), vjp=lambda g, out: [_unbroadcast(g, x.shape)])


def unsqueeze(x, dim):
    x = _as_tensor(x)
    axis = dim % (x.ndim + 1)
    shape = list(x.shape)
    shape.insert(axis, 1)
    return reshape(x, shape)


def squeeze(x, dim=None):
    x = _as_tensor(x)
    axes = [i for i, d in enumerate(x.shape) if d == 1] if dim is None else _axes(dim, x.ndim)
    shape = [d for i, d in enumerate(x.shape) if i not in axes or d != 1]
    return reshape(x, shape)


def flatten(x, start_dim=0, end_dim=-1):
    x = _as_tensor(x)
    if x.ndim == 0:
        return reshape(x, 1)
    start, end = _axis(start_dim, x.ndim), _axis(end_dim, x.ndim)
    shape = list(x.shape[:start]) + [int(np.prod(x.shape[start:end + 1]))] + list(x.shape[end + 1:])
    return reshape(x, shape)


def concat(tensors, dim=0):
    tensors = _promote(*tensors)
    axis = _axis(dim, tensors[0].ndim)

    def vjp(g, out):
        grads, offset = [], 0
        for t in tensors:
            starts = [0] * g.ndim
            limits = list(g.shape)
            starts[axis], limits[axis] = offset, offset + t.shape[axis]
            grads.append(slice(g, starts, limits, [1] * g.ndim) if t.requires_grad else None)
            offset += t.shape[axis]
        return grads

    return apply("tian.concat", lambda *vs: tian.ConcatOp(list(vs), axis).result, tensors,
                 key=("concat", axis, len(tensors)), vjp=vjp)


cat = concat


def stack(tensors, dim=0):
    return concat([unsqueeze(t, dim) for t in tensors], dim)


def round(x):
    """Rounds to the nearest integer, halves to even (PyTorch's, numpy's rint)."""
    x = _as_tensor(x)
    if not dtypes.is_floating(x.dtype):
        return x
    nearest = floor(add(x, 0.5))
    odd = eq(sub(nearest, mul(floor(mul(nearest, 0.5)), 2.0)), 1.0)
    tie = eq(sub(nearest, x), 0.5)
    rounded = where(where(tie, odd, False), sub(nearest, 1.0), nearest)
    # Past 2^mantissa every float is an integer (and x + 0.5 would round).
    mantissa = {dtypes.float32: 23, dtypes.float16: 10}.get(x.dtype, 7)  # bfloat16: 7
    rounded = where(ge(abs(x), 2.0 ** mantissa), x, rounded)
    # A zero keeps the sign of x (round(-0.3) is -0, as in numpy and PyTorch).
    return where(eq(rounded, 0), mul(x, 0.0), rounded)


_CUBIC_A = -0.75  # Keys' cubic convolution, as PyTorch and ONNX


def _cubic_weights(t):
    """The four weights of the taps at -1, 0, 1, 2 for a fraction t in [0, 1)."""
    a = _CUBIC_A
    def outer(s):  # |s| in [1, 2]
        return sub(mul(add(mul(sub(mul(s, a), 5 * a), s), 8 * a), s), 4 * a)

    def inner(s):  # |s| in [0, 1]
        return add(mul(mul(sub(mul(s, a + 2), a + 3), s), s), 1.0)
    return [outer(add(t, 1.0)), inner(t), inner(sub(1.0, t)), outer(sub(2.0, t))]


def _reflect(x, low, high):
    """Reflects x by the nearer border until it lies in [low, high]."""
    span = high - low
    if span <= 0:
        return add(mul(x, 0.0), float(low))  # one position: NaN stays NaN
    below, above = lt(x, low), gt(x, high)
    distance = where(below, sub(low, x), where(above, sub(x, high), 0.0))
    folds = floor(div(distance, span))
    rest = sub(distance, mul(folds, span))
    even = eq(sub(folds, mul(floor(mul(folds, 0.5)), 2.0)), 0.0)
    from_low = where(even, add(rest, low), sub(high, rest))
    from_high = where(even, sub(high, rest), add(rest, low))
    return where(below, from_low, where(above, from_high, x))


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=False,
                _round_first=False):
    """PyTorch's grid_sample for any number of spatial dims: ``input``
    [N, C, *S] read at ``grid`` [N, *out, d] (coordinates in [-1, 1], the
    last spatial dim first), with mode 'nearest', 'bilinear' or 'bicubic'
    and padding_mode 'zeros', 'border' or 'reflection'. Each of the 1, 2^d
    or 4^d taps is one gather from the flattened input, weighted and summed."""
    x, grid = _as_tensor(input), _as_tensor(grid)
    mode = {"bilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    padding = padding_mode
    if mode not in ("nearest", "linear", "cubic"):
        raise error_here(f"grid_sample: mode must be 'nearest', 'bilinear' or 'bicubic', got {mode!r}")
    if padding not in ("zeros", "border", "reflection"):
        raise error_here("grid_sample: padding_mode must be 'zeros', 'border' or 'reflection', "
                         f"got {padding!r}")
    align = bool(align_corners)
    batch, channels, *sizes = x.shape
    dims = len(sizes)
    if grid.ndim != dims + 2 or grid.shape[-1] != dims or grid.shape[0] != batch:
        raise error_here(f"grid_sample: a grid of shape {list(grid.shape)} does not fit an input "
                         f"of shape {list(x.shape)} (it needs [{batch}, ..., {dims}])")
    out = list(grid.shape[1:-1])
    grid = cast(grid, dtypes.float32)
    coordinates = []
    for d, size in enumerate(sizes):
        # The grid's last dim lists x (the last spatial dim) first.
        g = squeeze(slice(grid, [0] * (grid.ndim - 1) + [dims - 1 - d],
                          list(grid.shape[:-1]) + [dims - d], [1] * grid.ndim), -1)
        c = (mul(add(g, 1.0), (size - 1) / 2.0) if align
             else div(sub(mul(add(g, 1.0), float(size)), 1.0), 2.0))
        if mode == "nearest" and _round_first:  # ONNX's order
            c = round(c)
        low, high = (0.0, size - 1.0) if align else (-0.5, size - 0.5)
        # Bicubic pads each tap instead (PyTorch's rule), the others the coordinate.
        if padding == "border" and mode != "cubic":
            c = clamp(c, 0.0, float(size - 1))
        elif padding == "reflection" and mode != "cubic":
            c = clamp(_reflect(c, low, high), 0.0, float(size - 1))
        if mode == "nearest" and not _round_first:  # PyTorch rounds the padded coordinate
            c = round(c)
        coordinates.append((c, size, low, high))
    # Per dim, the taps: (integer position, weight).
    taps = []
    for c, size, low, high in coordinates:
        if mode == "nearest":
            taps.append([(c, None)])
            continue
        base = floor(c)
        t = sub(c, base)
        if mode == "linear":
            taps.append([(base, sub(1.0, t)), (add(base, 1.0), t)])
        else:
            weights = _cubic_weights(t)
            taps.append([(add(base, float(k - 1)), weights[k]) for k in range(4)])
    pixels = int(np.prod(sizes))
    strides = [int(np.prod(sizes[d + 1:])) for d in range(dims)]
    flat = reshape(x, [-1])
    # n * C * P + c * P for every (n, c), broadcast against [N, 1, *out].
    offsets = (np.arange(batch).reshape(-1, 1) * channels * pixels
               + np.arange(channels).reshape(1, -1) * pixels).reshape([batch, channels] + [1] * len(out))
    offsets = Tensor(offsets.astype(np.int64))
    result = None
    for combination in itertools.product(*taps):
        position, weight, inside = None, None, None
        for d, ((index, w), (c, size, low, high)) in enumerate(zip(combination, coordinates)):
            if padding == "zeros":
                ok = where(ge(index, 0.0), le(index, float(size - 1)), False)
                inside = ok if inside is None else where(inside, ok, False)
                index = clamp(index, 0.0, float(size - 1))
            elif padding == "border":
                index = clamp(index, 0.0, float(size - 1))
            else:  # reflection of the tap's pixel, truncated toward zero
                index = clamp(_reflect(index, low, high), 0.0, float(size - 1))
            term = mul(cast(index, dtypes.int64), strides[d])
            position = term if position is None else add(position, term)
            if w is not None:
                weight = w if weight is None else mul(weight, w)
        if inside is not None:
            mask = cast(inside, dtypes.float32)
            weight = mask if weight is None else mul(weight, mask)
        values = cast(index_select(flat, 0, add(unsqueeze(position, 1), offsets)), dtypes.float32)
        term = values if weight is None else mul(values, unsqueeze(weight, 1))
        result = term if result is None else add(result, term)
    return cast(result, x.dtype)


def affine_grid(theta, size, align_corners=False):
    """PyTorch's affine_grid: the sampling grid [N, *S, d] of the affine maps
    ``theta`` [N, d, d + 1] for an output of ``size`` [N, C, *S]."""
    theta = _as_tensor(theta)
    size = [int(s) for s in size]
    batch, spatial = size[0], size[2:]
    if tuple(theta.shape) != (batch, len(spatial), len(spatial) + 1):
        raise error_here(f"affine_grid: theta of shape {list(theta.shape)} does not fit size {size}")
    align = bool(align_corners)

    def line(n):
        if align:
            return np.linspace(-1.0, 1.0, n) if n > 1 else np.zeros(n)
        return (2.0 * np.arange(n) + 1.0) / n - 1.0

    axes = np.meshgrid(*[line(n) for n in spatial], indexing="ij")
    # Homogeneous points (x, y[, z], 1), x along the last spatial dim.
    points = np.stack([a.reshape(-1) for a in axes[::-1]] + [np.ones(axes[0].size)], 1)
    base = Tensor(points.T.astype(np.dtype(theta.dtype)))  # [dims + 1, points]
    grid = matmul(theta, base)  # [N, dims, points]
    return reshape(transpose(grid, 1, 2), [batch] + list(spatial) + [len(spatial)])


def _einsum_parse(equation, operands):
    """[letters per operand], output letters; '...' becomes one private
    letter per broadcast dim (upper-case Greek, never in a user's equation)."""
    text = equation.replace(" ", "")
    inputs, arrow, output = text.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(operands):
        raise error_here(f"einsum: the equation {equation!r} names {len(terms)} operands, "
                         f"got {len(operands)}")
    ellipsis_rank = builtins.max([t.ndim - len(term.replace("...", ""))
                                  for term, t in zip(terms, operands) if "..." in term] or [0])
    hidden = [chr(0x391 + i) for i in range(ellipsis_rank)]

    def expand(term, rank):
        if "..." not in term:
            return list(term)
        head, _, tail = term.partition("...")
        count = rank - len(head) - len(tail)
        return list(head) + hidden[ellipsis_rank - count:] + list(tail)

    letters = []
    for term, t in zip(terms, operands):
        if any(not ((c.isascii() and c.isalpha()) or c == ".") for c in term) \
                or term.replace("...", "").count("."):
            raise error_here(f"einsum: bad term {term!r} in {equation!r}")
        expanded = expand(term, t.ndim)
        if len(expanded) != t.ndim:
            raise error_here(f"einsum: the term {term!r} has {len(expanded)} dims, but its operand "
                             f"has shape {list(t.shape)}")
        letters.append(expanded)
    if arrow:
        out = expand(output, len(hidden) + len(output.replace("...", "")))
        if "..." not in output:
            out = list(output)
        for c in out:
            if not any(c in term for term in letters):
                raise error_here(f"einsum: output letter {c!r} of {equation!r} is in no input")
    else:  # implicit output: the broadcast dims, then letters seen once, sorted
        counts = {}
        for term in letters:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        out = hidden + sorted(c for c, n in counts.items() if n == 1 and c not in hidden)
    return letters, out


def _einsum_diagonal(t, term):
    """Takes the diagonal of each letter repeated within one operand."""
    while len(set(term)) < len(term):
        letter = next(c for c in term if term.count(c) > 1)
        first = term.index(letter)
        second = term.index(letter, first + 1)
        if t.shape[first] != t.shape[second]:
            raise error_here(f"einsum: {letter!r} has sizes {t.shape[first]} and "
                             f"{t.shape[second]} in one operand")
        n = t.shape[first]
        rest = [i for i in range(t.ndim) if i not in (first, second)]
        moved = reshape(permute(t, rest + [first, second]), [t.shape[i] for i in rest] + [n * n])
        diagonal = slice(moved, [0] * moved.ndim, list(moved.shape[:-1]) + [builtins.max(n * n, 1)],
                         [1] * (moved.ndim - 1) + [n + 1]) if n else moved
        t = diagonal
        term = [term[i] for i in rest] + [letter]
    return t, term


def einsum(equation, *operands):
    """numpy/PyTorch einsum: ``einsum("bij,bjk->bik", a, b)``, with ``...``,
    repeated letters (diagonals) and implicit output. Contracts the operands
    left to right, each pair as one batched matmul."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = list(_promote(*operands)) if len(operands) > 1 else [_as_tensor(operands[0])]
    letters, out = _einsum_parse(equation, tensors)
    sizes = {}
    for term, t in zip(letters, tensors):
        for c, d in zip(term, t.shape):
            if sizes.get(c, 1) != 1 and d != 1 and sizes[c] != d:
                raise error_here(f"einsum: {c!r} has sizes {sizes[c]} and {d} in {equation!r}")
            sizes[c] = d if sizes.get(c, 1) == 1 else sizes[c]
    terms = []
    for i, (t, term) in enumerate(zip(tensors, letters)):
        t, term = _einsum_diagonal(t, term)
        # Sum out letters no other operand and not the output needs.
        needed = set(out).union(*[letters[j] for j in range(len(letters)) if j != i])
        axes = [k for k, c in enumerate(term) if c not in needed]
        if axes:
            t = sum(t, axes)
            term = [c for k, c in enumerate(term) if k not in axes]
        tensors[i] = t
        terms.append(term)
    result, term = tensors[0], terms[0]
    for j in range(1, len(tensors)):
        later = set(out).union(*terms[j + 1:])
        result, term = _einsum_pair(result, term, tensors[j], terms[j], later, sizes)
    axes = [k for k, c in enumerate(term) if c not in out]
    if axes:
        result = sum(result, axes)
        term = [c for k, c in enumerate(term) if k not in axes]
    result = permute(result, [term.index(c) for c in out]) if term else result
    return broadcast_to(result, [sizes[c] for c in out])


def _einsum_pair(a, a_term, b, b_term, later, sizes):
    """Contracts two operands as one batched matmul: batch letters (in both,
    needed later), then the letters of a alone, the contracted letters, the
    letters of b alone."""
    batch = [c for c in a_term if c in b_term and c in later]
    contracted = [c for c in a_term if c in b_term and c not in later]
    a_only = [c for c in a_term if c not in b_term]
    b_only = [c for c in b_term if c not in a_term]

    def arrange(t, term, order):
        t = permute(t, [term.index(c) for c in order]) if order else t
        return broadcast_to(t, [sizes[c] for c in order])

    count = lambda letters: int(np.prod([sizes[c] for c in letters]))  # noqa: E731
    left = reshape(arrange(a, a_term, batch + a_only + contracted),
                   [count(batch), count(a_only), count(contracted)])
    right = reshape(arrange(b, b_term, batch + contracted + b_only),
                    [count(batch), count(contracted), count(b_only)])
    product = matmul(left, right)
    return (reshape(product, [sizes[c] for c in batch + a_only + b_only]),
            batch + a_only + b_only)


def pad(x, pads, value=0.0):
    """pads in PyTorch order: (last_begin, last_end, second_last_begin, ...)."""
    x = _as_tensor(x)
    low, high = [0] * x.ndim, [0] * x.ndim
    for i in range(len(pads) // 2):
        low[x.ndim - 1 - i], high[x.ndim - 1 - i] = pads[2 * i], pads[2 * i + 1]
    return _pad_dims(x, low, high, value)


def _pad_dims(x, low, high, value=0.0):
    def vjp(g, out):
        limits = [lo + d for lo, d in zip(low, x.shape)]
        return [slice(g, list(low), limits, [1] * x.ndim)]
    return apply("tian.pad", lambda v: tian.PadOp(v, low, high, value=float(value)).result, [x],
                 key=("pad", tuple(low), tuple(high), float(value)), vjp=vjp)


def _dilate(x, axis, step):
    """``step - 1`` zeros between the elements of ``axis`` (the gradient of a
    strided slice, the input of a transposed convolution)."""
    if step == 1 or x.shape[axis] <= 1:
        return x
    shape = list(x.shape)
    n = shape[axis]
    spread = reshape(x, shape[:axis] + [n, 1] + shape[axis + 1:])
    high = [0] * spread.ndim
    high[axis + 1] = step - 1
    spread = reshape(_pad_dims(spread, [0] * spread.ndim, high),
                     shape[:axis] + [n * step] + shape[axis + 1:])
    stop = list(spread.shape)
    stop[axis] = (n - 1) * step + 1
    return slice(spread, [0] * spread.ndim, stop, [1] * spread.ndim)


def slice(x, starts, limits, steps):
    x = _as_tensor(x)

    def vjp(g, out):
        # Put each element back at start + i * step: dilate the strided
        # dimensions (zeros between elements), then pad to the input's size.
        for axis, step in enumerate(steps):
            g = _dilate(g, axis, step)
        high = [d - s0 - e for d, s0, e in zip(x.shape, starts, g.shape)]
        return [_pad_dims(g, list(starts), high)]
    return apply("tian.slice", lambda v: tian.SliceOp(v, starts, limits, steps).result, [x],
                 key=("slice", tuple(starts), tuple(limits), tuple(steps)), vjp=vjp)


def _constant(array):
    """A numpy array as a constant of the graph (not a captured input)."""
    constant = Tensor(array)
    constant._literal = True
    return constant


def _concrete_index(index, what):
    """``index`` with every Tensor in it as its numpy array: the positions it
    picks must be known (eager mode, or a constant in traced code)."""
    parts = index if isinstance(index, tuple) else (index,)
    concrete = []
    for part in parts:
        if isinstance(part, Tensor):
            if part._data is None:
                raise error_here(f"{what} with a tensor computed inside a traced function "
                                 "selects a value-dependent set of elements: eager mode only "
                                 "(in traced code use tc.where for masks, an integer tensor for rows)")
            part = part._data
        concrete.append(part)
    return tuple(concrete) if isinstance(index, tuple) else concrete[0]


def _positions(shape, index, what):
    """The flat positions of the elements ``x[index]`` picks, in the shape of
    the result: numpy answers (negative steps, masks, integer arrays)."""
    try:
        return np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)[index]
    except (IndexError, TypeError, ValueError) as error:
        raise error_here(f"{what}: {error} (a tensor of shape {list(shape)})") from None


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer))
               or (isinstance(p, builtins.slice) and (p.step is None or p.step > 0)) for p in parts)


def getitem(x, index):
    """numpy's indexing: integers, slices (negative steps too), None,
    Ellipsis, boolean masks and integer arrays; an integer Tensor indexes
    dimension 0 (gather). Slices with positive steps are a tian.slice; the
    rest gathers the elements numpy picks (a mask's picks depend on its
    values: eager mode, or a constant mask)."""
    if isinstance(index, Tensor) and index.dtype != dtypes.bool_:
        return embedding(index, x)
    if not _is_basic(index):
        positions = _positions(x.shape, _concrete_index(index, "indexing"), "indexing")
        flat = embedding(_constant(positions.reshape(-1)), reshape(x, -1))
        return reshape(flat, list(positions.shape))
    index = index if isinstance(index, tuple) else (index,)
    if builtins.sum(i is Ellipsis for i in index) > 1:
        raise error_here("an index can only have one ellipsis")
    consumed = builtins.sum(1 for i in index if i is not None and i is not Ellipsis)
    if consumed > x.ndim:
        raise error_here(f"too many indices for a tensor of rank {x.ndim}")
    expanded = []
    for i in index:
        expanded.extend([builtins.slice(None)] * (x.ndim - consumed) if i is Ellipsis else [i])
    expanded += [builtins.slice(None)] * (x.ndim - builtins.sum(1 for i in expanded if i is not None))
    starts, limits, steps, out_shape = [], [], [], []
    dim = 0
    for i in expanded:
        if i is None:
            out_shape.append(1)
            continue
        size = x.shape[dim]
        if isinstance(i, builtins.slice):
            start, stop, step = i.indices(size)
            stop = builtins.max(stop, start)
            starts.append(start), limits.append(stop), steps.append(step)
            out_shape.append(len(range(start, stop, step)))
        elif isinstance(i, (int, np.integer)):
            if not -size <= i < size:
                raise error_here(f"index {i} is out of bounds for dimension {dim} of size {size}")
            starts.append(int(i) % size), limits.append(int(i) % size + 1), steps.append(1)
        else:
            raise error_here(f"unsupported index {i!r}")
        dim += 1
    out = x
    if (starts, limits, steps) != ([0] * x.ndim, list(x.shape), [1] * x.ndim):
        out = slice(x, starts, limits, steps)
    return reshape(out, out_shape)


def setitem(x, index, value):
    """``x`` with ``x[index] = value`` applied (numpy's rules: any index
    getitem takes, ``value`` broadcast to the picked elements, cast to x's
    dtype), as a new tensor: differentiable in x and value. A boolean
    Tensor mask of x's shape is a tian.select, also in traced code."""
    value = _as_tensor(value, x)
    if value.dtype != x.dtype:
        value = cast(value, x.dtype)
    if isinstance(index, Tensor) and index.dtype == dtypes.bool_ and index.shape == x.shape \
            and value.ndim == 0:
        return where(index, value, x)
    positions = _positions(x.shape, _concrete_index(index, "item assignment"), "item assignment")
    if positions.size == 0:
        return x
    try:
        np.broadcast_shapes(value.shape, positions.shape)
    except ValueError:
        raise error_here(f"item assignment: a value of shape {list(value.shape)} does not "
                         f"broadcast to the {list(positions.shape)} elements picked") from None
    picked = np.zeros(x.numel(), bool)
    picked[positions.reshape(-1)] = True
    # Where each element of x takes its new value from (the last write wins, as in numpy).
    source = np.zeros(x.numel(), np.int64)
    source[positions.reshape(-1)] = np.arange(positions.size)
    spread = reshape(broadcast_to(value, list(positions.shape)), -1)
    placed = reshape(embedding(_constant(source), spread), list(x.shape))
    return where(_constant(picked.reshape(x.shape)), placed, x)


def _check_indices(what, indices, size, dim):
    """Eager mode's range check of an index tensor: Python's rule, negative
    counts from the end. Traced code cannot look at the values; there the op
    clamps (docs/eager-mode.md)."""
    if indices._data is None or indices._data.size == 0:
        return
    low, high = indices._data.min(), indices._data.max()
    bad = low if low < -size else high if high >= size else None
    if bad is not None:
        raise error_here(f"{what}: index {int(bad)} is out of range for dimension {dim} "
                         f"of size {size} (valid: {-size} to {size - 1})")


def embedding(indices, weight):
    """Rows of ``weight`` at ``indices``; a negative index counts from the end.
    Eager mode raises for an index outside ``[-rows, rows)``; compiled code
    clamps it into range."""
    indices = _as_tensor(indices)
    if indices.dtype not in (dtypes.int32, dtypes.int64):
        raise error_here(f"embedding: indices must be int32 or int64, got {indices.dtype}")
    weight = _as_tensor(weight)
    if weight.ndim == 0:
        raise error_here("a 0-d tensor cannot be indexed by a tensor")
    _check_indices("indexing", indices, weight.shape[0], 0)

    def vjp(g, out):
        # Scatter-add as a product: one_hot(indices)^T @ g.
        rows = weight.shape[0]
        wrapped = where(lt(indices, 0), add(indices, rows), indices)
        hot = reshape(one_hot(wrapped, rows, g.dtype), -1, rows)
        flat = reshape(g, hot.shape[0], -1)
        return [reshape(matmul(permute(hot, 1, 0), flat), list(weight.shape)), None]
    return apply("tian.gather", lambda w, i: tian.GatherOp(w, i, 0).result,
                 [weight, indices], key=("gather", 0), vjp=vjp)


def index_select(x, dim, index):
    """numpy.take along ``dim``: ``x.shape[:dim] + index.shape +
    x.shape[dim+1:]`` (PyTorch's index_select, for an index of any rank).
    Negative indices count from the end; out-of-range ones as in embedding."""
    x, index = _as_tensor(x), _as_tensor(index)
    dim = _axis(dim, x.ndim)
    if dim == 0:
        return embedding(index, x)
    if index.dtype not in (dtypes.int32, dtypes.int64):
        raise error_here(f"index_select: indices must be int32 or int64, got {index.dtype}")
    _check_indices("index_select", index, x.shape[dim], dim)

    def vjp(g, out):
        # Bring the gathered dims to the front, scatter-add as embedding's
        # gradient does, and put the axis back.
        lead, count = list(range(dim)), index.ndim
        front = permute(g, *[dim + i for i in range(count)], *lead,
                        *range(dim + count, g.ndim))
        moved = [x.shape[dim]] + [x.shape[i] for i in range(x.ndim) if i != dim]
        rows = x.shape[dim]
        wrapped = where(lt(index, 0), add(index, rows), index)
        hot = reshape(one_hot(wrapped, rows, g.dtype), -1, rows)
        grad = reshape(matmul(permute(hot, 1, 0), reshape(front, hot.shape[0], -1)), moved)
        back = list(range(1, dim + 1)) + [0] + list(range(dim + 1, x.ndim))
        return [permute(grad, *back), None]
    return apply("tian.gather", lambda w, i: tian.GatherOp(w, i, dim).result,
                 [x, index], key=("gather", dim), vjp=vjp)


def one_hot(indices, num_classes, dtype=dtypes.float32):
    indices = _as_tensor(indices)
    classes = Tensor(np.arange(num_classes, dtype=indices.dtype))
    classes._literal = True
    return cast(eq(unsqueeze(indices, -1), classes), dtype)


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """PyTorch's cross_entropy. ``logits`` is (C,), (N, C) or (N, C, d1, ...).
    An integer ``target`` holds class indices: those equal to ``ignore_index``
    add nothing and are not counted by the mean; any other index outside
    [0, C) is an error in eager mode (compiled code cannot look at the values,
    and an index outside [0, C) there selects no class). A floating ``target``
    of the logits' shape holds class probabilities."""
    logits = _as_tensor(logits)
    target = _as_tensor(target)
    if reduction not in ("mean", "sum", "none"):
        raise error_here(f"cross_entropy: reduction must be 'mean', 'sum' or 'none', "
                         f"got {reduction!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise error_here(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if logits.ndim == 0:
        raise error_here("cross_entropy: logits must have a class dimension, got a 0-d tensor")
    class_dim = 0 if logits.ndim == 1 else 1
    classes = logits.shape[class_dim]
    if class_dim != logits.ndim - 1:  # classes last: (N, d1, ..., C)
        logits = permute(logits, 0, *range(2, logits.ndim), 1)
        if dtypes.is_floating(target.dtype):
            target = permute(target, 0, *range(2, target.ndim), 1)
    log_probs = log_softmax(logits, -1)
    if dtypes.is_floating(target.dtype):
        if tuple(target.shape) != tuple(log_probs.shape):
            raise error_here(f"cross_entropy: class-probability targets must have the logits' "
                             f"shape {list(log_probs.shape)}, got {list(target.shape)}")
        if label_smoothing:
            target = add(mul(target, 1.0 - label_smoothing), label_smoothing / classes)
        losses = neg(sum(mul(log_probs, target), -1))
        return _reduce_loss(losses, reduction, None)
    if target.dtype not in (dtypes.int32, dtypes.int64):
        raise error_here(f"cross_entropy: targets must be class indices (int32, int64) or "
                         f"class probabilities (float), got {target.dtype}")
    if tuple(target.shape) != tuple(log_probs.shape[:-1]):
        raise error_here(f"cross_entropy: targets of shape {list(target.shape)} do not match "
                         f"logits of shape {list(log_probs.shape[:-1])} x {classes} classes")
    if target._data is not None:
        labels = target._data[target._data != ignore_index]
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            bad = labels.min() if labels.min() < 0 else labels.max()
            raise error_here(f"cross_entropy: target {int(bad)} is out of range for "
                             f"{classes} classes (valid: 0 to {classes - 1}, or "
                             f"ignore_index={ignore_index})")
    # A target equal to ignore_index (or any other outside [0, C)) matches no
    # class of the one-hot, so its row adds nothing.
    losses = neg(sum(mul(log_probs, one_hot(target, classes, log_probs.dtype)), -1))
    kept = cast(ne(target, ignore_index), log_probs.dtype)
    if label_smoothing:
        smooth = neg(mean(log_probs, -1))
        losses = add(mul(losses, 1.0 - label_smoothing), mul(mul(smooth, kept), label_smoothing))
    return _reduce_loss(losses, reduction, kept)


def _reduce_loss(losses, reduction, kept):
    if reduction == "none":
        return losses
    if reduction == "sum":
        return sum(losses)
    # The mean over counted targets: all of them ignored gives 0 / 0 = nan,
    # as in PyTorch.
    return mean(losses) if kept is None else div(sum(losses), sum(kept))


def mse_loss(prediction, target, reduction="mean"):
    """The squared difference: its mean (or sum, or each, by ``reduction``)."""
    diff = sub(prediction, target)
    return _reduce_loss(mul(diff, diff), reduction, None)


def dropout(x, p=0.5, training=True):
    """Inverted dropout; identity when not training or p == 0."""
    if not 0.0 <= p <= 1.0:
        raise error_here(f"dropout: p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return zeros_like(x)  # (x * 0 would be NaN for an infinite x)
    keep = cast(ge(random_uniform(x.shape, dtypes.float32), p), x.dtype)
    return mul(x, mul(keep, 1.0 / (1 - p)))


def random_uniform(shape, dtype=dtypes.float32):
    """Uniform numbers in [0, 1) from tianc's generator (tianc.random): one
    tian.random_uniform, then the generator's counter advances by their
    count; in a traced function both are part of the graph."""
    from .random import generator_state

    shape, dtype = tuple(int(d) for d in shape), dtypes.canonical(dtype)
    if not dtypes.is_floating(dtype):
        raise error_here(f"random numbers are floating-point, not {dtype}")
    if builtins.any(d < 0 for d in shape):
        raise error_here(f"random_uniform: negative dimension in {list(shape)}")
    state = generator_state()
    out = apply("tian.random_uniform",
                lambda s: tian.RandomUniformOp(dtypes.mlir_tensor_type(shape, dtype), s).result,
                [state], key=("random_uniform", shape, dtype.str))
    step = Tensor(np.array([0, math.prod(shape)], np.int64))
    step._literal = True
    state.assign_(add(state, step))
    return out


# ---------------------------------------------------------------------------
# More of PyTorch's functional surface, composed of the ops above: each is
# differentiable through them, eager and traced alike.
# ---------------------------------------------------------------------------


def leaky_relu(x, negative_slope=0.01):
    """x where x > 0, else negative_slope * x (the gradient at 0 is the slope,
    as in PyTorch)."""
    x = _as_tensor(x)
    return where(gt(x, 0), x, mul(x, negative_slope))


def silu(x):
    """x * sigmoid(x) (swish)."""
    x = _as_tensor(x)
    return mul(x, sigmoid(x))


def softplus(x, beta=1.0, threshold=20.0):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold
    (PyTorch's rule). Each side of 0 takes the form whose exponential cannot
    overflow (s + log(1 + e^-s) above, log(1 + e^s) below), each fed only
    its own side's values, so that neither the value nor the gradient (0.5
    at 0, sigmoid elsewhere) meets an inf."""
    x = _as_tensor(x)
    scaled = mul(x, beta) if beta != 1 else x
    positive = gt(scaled, 0)
    above = where(positive, scaled, 0.0)
    below = where(positive, 0.0, scaled)
    soft = where(positive, add(above, log(add(exp(neg(above)), 1.0))),
                 log(add(exp(below), 1.0)))
    if beta != 1:
        soft = div(soft, beta)
    return where(gt(scaled, threshold), x, soft)


def mish(x):
    """x * tanh(softplus(x))."""
    x = _as_tensor(x)
    return mul(x, tanh(softplus(x)))


def elu(x, alpha=1.0):
    """x where x > 0, else alpha * (e^x - 1)."""
    x = _as_tensor(x)
    return where(gt(x, 0), x, mul(sub(exp(minimum(x, 0.0)), 1.0), alpha))


def var(x, dim=None, correction=1, keepdim=False, unbiased=None):
    """The variance over ``dim`` (all dims by default), divided by
    n - correction (1: Bessel's; ``unbiased=False`` means 0, as in
    PyTorch); n - correction <= 0 gives nan or inf, as in PyTorch."""
    x = _as_tensor(x)
    if isinstance(dim, bool):  # var(x, True): PyTorch's old unbiased argument
        dim, unbiased = None, dim
    if unbiased is not None:
        correction = 1 if unbiased else 0
    axes = _axes(dim, x.ndim) if dim is not None else list(range(x.ndim))
    count = math.prod(x.shape[a] for a in axes)
    centered = sub(x, mean(x, axes, keepdim=True))
    total = sum(mul(centered, centered), axes, keepdim=keepdim)
    return div(total, float(builtins.max(count - correction, 0)))


def std(x, dim=None, correction=1, keepdim=False, unbiased=None):
    """The square root of ``var``."""
    return sqrt(var(x, dim, correction, keepdim, unbiased))


def cumsum(x, dim, exclusive=False, reverse=False):
    """Running sums along ``dim`` (``exclusive``: each excludes its own
    element; ``reverse``: from the end, ONNX's CumSum). A log-step scan
    (Hillis and Steele): ceil(log2 n) rounds that each add a copy shifted
    by 1, 2, 4, ... elements, so an inf or a NaN reaches only the sums after
    it, in n log n work. Integers and bools sum as int64, as in PyTorch."""
    x = _as_tensor(x)
    if not dtypes.is_floating(x.dtype) and x.dtype != np.int64:
        x = cast(x, dtypes.int64)
    if x.ndim == 0:
        return zeros_like(x) if exclusive else x
    axis = _axes(dim, x.ndim)[0]
    n = x.shape[axis]
    if exclusive:
        x = _shift(x, axis, 1, reverse)
    step = 1
    while step < n:
        x = add(x, _shift(x, axis, step, reverse))
        step *= 2
    return x


def _shift(x, axis, by, reverse):
    """x moved ``by`` elements along ``axis`` (toward the end, or toward
    the start when ``reverse``), zeros coming in."""
    n = x.shape[axis]
    if by >= n:
        return zeros_like(x)
    starts, limits = [0] * x.ndim, list(x.shape)
    low, high = [0] * x.ndim, [0] * x.ndim
    if reverse:
        starts[axis] = by
        high[axis] = by
    else:
        limits[axis] = n - by
        low[axis] = by
    return _pad_dims(slice(x, starts, limits, [1] * x.ndim), low, high)


def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalizes (N, C, ...) over each group of C / num_groups channels and
    the spatial dims, then scales and shifts per channel."""
    x = _as_tensor(x)
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise error_here(f"group_norm: {x.shape[1] if x.ndim > 1 else 'no'} channels (input "
                         f"shape {list(x.shape)}) do not split into {num_groups} groups")
    grouped = reshape(x, x.shape[0], num_groups, -1)
    # Each group's values normalized as one row: tian's layer_norm.
    y = reshape(layer_norm(grouped, [grouped.shape[2]], eps=eps), *x.shape)
    shape = [1, x.shape[1]] + [1] * (x.ndim - 2)
    if weight is not None:
        y = mul(y, reshape(weight, *shape))
    if bias is not None:
        y = add(y, reshape(bias, *shape))
    return y


def rms_norm(x, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing ``normalized_shape``
    dims, times ``weight``; eps defaults to the dtype's machine epsilon, as
    in PyTorch."""
    x = _as_tensor(x)
    normalized_shape = [normalized_shape] if isinstance(normalized_shape, int) else [
        *normalized_shape]
    if [*x.shape[x.ndim - len(normalized_shape):]] != normalized_shape:
        raise error_here(f"rms_norm: the input's trailing dims {list(x.shape)} are not "
                         f"{normalized_shape}")
    # float16 and bfloat16 compute in float32, as PyTorch does: x * x
    # overflows float16 from |x| > 256.
    half = x.dtype in (np.dtype(np.float16), dtypes.bfloat16)
    work = cast(x, dtypes.float32) if half else x
    if eps is None:
        eps = float(np.finfo(np.dtype(work.dtype)).eps)
    axes = list(range(x.ndim - len(normalized_shape), x.ndim))
    y = mul(work, rsqrt(add(mean(mul(work, work), axes, keepdim=True), eps)))
    if half:
        y = cast(y, x.dtype)
    return mul(y, weight) if weight is not None else y


def _one_d(name, x, *values):
    """A 1-d op as its 2-d form with a height of 1: the input (N, C, L) (or
    (C, L)) as (N, C, 1, L), each int or 1-tuple parameter as (1, value).
    Returns the 4-d input, the parameters and a function that turns the
    2-d op's result back."""
    x = _as_tensor(x)
    if x.ndim not in (2, 3):
        raise error_here(f"{name}: expected an input of shape (N, C, L) or (C, L), "
                         f"got {list(x.shape)}")
    batched = x.ndim == 3
    pairs = []
    for value in values:
        value = value[0] if isinstance(value, (tuple, list)) else value
        pairs.append(value if value is None or isinstance(value, str) else (1, value))
    x4 = unsqueeze(x if batched else unsqueeze(x, 0), 2)

    def back(out):
        out = squeeze(out, 2)
        return out if batched else squeeze(out, 0)
    return x4, pairs, back


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution of (N, C, L) by (O, C / groups, K)."""
    if isinstance(padding, str):
        raise error_here(f"conv1d: padding={padding!r} is not supported (give the number of "
                         "elements to pad on each side)")
    x4, (stride2, padding2, dilation2), back = _one_d("conv1d", x, stride, padding, dilation)
    if isinstance(padding2, tuple):
        padding2 = (0, padding2[1])
    return back(conv2d(x4, unsqueeze(weight, 2), bias, stride2, padding2, dilation2, groups))


def max_pool1d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """1-d max pooling of (N, C, L)."""
    x4, (kernel2, stride2, padding2, dilation2), back = _one_d(
        "max_pool1d", x, kernel_size, stride, padding, dilation)
    return back(max_pool2d(x4, kernel2, stride2, (0, padding2[1]), dilation2, ceil_mode))


def avg_pool1d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-d average pooling of (N, C, L)."""
    x4, (kernel2, stride2, padding2), back = _one_d("avg_pool1d", x, kernel_size, stride, padding)
    return back(avg_pool2d(x4, kernel2, stride2, (0, padding2[1]), ceil_mode, count_include_pad))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(q k^T * scale + mask) v over the last two dims, as PyTorch's
    (its math form): a bool ``attn_mask`` keeps where True, a float one is
    added; ``is_causal`` keeps j <= i; ``enable_gqa`` repeats the key and
    value heads (dim -3) to the query's. A row with every score masked
    gives zeros, as PyTorch's does."""
    query, key, value = (_as_tensor(t) for t in (query, key, value))
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise error_here(f"scaled_dot_product_attention: query {list(query.shape)}, key "
                         f"{list(key.shape)} and value {list(value.shape)} do not fit "
                         "(query and key share the last dim, key and value the one before)")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        repeat = query.shape[-3] // key.shape[-3]
        key, value = (_repeat_heads(t, repeat) for t in (key, value))
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = mul(matmul(query, transpose(key, -2, -1)), scale)
    length, source = query.shape[-2], key.shape[-2]
    if is_causal:
        causal = Tensor(np.tril(np.ones((length, source), np.bool_)))
        causal._literal = True  # a constant of the graph, not a captured input
        scores = where(causal, scores, float("-inf"))
    if attn_mask is not None:
        attn_mask = _as_tensor(attn_mask)
        if attn_mask.dtype == np.bool_:
            scores = where(attn_mask, scores, float("-inf"))
        else:
            scores = add(scores, attn_mask)
    # A row with every score masked attends to nothing: weights 0, as
    # PyTorch's safe softmax gives (not nan); its scores become 0 first, so
    # that neither the softmax nor its gradient meets -inf - -inf.
    empty = eq(amax(scores, -1, keepdim=True), float("-inf"))
    weights = where(empty, 0.0, softmax(where(empty, 0.0, scores), -1))
    if dropout_p:
        weights = dropout(weights, dropout_p)
    return matmul(weights, value)


def _repeat_heads(t, repeat):
    """(..., H, S, E) -> (..., H * repeat, S, E), each head repeated in place."""
    shape = [*t.shape]
    expanded = broadcast_to(unsqueeze(t, -3), *shape[:-2], repeat, *shape[-2:])
    return reshape(expanded, *shape[:-3], shape[-3] * repeat, *shape[-2:])


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """PyTorch's BCE on logits: (1 - t) x + (1 + (p - 1) t) (log(1 + e^-|x|)
    + max(-x, 0)), stable for any x; ``pos_weight`` p weighs the positive
    term, ``weight`` each element."""
    x, t = _as_tensor(input), _as_tensor(target, like=input)
    if tuple(x.shape) != tuple(t.shape):
        raise error_here(f"binary_cross_entropy_with_logits: the target's shape {list(t.shape)} "
                         f"is not the input's {list(x.shape)}")
    log_term = softplus(neg(x), threshold=float("inf"))  # log(1 + e^-x), stable both ways
    if pos_weight is not None:
        log_term = mul(log_term, add(mul(sub(pos_weight, 1.0), t), 1.0))
    losses = add(mul(sub(1.0, t), x), log_term)
    if weight is not None:
        losses = mul(losses, weight)
    return _reduce_loss(losses, reduction, None)


def flip(x, dims):
    """x reversed along ``dims`` (an int or a sequence), as torch.flip."""
    x = _as_tensor(x)
    for dim in ([dims] if isinstance(dims, int) else dims):
        axis = _axis(dim, x.ndim)
        index = Tensor(np.arange(x.shape[axis] - 1, -1, -1, dtype=np.int64))
        index._literal = True
        x = index_select(x, axis, index)
    return x


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """PyTorch's conv_transpose2d (weight: (C_in, C_out / groups, kh, kw));
    ``padding`` may also be (top, left, bottom, right), as ONNX's pads.
    The gradient of a convolution, as a convolution: the input dilated by
    the strides and padded by what the kernel overhangs, the kernel flipped
    and its channel axes swapped per group; the one definition behind
    nn.ConvTranspose2d and ONNX's ConvTranspose."""
    x, weight = _as_tensor(x), _as_tensor(weight)
    if x.ndim != 4 or weight.ndim != 4:
        raise error_here(f"conv_transpose2d: expects a 4-D input and weight, got "
                         f"{list(x.shape)} and {list(weight.shape)}")
    strides, dilations, extra = _pair(stride), _pair(dilation), _pair(output_padding)
    pads = _padding4(padding)
    cin = weight.shape[0]
    if groups < 1 or cin % groups or x.shape[1] != cin:
        raise error_here(f"conv_transpose2d: input {list(x.shape)} has {x.shape[1]} channels; "
                         f"the weight {list(weight.shape)} with groups={groups} takes {cin}")
    if min(strides + dilations) < 1 or min(pads + extra) < 0:
        raise error_here(f"conv_transpose2d: stride {strides} and dilation {dilations} must be "
                         f"positive, padding {pads} and output_padding {extra} not negative")
    for i in range(2):
        if extra[i] >= max(strides[i], dilations[i]):
            raise error_here(f"conv_transpose2d: output_padding {extra} must be smaller than "
                             f"the stride {strides} or the dilation {dilations}")
    return _conv_transpose2d(x, weight, bias, strides, pads, extra, dilations, groups)


def _conv_transpose2d(x, weight, bias, strides, pads, extra, dilations, groups):
    """conv_transpose2d with checked arguments (ONNX's output_padding may
    exceed the stride: it asks for a larger output, zero-padded)."""
    cin, cout_per_group = weight.shape[0], weight.shape[1]
    kernel = list(weight.shape[2:])
    weight = flip(weight, (2, 3))
    weight = reshape(weight, [groups, cin // groups, cout_per_group] + kernel)
    weight = reshape(permute(weight, 0, 2, 1, 3, 4),
                     [groups * cout_per_group, cin // groups] + kernel)
    for axis in (2, 3):
        x = _dilate(x, axis, strides[axis - 2])
    low, high = [0] * 4, [0] * 4
    for i in range(2):
        overhang = dilations[i] * (kernel[i] - 1)
        low[2 + i] = overhang - pads[i]
        high[2 + i] = overhang - pads[2 + i] + extra[i]
    if min(low + high) < 0:  # pads beyond the overhang crop the result
        begin = [max(0, -v) for v in low]
        limit = [d - max(0, -v) for d, v in zip(x.shape, high)]
        x = slice(x, begin, limit, [1] * 4)
        low, high = [max(0, v) for v in low], [max(0, v) for v in high]
    return conv2d(_pad_dims(x, low, high), weight, bias, stride=1, padding=0,
                  dilation=dilations, groups=groups)


def interpolate(x, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """PyTorch's interpolate over the spatial dims of (N, C, ...) input:
    modes nearest, nearest-exact, linear, bilinear, bicubic (trilinear for
    5-D), with PyTorch's coordinates (half pixels, or the corners with
    ``align_corners``); computed by tianc.resampling, as ONNX's Resize."""
    from . import resampling

    x = _as_tensor(x)
    spatial = x.ndim - 2
    linear = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
    if spatial < 1 or mode not in ("nearest", "nearest-exact", *linear):
        raise error_here(f"interpolate: mode {mode!r} of a {x.ndim}-D input is not supported "
                         "(nearest, nearest-exact, linear, bilinear, bicubic, trilinear of "
                         "(N, C, ...) input are)")
    if mode in linear and linear[mode] != spatial:
        raise error_here(f"interpolate: mode {mode!r} expects {linear[mode] + 2}-D input, "
                         f"got {list(x.shape)}")
    if align_corners is not None and mode not in linear:
        raise error_here(f"interpolate: align_corners only applies to linear modes, not {mode!r}")
    if (size is None) == (scale_factor is None):
        raise error_here("interpolate: give exactly one of size and scale_factor")
    spread = lambda v: [v] * spatial if isinstance(v, (int, float)) else list(v)  # noqa: E731
    if size is not None:
        sizes = [int(v) for v in spread(size)]
        scales = [out / max(d, 1) for out, d in zip(sizes, x.shape[2:])]
    else:
        scales = [float(v) for v in spread(scale_factor)]
        sizes = [int(math.floor(d * s)) for d, s in zip(x.shape[2:], scales)]
    if len(sizes) != spatial or min(sizes) < 1:
        raise error_here(f"interpolate: output size {sizes} does not fit input {list(x.shape)}")
    if mode in linear and not dtypes.is_floating(x.dtype):
        raise error_here(f"interpolate: {mode} needs floating-point input, got {x.dtype}")
    if mode == "nearest":
        attrs = {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                 "nearest_mode": "floor"}
    elif mode == "nearest-exact":
        attrs = {"mode": "nearest", "coordinate_transformation_mode": "half_pixel",
                 "nearest_mode": "round_prefer_ceil"}
    else:
        attrs = {"mode": "cubic" if mode == "bicubic" else "linear",
                 "coordinate_transformation_mode": "align_corners" if align_corners
                 else "half_pixel"}
    for axis, out_size, scale in zip(range(2, x.ndim), sizes, scales):
        if out_size == x.shape[axis] and scale == 1.0:
            continue
        if align_corners:  # the corners of the sizes as rounded (PyTorch's)
            scale = out_size / x.shape[axis]
        x = resampling.resize_axis(x, axis, out_size,
                                   resampling.taps(attrs, out_size, x.shape[axis], scale))
    return x


def sort(x, dim=-1, descending=False, stable=False):
    """(values, indices) sorted along ``dim``, as torch.sort: NaN sorts
    above every number, equal elements keep their order (always stable).
    Each element's rank is a count of the elements before it (a compare
    of every pair), so the work and memory grow as n^2 in the length of
    ``dim``: meant for the lengths of a sequence or a class axis (up to a
    few thousand), not for sorting millions of values."""
    del stable  # always stable
    x = _as_tensor(x)
    if x.ndim == 0:
        return x, Tensor(np.zeros((), np.int64))
    axis = _axis(dim, x.ndim)
    moved = permute(x, *[d for d in range(x.ndim) if d != axis], axis)
    n = x.shape[axis]
    rows = int(np.prod(moved.shape[:-1]))
    if n == 0 or rows == 0:
        return x, Tensor(np.zeros(x.shape, np.int64))
    data = cast(moved, dtypes.int8) if x.dtype == dtypes.bool_ else moved
    mine, theirs = unsqueeze(data, -1), unsqueeze(data, -2)  # [..., i, 1], [..., 1, j]
    before = gt if descending else lt
    ahead = before(theirs, mine)
    same = eq(theirs, mine)
    if dtypes.is_floating(data.dtype):
        mine_nan, theirs_nan = ne(mine, mine), ne(theirs, theirs)
        # NaN counts as the largest value: ahead of numbers when descending.
        nan_ahead = (bitwise_and(theirs_nan, logical_not(mine_nan)) if descending
                     else bitwise_and(mine_nan, logical_not(theirs_nan)))
        ahead = bitwise_or(ahead, nan_ahead)
        same = bitwise_or(same, bitwise_and(mine_nan, theirs_nan))
    earlier = Tensor(np.tri(n, n, -1, dtype=bool))  # [i, j]: j < i
    earlier._literal = True
    ahead = bitwise_or(ahead, bitwise_and(same, earlier))
    rank = sum(cast(ahead, dtypes.int64), -1)  # [..., i]: where element i goes
    positions = Tensor(np.arange(n, dtype=np.int64))
    positions._literal = True
    # indices[k] = the i whose rank is k
    chosen = eq(unsqueeze(rank, -2), unsqueeze(positions, -1))  # [..., k, i]
    indices = sum(where(chosen, positions, 0), -1)
    flat = add(reshape(indices, rows, n),
               Tensor((np.arange(rows, dtype=np.int64) * n).reshape(rows, 1)))
    values = reshape(index_select(reshape(moved, rows * n, 1), 0, reshape(flat, -1)),
                     moved.shape)
    back = list(range(axis)) + [x.ndim - 1] + list(range(axis, x.ndim - 1))
    return permute(values, *back), permute(reshape(indices, moved.shape), *back)


def argsort(x, dim=-1, descending=False, stable=False):
    return sort(x, dim, descending, stable)[1]
