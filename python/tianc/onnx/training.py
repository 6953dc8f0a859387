"""ONNX's training ops (domain ai.onnx.preview.training): one optimizer
step of Adagrad, Adam and Momentum (plain or Nesterov) for one or several
tensors, as ONNX's reference computes them, and Gradient through tianc's
autograd."""

from .. import functional as F
from .ops import Unsupported, op, tensor


def _groups(inputs, per_tensor):
    """(rate, step, [per-tensor input lists]) of an optimizer node: R, T,
    then each kind of input for every tensor (X1..Xn, G1..Gn, ...)."""
    rate, step = tensor(inputs[0]), tensor(inputs[1])
    rest = inputs[2:]
    n = len(rest) // per_tensor
    return rate, step, [[tensor(rest[k * n + i]) for k in range(per_tensor)] for i in range(n)]


def _regularized(x, g, attrs):
    return F.add(F.mul(x, float(attrs.get("norm_coefficient", 0.0))), g)


@op("Adagrad")
def _adagrad(node, inputs, attrs):
    rate, step, groups = _groups(inputs, 3)
    decay, epsilon = float(attrs.get("decay_factor", 0.0)), float(attrs.get("epsilon", 0.0))
    rate = F.div(rate, F.add(F.mul(F.cast(step, rate.dtype), decay), 1.0))
    xs, hs = [], []
    for x, g, h in groups:
        g = _regularized(x, g, attrs)
        h = F.add(h, F.mul(g, g))
        xs.append(F.sub(x, F.div(F.mul(rate, g), F.add(F.sqrt(h), epsilon))))
        hs.append(h)
    return tuple(xs + hs)


@op("Adam")
def _adam(node, inputs, attrs):
    rate, step, groups = _groups(inputs, 4)
    alpha, beta = float(attrs.get("alpha", 0.9)), float(attrs.get("beta", 0.999))
    epsilon = float(attrs.get("epsilon", 0.0))
    post = float(attrs.get("norm_coefficient_post", 0.0))
    t = F.cast(step, rate.dtype)
    # The bias correction from the second step on (T > 0).
    corrected = F.div(F.mul(rate, F.sqrt(F.sub(1.0, F.pow(beta, t)))), F.sub(1.0, F.pow(alpha, t)))
    rate = F.where(F.gt(step, 0), corrected, rate)
    xs, vs, hs = [], [], []
    for x, g, v, h in groups:
        g = _regularized(x, g, attrs)
        v = F.add(F.mul(v, alpha), F.mul(g, 1.0 - alpha))
        h = F.add(F.mul(h, beta), F.mul(F.mul(g, g), 1.0 - beta))
        x = F.sub(x, F.mul(rate, F.div(v, F.add(F.sqrt(h), epsilon))))
        xs.append(F.mul(x, 1.0 - post))
        vs.append(v)
        hs.append(h)
    return tuple(xs + vs + hs)


@op("Momentum")
def _momentum(node, inputs, attrs):
    rate, step, groups = _groups(inputs, 3)
    alpha, beta = float(attrs["alpha"]), float(attrs["beta"])
    nesterov = attrs.get("mode", "standard") == "nesterov"
    beta = F.where(F.gt(step, 0), beta, 1.0)  # the first step takes the whole gradient
    xs, vs = [], []
    for x, g, v in groups:
        g = _regularized(x, g, attrs)
        v = F.add(F.mul(v, alpha), F.mul(F.cast(beta, g.dtype), g))
        step_size = F.add(g, F.mul(v, alpha)) if nesterov else v
        xs.append(F.sub(x, F.mul(rate, step_size)))
        vs.append(v)
    return tuple(xs + vs)


@op("Gradient")
def _gradient(node, inputs, attrs):
    """d(sum of y)/dx for each x of ``xs``: the nodes before this one run
    again with the xs as leaves that require a gradient, then tianc's
    backward pass from y."""
    from ..autograd import backward, enable_grad

    names, target = list(attrs["xs"]), attrs["y"]
    leaves = []
    for value in inputs[:len(names)]:
        leaf = F.mul(tensor(value), 1.0).detach()
        leaf.requires_grad = True
        leaves.append(leaf)
    with enable_grad():
        values = node.rerun(dict(zip(names, leaves)))
        y = values[target]
        if not getattr(y, "requires_grad", False):
            raise Unsupported(f"y {target!r} does not depend on the xs {names}")
        grads = backward(y, F.ones_like(y), inputs=leaves)
    return tuple(F.zeros_like(leaf) if g is None else g for leaf, g in zip(leaves, grads))
