"""JIT compilation of tian functions: large modules into a shared library
built on every core (tianc.compiler.native), small ones through the upstream
ExecutionEngine.

The compiled entry takes one bare data pointer per input and per output
(static shapes, results as out-parameters), so a call packs pointers and
nothing else.
"""

import ctypes
import logging
import math
import os
import shutil
import sys
import weakref

import numpy as np
from mlir import ir
from mlir.execution_engine import ExecutionEngine

from .. import dtypes
from .._native._tian import invoke as _invoke
from . import cache, native
from .pipeline import (CompileError, CompileProgress, _diagnostics_text, parallel_runtime_library,
                       cpu_stages, lower)

log = logging.getLogger("tianc")

def numpy_dtype(element_type: ir.Type):
    """The numpy dtype that holds an MLIR element type."""
    return dtypes.from_mlir(element_type)


def _free_threaded_engine(engine):
    """Drops the last reference to a threaded function's engine (its code)
    after the pool's in-flight tasks have left it."""
    _quiesce()
    del engine


def _unload_library(library, threaded):
    """Unmaps a compiled function's library (after the pool's in-flight
    tasks have left it, for threaded code)."""
    if threaded:
        _quiesce()
    import _ctypes

    _ctypes.dlclose(library._handle)


class CompiledFunction:
    """A compiled tian function: call it with numpy arrays, get numpy arrays."""

    def __init__(self, module: ir.Module, entry: str, opt_level: int = 3, dump_dir=None,
                 plan_memory=True, rematerialize=False, fusion=True, threads=None,
                 matmul_kernels=True, dump_name=None, passes=None):
        function = _find_function(module, entry)
        ftype = function.type
        self.name = entry
        self.input_specs = [_spec(t) for t in ftype.inputs]
        self.output_specs = [_spec(t) for t in ftype.results]
        self.from_cache = False
        try:  # before anything else runs passes on it
            module.operation.verify()
        except ir.MLIRError as error:
            raise CompileError("the tian function is invalid:\n" + _diagnostics_text(error)) from None
        use_cache = dump_dir is None and not os.environ.get("TIANC_DUMP_IR")
        if threads is None:  # on unless turned off: see docs/fusion.md
            threads = os.environ.get("TIANC_THREADS", "1") != "0"
        threads = threads and threads_usable()
        self.threaded = threads
        stages = cpu_stages(plan_memory, rematerialize, fusion, threads,
                            blocked_matmuls=matmul_kernels)
        if passes:  # {point: [pass, ...]} from tianc.passes.parse
            from .. import passes as plugin_passes

            stages = plugin_passes.with_passes(stages, passes)
        # Always loaded: besides the thread pool it takes the reports of
        # failed allocations (tian-check-allocations), which any code makes.
        runtime = [_load_parallel_runtime()]
        if threads:
            global _threaded_code_loaded
            _threaded_code_loaded = True
        variant = f"{opt_level}|" + ",".join(_pipeline_text(pipeline) for _, pipeline in stages)
        cache_key = cache.key(module, entry, variant) if use_cache and cache.directory() else None
        cached = cache.load(cache_key, entry) if cache_key else None
        self._engine = None
        if cached is not None:
            module.context.enable_multithreading(False)  # as after a compile, below
            self._address, self.stages, library = cached
            self.from_cache = True
            weakref.finalize(self, _unload_library, library, threads).atexit = False
            return
        with CompileProgress(entry) as progress:
            self.stages = lower(module, dump_dir=dump_dir, keep_stages=True, progress=progress,
                                stages=stages, dump_name=dump_name or entry)
            progress.set_stage(f"LLVM -O{opt_level} codegen")
            library = None
            if native.worth_it(self.stages["llvm-dialect"]):
                library, library_path = self._build_library(module, entry, runtime, opt_level,
                                                            cache_key)
            if library is None:
                # The runtime is loaded into the process (RTLD_GLOBAL), not
                # handed to the engine: an engine calls the runtime's destroy
                # hook when it is collected, which would tear down the thread
                # pool under every other compiled function.
                self._engine = ExecutionEngine(module, opt_level=opt_level, shared_libs=[])
        # The pass manager's threads (about 10% of a ResNet-18 compile) are a
        # pool owned by the context, which lives on with the engine: a child
        # forked later would try to join the pool's threads at exit (LLVM
        # ERROR: pthread_join failed). Done compiling, the pool goes.
        module.context.enable_multithreading(False)
        if library is not None:
            weakref.finalize(self, _unload_library, library, threads).atexit = False
            if cache_key:
                cache.store_library(cache_key, library_path, self.stages)
            else:
                shutil.rmtree(library_path.parent, ignore_errors=True)
            return
        if threads:
            # A worker thread may still be returning through this engine's
            # code after the call that used it has completed: the code is
            # freed only once every task running then has returned.
            # (At exit the process ends with the code in place.)
            weakref.finalize(self, _free_threaded_engine, self._engine).atexit = False
        self._address = self._engine.raw_lookup(entry)
        if cache_key:
            cache.store(cache_key, self._engine, self.stages, runtime)

    def _build_library(self, module, entry, runtime, opt_level, cache_key):
        """(the loaded library, its path), its entry's address set; (None,
        None) when a tool or the loading failed (warned once): the
        ExecutionEngine compiles instead."""
        library = path = None
        try:
            path = native.build_library(module, entry, runtime, opt_level,
                                        directory=cache.build_directory() if cache_key else None)
            library = ctypes.CDLL(str(path))
            self._address = ctypes.cast(getattr(library, f"_mlir_{entry}"), ctypes.c_void_p).value
            return library, path
        except (CompileError, OSError, AttributeError) as error:
            if library is not None:
                _unload_library(library, threaded=False)
            if path is not None:
                shutil.rmtree(path.parent, ignore_errors=True)
            if not _warned_native:
                _warned_native.append(True)
                log.warning("tianc: building %s on every core failed, compiling it on one "
                            "(TIANC_PARALLEL_LLVM=0 skips the attempt):\n%s", entry, error)
            return None, None

    def __call__(self, *inputs):
        if len(inputs) != len(self.input_specs):
            raise TypeError(f"{self.name} takes {len(self.input_specs)} inputs, got {len(inputs)}")
        arrays = []
        for index, (value, (shape, dtype)) in enumerate(zip(inputs, self.input_specs)):
            array = value
            if (type(array) is not np.ndarray or array.dtype != dtype
                    or not array.flags.c_contiguous):
                # np.asarray, not ascontiguousarray: the latter turns 0-d into 1-d.
                array = np.asarray(value, dtype=dtype, order="C")
            if array.shape != shape:
                raise ValueError(f"{self.name}: input #{index} has shape {list(array.shape)}, "
                                 f"the compiled function expects {list(shape)}")
            if not array.flags.writeable:  # the buffer protocol asks for writable buffers
                array = array.copy()
            arrays.append(array)
        return self.call_unchecked(arrays)

    @property
    def lost_its_threads(self) -> bool:
        """Compiled with threads before this process was forked: the thread
        pool it runs on is gone, and it must be compiled again."""
        return self.threaded and _forked_after_threads

    def call_unchecked(self, arrays):
        """The call without argument checks, for callers that guarantee C-contiguous
        writable numpy arrays of the compiled shapes and dtypes (the eager cache)."""
        if self.lost_its_threads:
            raise CompileError(f"{self.name} was compiled with threads before this process was "
                               "forked, and the thread pool does not survive fork(): compile it "
                               "again in this process (tc.jit.trace does so by itself)")
        outputs = [_outputs.empty(shape, dtype) for shape, dtype in self.output_specs]
        _invoke(self._address, (*arrays, *outputs))
        return outputs[0] if len(outputs) == 1 else tuple(outputs)


