"""ONNX in tianc: ``tc.onnx.load`` imports a model as a module (eager,
traced, AOT), ``check`` lists what a model uses that tianc cannot import,
``export`` writes a tianc function or module as an ONNX model.
Needs the ``onnx`` package (``pip install onnx``); tianc itself does not."""

from .exporter import export
from .importer import MIN_OPSET, OnnxModule, input_shapes, load, max_opset, problems, read_model
from .ops import OPS
from . import recurrent as _recurrent  # noqa: F401  (registers RNN, GRU, LSTM)
from . import signal as _signal  # noqa: F401  (registers DFT, STFT, windows)
from . import control_flow as _control_flow  # noqa: F401  (registers If, Loop, Scan)
from . import sequences as _sequences  # noqa: F401  (registers the sequence and optional ops)
from . import training as _training  # noqa: F401  (registers Adagrad, Adam, Momentum, Gradient)
from . import detection as _detection  # noqa: F401  (registers NonMaxSuppression, Unique, NonZero, MaxUnpool)
from . import quantization as _quantization  # noqa: F401  (registers QuantizeLinear and the integer ops)


def check(source):
    """Every problem that keeps ``source`` from importing ([] when none)."""
    model, _ = read_model(source)
    return problems(model)


def supported_ops():
    """The op types tianc imports, sorted (those of other domains than the
    standard one as domain.op)."""
    from .ops import DOMAIN_OPS

    other = {name: domain for domain, names in DOMAIN_OPS.items() for name in names}
    return sorted(f"{other[name]}.{name}" if name in other else name for name in OPS)


TABLE_BEGIN, TABLE_END = "<!-- onnx-ops-begin -->", "<!-- onnx-ops-end -->"


def ops_table(columns=6):
    """The supported ops as a markdown table (docs/onnx.md holds it, between
    TABLE_BEGIN and TABLE_END: `python -m tianc.onnx docs/onnx.md` rewrites it)."""
    names = [f"`{name}`" for name in supported_ops()]
    rows = [names[i:i + columns] for i in range(0, len(names), columns)]
    lines = ["| " + " | ".join([""] * columns) + " |", "|" + "---|" * columns]
    lines += ["| " + " | ".join(row + [""] * (columns - len(row))) + " |" for row in rows]
    return "\n".join(lines)


__all__ = ["load", "export", "check", "supported_ops", "ops_table", "OnnxModule", "input_shapes", "MIN_OPSET",
           "max_opset"]
