"""Where every tianc op runs: one definition, two modes.

An op is a function that builds tian ops from MLIR values (the ``build``
callable). In eager mode that function becomes a one-op tian function,
compiled through the same pipeline as traced code and cached by the op, its
attributes and its input signature; in tracing mode it is inserted into the
function being traced. Shape errors come from the op's own verifier either
way, and name the user's line.
"""

import os
import re
import sys
import threading
import time
from pathlib import Path

from mlir import ir
from mlir.dialects import func

from . import dtypes
from .compiler import compile_module

_PACKAGE_DIR = str(Path(__file__).resolve().parent)
# Frames of the MLIR bindings (an eager kernel's function is built inside
# func.FuncOp.from_py_func) are never the user's either.
_MLIR_DIR = str(Path(__import__("mlir").__path__[0]).resolve())


class TianError(ValueError):
    """A user-facing error from a tianc op: names the op, the shapes, and the
    user's source line."""


def _user_frame():
    """(file, line) of the innermost stack frame outside tianc, or None."""
    if _state.origin is not None:
        return _state.origin[:2]
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith((_PACKAGE_DIR, _MLIR_DIR)):
        frame = frame.f_back
    return None if frame is None else (frame.f_code.co_filename, frame.f_lineno)


def user_location() -> ir.Location:
    """The user's file:line as an MLIR location (needs an active Context);
    inside ``origin(...)``, the named node of that file."""
    where = _user_frame()
    if where is None:
        return ir.Location.unknown()
    location = ir.Location.file(where[0], where[1], 0)
    if _state.origin is not None:
        location = ir.Location.name(_state.origin[2], childLoc=location)
    return location


def user_line() -> str:
    """The user's file:line, for messages."""
    where = _user_frame()
    if where is None:
        return "<unknown>"
    if _state.origin is not None:
        return f"{where[0]}: {_state.origin[2]}"
    return f"{where[0]}:{where[1]}"


class origin:
    """``with origin(file, name):`` the ops built inside come from ``name``
    (an ONNX node, say) of ``file``: their MLIR locations and error messages
    say so instead of naming a Python line."""

    def __init__(self, file, name):
        self.where = (str(file), 0, name)

    def __enter__(self):
        self.saved, _state.origin = _state.origin, self.where

    def __exit__(self, *exc):
        _state.origin = self.saved


def _format_location(location) -> str:
    text = str(location)
    named = re.fullmatch(r'loc\("(.*)"\("(.*)":0:0\)\)', text)  # a model file's node
    if named:
        return f"{named.group(2)}: {named.group(1)}"
    return text[len('loc("'):-1].replace('":', ":", 1) if text.startswith('loc("') else text


def error_here(message: str) -> TianError:
    """A TianError for a bad argument, pointing at the user's line."""
    return TianError(f"{user_line()}: {message}")


def diagnostics_error(op_name: str, error: ir.MLIRError, input_shapes) -> TianError:
    lines = [f"{_format_location(d.location)}: {d.message}" for d in error.error_diagnostics]
    lines = [line for line in lines if "failed to infer returned types" not in line]
    shapes = ", ".join(f"{list(s)}" for s in input_shapes)
    return TianError(f"{op_name} with inputs of shapes {shapes}:\n  " + "\n  ".join(lines))


# ---------------------------------------------------------------------------
# Tracing state
# ---------------------------------------------------------------------------

class _TraceState(threading.local):
    def __init__(self):
        self.active = None  # the Trace being recorded, if any
        self.origin = None  # (file, 0, name) while building a node of a model file


_state = _TraceState()


def tracing():
    return _state.active


# ---------------------------------------------------------------------------
# Eager kernels
# ---------------------------------------------------------------------------

_context = None
_kernels = {}


def _eager_context() -> ir.Context:
    global _context
    if _context is None:
        _context = ir.Context()
        # Eager kernels are one small function each: MLIR's pass threads buy
        # nothing, and a thread pool does not survive fork() (a forked child
        # compiling its first kernel waited for them forever).
        _context.enable_multithreading(False)
    return _context


