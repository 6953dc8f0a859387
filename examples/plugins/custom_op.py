"""Custom ops defined in Python, each with a gradient rule.

- `mish` is a composition of tianc ops (x * tanh(softplus(x))) whose
  gradient comes from its own rule rather than from differentiating the
  five ops inside it.
- `squared_distance` is a linalg.generic-style op: a scalar body over the
  loop dims (i, j, k) that reduces over k, written once and compiled like
  tian's own ops, in eager mode, traced and AOT code.

    python examples/plugins/custom_op.py
    tianc ops --load-python examples/plugins/custom_op.py
"""

import tianc as tc
from tianc import functional as F


def _mish_gradient(g, inputs, out):
    (x,) = inputs
    softplus = F.log(1.0 + F.exp(x))
    t = F.tanh(softplus)
    return g * (t + x * F.sigmoid(x) * (1.0 - t * t))


@tc.custom_op("examples.mish", grad=_mish_gradient, shape=lambda x: x)
def mish(x):
    """x * tanh(log(1 + e^x)), a smooth ReLU (Misra, 2019)."""
    return x * F.tanh(F.log(1.0 + F.exp(x)))


def _distance_gradient(g, inputs, out):
    a, b = inputs  # [n, d], [m, d]; out [n, m]
    difference = a.unsqueeze(1) - b.unsqueeze(0)  # [n, m, d]
    weighted = difference * g.unsqueeze(-1) * 2.0
    return weighted.sum(1), -weighted.sum(0)


squared_distance = tc.custom_op(
    "examples.squared_distance",
    summary="squared Euclidean distance between the rows of a [n, d] and of b [m, d]",
    maps=["(i, j, k) -> (i, k)", "(i, j, k) -> (j, k)", "(i, j, k) -> (i, j)"],
    iterators=["parallel", "parallel", "reduction"],
    init=0.0,
    body=lambda a, b, total: total + (a - b) * (a - b),
    shape=lambda a, b: (a[0], b[0]),
    grad=_distance_gradient)


def main():
    import numpy as np

    x = tc.tensor(np.linspace(-3, 3, 7, dtype=np.float32), requires_grad=True)
    y = mish(x)
    y.sum().backward()
    print("mish", y.numpy(), "\ngradient", x.grad.numpy())
    points = tc.tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32))
    centers = tc.tensor(np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32))
    nearest = tc.jit.trace(lambda p, c: F.argmax(-squared_distance(p, c), -1))
    print("nearest center of each point", nearest(points, centers).numpy())


if __name__ == "__main__":
    main()
