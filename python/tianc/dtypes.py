"""tianc's element types and their numpy and MLIR names."""

import numpy as np
from mlir import ir

float32 = np.dtype(np.float32)
float16 = np.dtype(np.float16)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
uint16 = np.dtype(np.uint16)
uint32 = np.dtype(np.uint32)
uint64 = np.dtype(np.uint64)
bool_ = np.dtype(np.bool_)
try:  # numpy has no bfloat16; ml_dtypes (a dependency of onnx and jax) adds it
    import ml_dtypes

    bfloat16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - bfloat16 tensors need ml_dtypes
    bfloat16 = None

# Unsigned integers are MLIR's ui types in tian IR; the lowering makes them
# signless and puts the signedness in the ops (tian-signless-integers).
_TO_MLIR = {float32: "f32", float16: "f16", int8: "i8", int16: "i16", int32: "i32",
            int64: "i64", uint8: "ui8", uint16: "ui16", uint32: "ui32", uint64: "ui64",
            bool_: "i1"}
if bfloat16 is not None:
    _TO_MLIR[bfloat16] = "bf16"
_FLOATING = {float32, float16, bfloat16} - {None}
_FROM_MLIR = {name: dtype for dtype, name in _TO_MLIR.items()}


def canonical(dtype) -> np.dtype:
    """numpy dtype for anything numpy understands; float64 and Python floats
    become float32 (tianc's default)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return float32
    if dtype not in _TO_MLIR:
        raise TypeError(f"tianc does not support dtype {dtype}")
    return dtype


def mlir_element_type(dtype) -> ir.Type:
    return ir.Type.parse(_TO_MLIR[np.dtype(dtype)])


def mlir_tensor_type(shape, dtype) -> ir.RankedTensorType:
    return ir.RankedTensorType.get(list(shape), mlir_element_type(dtype))


def from_mlir(element_type: ir.Type) -> np.dtype:
    try:
        return _FROM_MLIR[str(element_type)]
    except KeyError:
        raise TypeError(f"tianc has no numpy dtype for element type {element_type}") from None


def is_floating(dtype) -> bool:
    return np.dtype(dtype) in _FLOATING