class _OutputPool:
    """Large output buffers, reused once every array over them is gone.

    A fresh 32 MiB numpy array costs 8192 page faults on first write, which
    made W2 a third slower than its kernel; PyTorch's caching allocator
    avoids the same cost. A buffer returns here when its array dies and is
    handed out again only if nothing (a view the caller kept) still refers
    to it. At most ``limit`` bytes wait here."""

    MIN_BYTES = 1 << 20
    ALIGNMENT = 64

    def __init__(self, limit=256 << 20):
        self.limit, self.waiting, self.free = limit, 0, {}

    def empty(self, shape, dtype):
        nbytes = math.prod(shape) * dtype.itemsize  # np.prod would cost the eager path ~8 us
        if nbytes < self.MIN_BYTES:
            return np.empty(shape, dtype)
        buffer, bucket = None, self.free.get(nbytes + self.ALIGNMENT, [])
        while bucket and buffer is None:
            candidate = bucket.pop()
            self.waiting -= len(candidate)
            # References: `candidate` and getrefcount's argument; a third is a view.
            if sys.getrefcount(candidate) == 2:
                buffer = candidate
        if buffer is None:
            # numpy's own allocation, not a bytearray: numpy asks the kernel
            # for transparent huge pages on large arrays, and W2's kernel ran
            # 5% slower writing into 4 KiB pages (TLB misses).
            buffer = np.empty(nbytes + self.ALIGNMENT, np.uint8)
        # A cache line aligned start (malloc gives 16 bytes): whole vectors
        # never straddle two lines.
        start = -buffer.ctypes.data % self.ALIGNMENT
        array = buffer[start:start + nbytes].view(dtype).reshape(shape)
        weakref.finalize(array, self._give_back, buffer)
        return array

    def _give_back(self, buffer):
        if self.waiting + len(buffer) <= self.limit:
            self.free.setdefault(len(buffer), []).append(buffer)
            self.waiting += len(buffer)


