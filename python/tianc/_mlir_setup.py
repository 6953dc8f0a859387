"""Connects the native tian extension to the upstream MLIR Python bindings."""

from mlir import ir as _ir
from mlir._mlir_libs import _mlir as _mlir_native
from mlir._mlir_libs import get_dialect_registry

try:
    from ._native import _tian
except ImportError as error:  # pragma: no cover - only on a broken install
    raise ImportError(
        "tianc's native extension is missing or does not load; "
        "run ./setup.sh to build it (" + str(error) + ")"
    ) from error

# Every Context created from now on gets the tian dialect.
_tian.register_dialects(get_dialect_registry())
_tian.register_passes()
# Generic ops named tian.* come back as their generated OpView classes.
_mlir_native.globals.append_dialect_search_prefix("tianc.dialects")


def context() -> _ir.Context:
    """A fresh MLIR context with tian (and every upstream dialect) loaded."""
    ctx = _ir.Context()
    ctx.load_all_available_dialects()
    return ctx
