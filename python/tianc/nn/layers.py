"""The layers."""

import math

import numpy as np

from .. import functional as F
from ..autograd import no_grad
from ..tensor import Tensor
from . import init
from .module import Module, Parameter


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


class Identity(Module):
    def forward(self, x):
        return x


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = init.default_(Parameter(np.zeros((out_features, in_features), np.float32)), in_features)
        self.bias = init.default_(Parameter(np.zeros(out_features, np.float32)), in_features) if bias else None

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True):
        super().__init__()
        kh, kw = _pair(kernel_size)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, (kh, kw)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        fan = in_channels // groups * kh * kw
        self.weight = init.default_(Parameter(np.zeros((out_channels, in_channels // groups, kh, kw), np.float32)), fan)
        self.bias = init.default_(Parameter(np.zeros(out_channels, np.float32)), fan) if bias else None

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        return _conv_repr(self)


class BatchNorm2d(Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features, np.float32))
        self.bias = Parameter(np.zeros(num_features, np.float32))
        self.register_buffer("running_mean", Tensor(np.zeros(num_features, np.float32)))
        self.register_buffer("running_var", Tensor(np.ones(num_features, np.float32)))

    def forward(self, x):
        if not self.training:
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                eps=self.eps)
        with no_grad():
            axes = [0, 2, 3]
            count = x.shape[0] * x.shape[2] * x.shape[3]
            batch_mean = F.mean(x.detach(), axes)
            centered = x.detach() - F.reshape(batch_mean, 1, -1, 1, 1)
            batch_var = F.mean(centered * centered, axes) * (count / max(count - 1, 1))
            m = self.momentum
            self.running_mean.assign_(self.running_mean * (1 - m) + batch_mean * m)
            self.running_var.assign_(self.running_var * (1 - m) + batch_var * m)
        return F.batch_norm(x, None, None, self.weight, self.bias, training=True, eps=self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine=True, "
                "bias=True, track_running_stats=True")


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        self.normalized_shape = [normalized_shape] if isinstance(normalized_shape, int) else list(normalized_shape)
        self.eps = eps
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, np.float32))
            self.bias = Parameter(np.zeros(self.normalized_shape, np.float32))
        else:
            self.weight = self.bias = None

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        affine = self.weight is not None
        return (f"{tuple(self.normalized_shape)}, eps={self.eps}, elementwise_affine={affine}, "
                f"bias={affine}")


class _Activation(Module):
    fn = None

    def forward(self, x):
        return type(self).fn(x)


class ReLU(_Activation):
    fn = staticmethod(F.relu)


class Sigmoid(_Activation):
    fn = staticmethod(F.sigmoid)


class Tanh(_Activation):
    fn = staticmethod(F.tanh)


class GELU(Module):
    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)


class Dropout(Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace=False"


class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        super().__init__()
        self.args = (kernel_size, stride, padding, dilation, ceil_mode)

    def forward(self, x):
        return F.max_pool2d(x, *self.args)

    def extra_repr(self):
        kernel, stride, padding, dilation, ceil_mode = self.args
        return (f"kernel_size={kernel}, stride={stride if stride is not None else kernel}, "
                f"padding={padding}, dilation={dilation}, ceil_mode={ceil_mode}")


class AvgPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.args = (kernel_size, stride, padding, ceil_mode, count_include_pad)

    def forward(self, x):
        return F.avg_pool2d(x, *self.args)


class AdaptiveAvgPool2d(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return F.flatten(x, self.start_dim, self.end_dim)


class Embedding(Module):
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = init.normal_(Parameter(np.zeros((num_embeddings, embedding_dim), np.float32)))

    def forward(self, indices):
        return F.embedding(indices, self.weight)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"


class MultiheadAttention(Module):
    """Self/cross attention with batch_first layout [batch, seq, embed]."""

    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.q_proj = Linear(embed_dim, embed_dim, bias)
        self.k_proj = Linear(embed_dim, embed_dim, bias)
        self.v_proj = Linear(embed_dim, embed_dim, bias)
        self.out_proj = Linear(embed_dim, embed_dim, bias)

    def forward(self, query, key=None, value=None, attn_mask=None):
        key = query if key is None else key
        value = key if value is None else value
        batch, seq, _ = query.shape
        head_dim = self.embed_dim // self.num_heads

        def heads(x, proj):
            return proj(x).reshape(batch, x.shape[1], self.num_heads, head_dim).permute(0, 2, 1, 3)

        q, k, v = heads(query, self.q_proj), heads(key, self.k_proj), heads(value, self.v_proj)
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(head_dim))
        if attn_mask is not None:
            scores = F.where(attn_mask, scores, -1e9) if attn_mask.dtype == np.bool_ else scores + attn_mask
        out = (F.softmax(scores, -1) @ v).permute(0, 2, 1, 3).reshape(batch, seq, self.embed_dim)
        return self.out_proj(out)


class Conv1d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True):
        super().__init__()
        (k,) = (kernel_size,) if isinstance(kernel_size, int) else tuple(kernel_size)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, (k,)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        fan = in_channels // groups * k
        self.weight = init.default_(Parameter(np.zeros((out_channels, in_channels // groups, k),
                                                       np.float32)), fan)
        self.bias = init.default_(Parameter(np.zeros(out_channels, np.float32)), fan) if bias else None

    def forward(self, x):
        return F.conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)

    def extra_repr(self):
        return _conv_repr(self)