def kernel_cache_size() -> int:
    return len(_kernels)


def apply(op_name, build, inputs, key, vjp=None):
    """Runs ``build`` (MLIR values -> one MLIR value) on tianc tensors.

    ``key`` identifies the op and its attributes for the kernel cache;
    ``vjp(grad, output)`` returns the gradients of the inputs (autograd)."""
    out = _run(op_name, build, inputs, key)
    if vjp is not None and any(t.requires_grad for t in inputs) and _autograd.is_grad_enabled():
        _autograd.attach(out, op_name, inputs, lambda g: vjp(g, out))
    return out


def _run(op_name, build, inputs, key):
    trace = _state.active
    if trace is not None:
        values = [trace.value_of(t) for t in inputs]
        with trace.context, user_location(), ir.InsertionPoint(trace.block):
            try:
                result = build(*values)
            except ir.MLIRError as error:
                raise diagnostics_error(op_name, error, [t.shape for t in inputs]) from None
        return trace.new_tensor(result)

    arrays = [t._data for t in inputs]
    cache_key = (key, *[(a.shape, a.dtype) for a in arrays])
    kernel = _kernels.get(cache_key)
    if kernel is not None and kernel.lost_its_threads:
        kernel = None  # compiled before a fork: its thread pool is gone
    if kernel is None:
        kernel = _compile_kernel(op_name, build, arrays)
        _kernels[cache_key] = kernel
    elif _progress.open:
        _progress.cached_kernel_ran()
    # The cache key guarantees shapes and dtypes; tensors hold contiguous arrays.
    return _Tensor._wrap(kernel.call_unchecked(arrays))


def _bind_late_imports():
    """tensor.py and autograd.py import this module; bind them once loaded."""
    global _Tensor, _autograd
    from . import autograd as _autograd_module
    from .tensor import Tensor as _tensor_class

    _Tensor, _autograd = _tensor_class, _autograd_module


class _EagerCompileProgress:
    """A burst of eager kernel compiles (a model's first forward) shows a
    running count on a terminal once it has taken more than a second. A
    burst ends when no kernel has compiled for half a second."""

    def __init__(self):
        self.count, self.seconds, self.open, self.last = 0, 0.0, False, 0.0

    def compiled(self, op_name, seconds):
        now = time.perf_counter()
        if now - self.last > 2.0:  # a new burst
            self.finish()
        self.count += 1
        self.seconds += seconds
        self.last = now
        if self.seconds > 1.0 and (sys.stderr.isatty() or os.environ.get("TIANC_PROGRESS") == "1"):
            sys.stderr.write(f"\rtianc: compiled {self.count} eager kernels in {self.seconds:.1f}s "
                             f"(last: {op_name})\033[K")
            sys.stderr.flush()
            self.open = True

    def cached_kernel_ran(self):
        if self.open and time.perf_counter() - self.last > 0.5:
            self.finish()

    def finish(self):
        if self.open:
            sys.stderr.write("\n")
            sys.stderr.flush()
        self.count, self.seconds, self.open = 0, 0.0, False


_progress = _EagerCompileProgress()


def _compile_kernel(op_name, build, arrays):
    start = time.perf_counter()
    kernel = _build_and_compile(op_name, build, arrays)
    _progress.compiled(op_name, time.perf_counter() - start)
    return kernel


def _build_and_compile(op_name, build, arrays):
    ctx = _eager_context()
    with ctx, user_location():
        module = ir.Module.create()
        arg_types = [dtypes.mlir_tensor_type(a.shape, a.dtype) for a in arrays]
        with ir.InsertionPoint(module.body):
            try:
                func.FuncOp.from_py_func(*arg_types, name="kernel")(build)
                module.operation.verify()
            except ir.MLIRError as error:
                raise diagnostics_error(op_name, error, [a.shape for a in arrays]) from None
    return compile_module(module, "kernel", dump_name=f"eager-{op_name}")
