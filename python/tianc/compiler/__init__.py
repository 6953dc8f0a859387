"""Compile tian functions for the host CPU and run them.

    from tianc.compiler import compile_module
    kernel = compile_module(module, "f")
    out = kernel(x, y)              # numpy in, numpy out
"""

from .jit import CompiledFunction, compile_module
from .pipeline import STAGES, CompileError, lower

__all__ = ["CompiledFunction", "CompileError", "STAGES", "compile_module", "lower"]
