"""ONNX in tianc: ``tc.onnx.load`` imports a model as a module (eager,
traced, AOT), ``check`` lists what a model uses that tianc cannot import.
Needs the ``onnx`` package (``pip install onnx``); tianc itself does not."""

from .importer import MIN_OPSET, OnnxModule, input_shapes, load, max_opset, problems, read_model
from .ops import OPS


def check(source):
    """Every problem that keeps ``source`` from importing ([] when none)."""
    model, _ = read_model(source)
    return problems(model)


def supported_ops():
    """The standard-domain op types tianc imports, sorted."""
    return sorted(OPS)


__all__ = ["load", "check", "supported_ops", "OnnxModule", "input_shapes", "MIN_OPSET",
           "max_opset"]
