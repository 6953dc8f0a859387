"""Reverse-mode automatic differentiation on tianc tensors.

Every differentiable op attaches a Node holding its vector-Jacobian product
(VJP) rule, written in tianc ops next to the op in ``functional.py``. Because
rules are ordinary ops, ``backward()`` runs eagerly or is recorded into a
trace like any other code: a traced training step compiles forward, backward
and update into one function.
"""

import threading
from contextlib import contextmanager


class _GradMode(threading.local):
    def __init__(self):
        self.enabled = True


_mode = _GradMode()


def is_grad_enabled() -> bool:
    return _mode.enabled


@contextmanager
def _grad_mode(enabled):
    previous, _mode.enabled = _mode.enabled, enabled
    try:
        yield
    finally:
        _mode.enabled = previous


def no_grad():
    """Ops inside record no gradient graph (optimizer updates, evaluation)."""
    return _grad_mode(False)


def enable_grad():
    return _grad_mode(True)


class Node:
    """How to pass a gradient from an op's output back to its inputs."""

    __slots__ = ("op_name", "inputs", "vjp", "versions")

    def __init__(self, op_name, inputs, vjp, versions=()):
        self.op_name, self.inputs, self.vjp = op_name, inputs, vjp
        # The output's and the inputs' in-place update counts when the op ran:
        # the VJP reads their values, which an update since would change.
        self.versions = versions


def attach(output, op_name, inputs, vjp):
    """Records ``vjp`` on ``output`` when some input needs a gradient."""
    if not _mode.enabled or vjp is None:
        return output
    if not any(t.requires_grad for t in inputs):
        return output
    output.requires_grad = True
    inputs = list(inputs)
    output._node = Node(op_name, inputs, vjp,
                        (output._version, *[t._version for t in inputs]))
    return output


def backward(root, grad=None, create_graph=False, inputs=None):
    """Accumulates d(root)/d(leaf) into ``leaf.grad`` for every leaf that
    requires a gradient. With ``inputs``, returns the gradients of those
    tensors instead (None where root does not depend on one) and leaves every
    ``.grad`` untouched."""
    from . import functional as F
    from ._dispatch import TianError
    from .tensor import Tensor

    if not root.requires_grad:
        raise TianError("backward() on a tensor that does not require grad: no input of its "
                        "computation has requires_grad=True")
    if grad is None:
        if root.numel() != 1:
            raise TianError(f"backward() on a tensor of shape {list(root.shape)} needs a gradient "
                            "argument: only scalar outputs get the implicit gradient 1")
        grad = F.ones_like(root)
    # Topological order: each node after all nodes that consume its output.
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        tensor, expanded = stack.pop()
        if expanded:
            order.append(tensor)
            continue
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        stack.append((tensor, True))
        node = getattr(tensor, "_node", None)
        if node is not None:
            stack.extend((t, False) for t in node.inputs if t.requires_grad and id(t) not in seen)
    grads = {id(root): grad}
    targets = {id(t): None for t in inputs} if inputs is not None else None
    with (enable_grad() if create_graph else no_grad()):
        for tensor in reversed(order):
            g = grads.pop(id(tensor), None)
            if g is None:
                continue
            if targets is not None:
                if id(tensor) in targets:
                    targets[id(tensor)] = g
                    continue
                if getattr(tensor, "_node", None) is None:
                    continue
            node = getattr(tensor, "_node", None)
            if node is None:  # a leaf
                if tensor.requires_grad:
                    tensor.grad = g if tensor.grad is None else F.add(tensor.grad, g)
                continue
            if node.versions and node.versions != (tensor._version,
                                                   *[t._version for t in node.inputs]):
                raise TianError(f"backward through {node.op_name}: a tensor it computed with was "
                                "updated in place since (add_, item assignment, ...), so its "
                                "gradient would be wrong; update a copy instead (x.clone())")
            input_grads = node.vjp(g)
            for inp, ig in zip(node.inputs, input_grads):
                if ig is None or not inp.requires_grad:
                    continue
                if tuple(ig.shape) != tuple(inp.shape):
                    raise TianError(f"internal error: gradient of {node.op_name} has shape "
                                    f"{list(ig.shape)} for an input of shape {list(inp.shape)}")
                key = id(inp)
                grads[key] = ig if key not in grads else F.add(grads[key], ig)
    del Tensor
    if targets is not None:
        return [targets[id(t)] for t in inputs]


def grad(fn):
    """``tc.autograd.grad(f)(x)`` is df/dx for a scalar-valued ``f``; the
    result is differentiable again, so ``grad(grad(f))`` works."""
    from .tensor import Tensor

    from . import functional as F

    def gradient(x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.requires_grad:
            # Stay connected to an outer differentiation (grad of grad).
            point = F.mul(x, 1.0)
        else:
            point = x.detach()
            point.requires_grad = True
        out = fn(point)
        (g,) = backward(out, create_graph=True, inputs=[point])
        return g if g is not None else F.zeros_like(point)
    return gradient