_outputs = _OutputPool()
_warned_native = []
_parallel_runtime = None
# The thread pool's workers do not survive fork(): a process forked
# after it started must not run threaded code (a parallel loop would wait
# for workers that are gone) and compiles single-threaded from then on, as
# PyTorch runs single-threaded in a forked child.
_forked_after_threads = False
_threaded_code_loaded = False


def _after_fork_in_child():
    global _forked_after_threads
    if _threaded_code_loaded:
        _forked_after_threads = True


os.register_at_fork(after_in_child=_after_fork_in_child)


def _quiesce():
    # A forked child has no workers: the task counters it inherited may
    # show a task that never ends there.
    if not _forked_after_threads:
        _parallel_runtime_handle().tianc_parallel_quiesce()


def threads_usable() -> bool:
    """False in a process forked after threaded code ran: its thread pool is gone."""
    return not _forked_after_threads


def _load_parallel_runtime() -> str:
    """Loads tianc's runtime (the thread pool of parallel loops, the report
    of failed allocations) once, with its symbols visible to JIT-compiled
    code; returns its path."""
    _parallel_runtime_handle()
    return parallel_runtime_library()


def _parallel_runtime_handle():
    global _parallel_runtime
    if _parallel_runtime is None:
        _parallel_runtime = ctypes.CDLL(parallel_runtime_library(), mode=ctypes.RTLD_GLOBAL)
    return _parallel_runtime


def compile_module(module: ir.Module, entry: str, **options) -> CompiledFunction:
    """Compiles ``entry`` of a module of tian ops (consumed: lowered in place)."""
    return CompiledFunction(module, entry, **options)


def _pipeline_text(pipeline):
    from .. import passes  # (imports the compiler itself: not at the top)

    return passes.pipeline_text(pipeline)


def _find_function(module, name):
    for op in module.body.operations:
        if op.operation.name == "func.func" and op.attributes["sym_name"].value == name:
            return op
    raise KeyError(f"no function @{name} in the module")


def _spec(type_):
    tensor = ir.RankedTensorType(type_)
    if not tensor.has_static_shape:
        raise NotImplementedError(f"dynamic shapes are not compiled yet: {tensor}")
    return tuple(tensor.shape), numpy_dtype(tensor.element_type)