def _conv_repr(conv):
    """PyTorch's text for a convolution: the defaults are left out."""
    one = (1,) * len(conv.kernel_size)
    values = {name: tuple(v) if isinstance(v, (tuple, list)) else (v,) * len(one)
              for name, v in (("stride", conv.stride), ("padding", conv.padding),
                              ("output_padding", getattr(conv, "output_padding", 0)),
                              ("dilation", conv.dilation))}
    text = (f"{conv.in_channels}, {conv.out_channels}, kernel_size={conv.kernel_size}, "
            f"stride={values['stride']}")
    zero = (0,) * len(one)
    for name, default in (("padding", zero), ("output_padding", zero), ("dilation", one)):
        if values[name] != default:
            text += f", {name}={values[name]}"
    if conv.groups != 1:
        text += f", groups={conv.groups}"
    if conv.bias is None:
        text += ", bias=False"
    return text


class ConvTranspose2d(Module):
    """The transposed convolution (weight: (in, out / groups, kh, kw)), as
    PyTorch's; its initialization takes the fan from the weight's second
    axis, as PyTorch's does."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1):
        super().__init__()
        kh, kw = _pair(kernel_size)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, (kh, kw)
        self.stride, self.padding, self.output_padding = stride, padding, output_padding
        self.dilation, self.groups = dilation, groups
        fan = out_channels // groups * kh * kw
        self.weight = init.default_(Parameter(np.zeros((in_channels, out_channels // groups, kh, kw),
                                                       np.float32)), fan)
        self.bias = init.default_(Parameter(np.zeros(out_channels, np.float32)), fan) if bias else None

    def forward(self, x):
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation)

    def extra_repr(self):
        return _conv_repr(self)


class Upsample(Module):
    """Resampling of (N, C, ...) input by F.interpolate."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None):
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners = align_corners

    def forward(self, x):
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners)

    def extra_repr(self):
        if self.size is not None:
            text = f"size={self.size}"
        else:  # PyTorch prints a single factor as a float
            factor = self.scale_factor
            text = f"scale_factor={float(factor) if isinstance(factor, (int, float)) else factor}"
        return text + f", mode='{self.mode}'"


class BatchNorm1d(BatchNorm2d):
    """Batch normalization of (N, C) or (N, C, L): per channel, over the
    batch and the length."""

    def forward(self, x):
        if x.ndim not in (2, 3):
            from .._dispatch import error_here

            raise error_here(f"BatchNorm1d expects (N, C) or (N, C, L), got {list(x.shape)}")
        shape = [*x.shape]
        four = F.reshape(x, shape[0], shape[1], 1, shape[2] if len(shape) == 3 else 1)
        return F.reshape(super().forward(four), *shape)


class GroupNorm(Module):
    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: {num_channels} channels do not split into "
                             f"{num_groups} groups")
        self.num_groups, self.num_channels, self.eps, self.affine = (num_groups, num_channels,
                                                                     eps, affine)
        self.weight = Parameter(np.ones(num_channels, np.float32)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, np.float32)) if affine else None

    def forward(self, x):
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.affine}")


class RMSNorm(Module):
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        self.normalized_shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                                 else tuple(normalized_shape))
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = (Parameter(np.ones(self.normalized_shape, np.float32))
                       if elementwise_affine else None)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class SiLU(_Activation):
    fn = staticmethod(F.silu)


class Mish(_Activation):
    fn = staticmethod(F.mish)


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Softplus(Module):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def _dim(self, x):
        # PyTorch's rule for dim=None (kept for old code): 0 for 0-, 1- and
        # 3-d inputs, else 1.
        return self.dim if self.dim is not None else (0 if x.ndim in (0, 1, 3) else 1)

    def forward(self, x):
        return F.softmax(x, self._dim(x))

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, x):
        return F.log_softmax(x, self._dim(x))


class MaxPool1d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.ceil_mode = dilation, ceil_mode

    def forward(self, x):
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}, "
                f"padding={self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{type(self).__name__}: reduction is 'mean', 'sum' or 'none', "
                             f"not {reduction!r}")
        self.reduction = reduction

    def extra_repr(self):
        return ""  # PyTorch prints a loss without its options


class CrossEntropyLoss(_Loss):
    # weight first, as in PyTorch (whose deprecated size_average and reduce
    # come next: the rest is keyword-only here).
    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        if weight is not None:
            raise NotImplementedError("CrossEntropyLoss: per-class weights are not supported yet")
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, logits, target):
        return F.cross_entropy(logits, target, self.ignore_index, self.reduction,
                               self.label_smoothing)


class MSELoss(_Loss):
    def forward(self, prediction, target):
        return F.mse_loss(prediction, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        # Buffers, as in PyTorch: saved by state_dict, converted by to().
        self.register_buffer("weight", None if weight is None else F._as_tensor(weight))
        self.register_buffer("pos_weight", None if pos_weight is None else F._as_tensor(pos_weight))

    def forward(self, logits, target):
        return F.binary_cross_entropy_with_logits(logits, target, self.weight, self.reduction,
                                                  self.pos_weight)
