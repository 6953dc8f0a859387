"""Static mode: ``tc.jit.trace`` records a Python function into one tian
function, compiles it and runs the compiled code on later calls.

    step = tc.jit.trace(model_forward)
    y = step(x)                    # first call per input signature: trace + compile
    print(step.ir("linalg"))       # the IR at any stage

Parameters and other tensors the function reads from outside become extra
arguments of the compiled function (read afresh on every call), or constants
with ``capture_as_const=True``. Every op carries the user's file:line.
"""

import logging

import numpy as np
from mlir import ir
from mlir.dialects import func

from . import dtypes
from . import passes as plugin_passes
from ._dispatch import TianError, _state, diagnostics_error, user_line, user_location
from .compiler import compile_module
from .compiler.pipeline import STAGE_NAMES, memory_plan, translate_to_llvm_ir
from .dialects import tian
from .random import generator_state
from .tensor import Tensor

log = logging.getLogger("tianc")


def _dense_buffer(array):
    """The buffer DenseElementsAttr.get reads for ``array``: i1 elements are
    packed 8 to a byte (an unpacked bool array is refused)."""
    if array.dtype == np.bool_:
        return np.packbits(array.reshape(-1), bitorder="little")
    return np.ascontiguousarray(array)


class Trace:
    """The function being recorded: MLIR context, module and entry block."""

    def __init__(self, name, inputs, capture_as_const, generator_input=False):
        """``generator_input``: the random generator's state is the last
        argument (after ``inputs``), not a captured tensor."""
        self.context = ir.Context()
        self.capture_as_const = capture_as_const
        self.captured = []  # eager tensors read from outside, as extra arguments
        self._captured_values = {}
        self.updates = {}  # id -> (captured tensor, traced new value): in-place updates
        with self.context, user_location():
            self.module = ir.Module.create()
            arguments = list(inputs) + ([generator_state()] if generator_input else [])
            types = [dtypes.mlir_tensor_type(t.shape, t.dtype) for t in arguments]
            with ir.InsertionPoint(self.module.body):
                self.function = func.FuncOp(name, ir.FunctionType.get(types, []))
            self.block = self.function.add_entry_block()
        self.inputs = [Tensor._traced(arg, self) for arg in self.block.arguments[:len(inputs)]]
        if generator_input:
            self._captured_values[id(generator_state())] = (generator_state(),
                                                            self.block.arguments[-1])

    def new_tensor(self, value):
        return Tensor._traced(value, self)

    def value_of(self, tensor):
        if tensor._trace is self:
            return tensor._value
        if tensor._value is not None:
            raise TianError("a tensor from another traced function was used here "
                            f"({user_line()})")
        key = id(tensor)
        if key in self._captured_values:
            return self._captured_values[key][1]
        with self.context, user_location():
            # The random generator's state is always an argument: every call
            # advances it (tianc.random).
            if tensor._literal or (self.capture_as_const and tensor is not generator_state()):
                with ir.InsertionPoint(self.block):
                    attr = ir.DenseElementsAttr.get(
                        _dense_buffer(tensor._data),
                        type=dtypes.mlir_tensor_type(tensor.shape, tensor.dtype))
                    value = tian.ConstantOp(attr).result
            else:
                value = self.block.add_argument(
                    dtypes.mlir_tensor_type(tensor.shape, tensor.dtype), user_location())
                self.captured.append(tensor)
        # Hold the tensor so id() stays unique while the trace lives.
        self._captured_values[key] = (tensor, value)
        return value

    def record_update(self, tensor, value):
        """``tensor.assign_(value)`` inside the trace: later reads in the trace
        see ``value``; the compiled function returns it for write-back."""
        new_value = self.value_of(value)
        self.value_of(tensor)  # make sure the tensor is known (captured) first
        self._captured_values[id(tensor)] = (tensor, new_value)
        self.updates[id(tensor)] = (tensor, new_value)

    def state_outputs(self):
        """What the step changes outside itself: (tensor, 'data' | 'grad', value)."""
        state = [(tensor, "data", value) for tensor, value in self.updates.values()]
        for tensor, _ in list(self._captured_values.values()):
            grad = tensor.grad
            if grad is not None and grad._trace is self:
                state.append((tensor, "grad", grad._value))
        return state

    def finish(self, results, state):
        """Returns each distinct value once (the same value can be a result,
        a new parameter and a gradient); gives, per logical output, the index
        of the compiled function's result that holds it."""
        logical = [self.value_of(r) for r in results] + [value for _, _, value in state]
        values, slots = [], []
        for value in logical:
            for index, seen in enumerate(values):
                if seen == value:
                    slots.append(index)
                    break
            else:
                slots.append(len(values))
                values.append(value)
        with self.context, user_location():
            with ir.InsertionPoint(self.block):
                func.ReturnOp(values)
            self.function.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(
                [arg.type for arg in self.block.arguments], [v.type for v in values]))
        return slots


class Recorded:
    """A recorded (not yet compiled) tian function: the module, the eager
    tensors it reads as extra arguments, and how its results map back."""

    def __init__(self, module, captured, structure, state, slots):
        self.module, self.captured, self.structure = module, captured, structure
        self.state, self.slots = state, slots


def record(fn, inputs, name, capture_as_const=False, generator_input=False):
    """Runs ``fn`` on traced stand-ins for ``inputs`` (eager Tensors) and
    returns the verified tian module it recorded, with entry ``name``
    (``generator_input``: see Trace)."""
    trace = Trace(name, inputs, capture_as_const, generator_input)
    for placeholder, tensor in zip(trace.inputs, inputs):
        placeholder.requires_grad = tensor.requires_grad
    _state.active = trace
    try:
        result = fn(*trace.inputs)
        results, structure = _flatten(result)
        state = trace.state_outputs()
        slots = trace.finish(results, state)
    finally:
        _state.active = None
        # Traced gradients must not leak out of the trace: restore them;
        # the first call's write-back sets the real ones.
        for tensor, value in list(trace._captured_values.values()):
            if tensor.grad is not None and tensor.grad._trace is trace:
                tensor.grad = None
    try:
        trace.module.operation.verify()
    except ir.MLIRError as error:
        raise diagnostics_error(name, error, [t.shape for t in inputs]) from None
    return Recorded(trace.module, list(trace.captured), structure, state, slots)


class _Variant:
    """One compiled signature of a traced function."""

    def __init__(self, kernel, captured, structure, state, slots, stages):
        self.kernel, self.captured, self.structure, self.stages = kernel, captured, structure, stages
        self.slots = slots  # logical output i is compiled result slots[i]
        self.state = state  # [(tensor, "data" | "grad")], outputs after the user's results
        self.captured_specs = [(c._data.shape, c._data.dtype) for c in captured]

    def captured_unchanged(self):
        """False once a tensor the function reads from outside (a parameter)
        has another shape or dtype than when it was compiled (model.to(
        tc.float16) after the first call): the code must be compiled again,
        not fed converted copies."""
        for tensor, (shape, dtype) in zip(self.captured, self.captured_specs):
            data = tensor._data
            if data.dtype != dtype or data.shape != shape:
                return False
        return True


def _flatten(result):
    if isinstance(result, Tensor):
        return [result], None
    if isinstance(result, (tuple, list)) and all(isinstance(r, Tensor) for r in result):
        return list(result), (type(result), len(result))
    raise TianError("a traced function must return a Tensor or a tuple/list of Tensors, "
                    f"got {type(result).__name__}")


def _unflatten(outputs, structure):
    # Copies where one compiled result serves several outputs.
    seen = set()
    tensors = []
    for o in outputs:
        tensors.append(Tensor._wrap(o.copy() if id(o) in seen else o))
        seen.add(id(o))
    if structure is None:
        return tensors[0]
    kind, _ = structure
    return kind(tensors)


class TracedFunction:
    def __init__(self, fn, capture_as_const=False, name=None, memory_planning=True,
                 rematerialize=False, fusion=True, threads=None, matmul_kernels=True,
                 passes=None):
        self.fn = fn
        self.passes = plugin_passes.parse(passes)  # checked now, not at the first call
        self.matmul_kernels = matmul_kernels
        self.capture_as_const = capture_as_const
        self.memory_planning, self.rematerialize = memory_planning, rematerialize
        self.fusion, self.threads = fusion, threads
        self.name = name or getattr(fn, "__name__", type(fn).__name__).replace("<", "").replace(">", "")
        self._variants = {}
        self._last = None

    def __call__(self, *args):
        inputs = [a if isinstance(a, Tensor) else Tensor(a) for a in args]
        for index, t in enumerate(inputs):
            if t._data is None:
                raise TianError(f"argument #{index} of {self.name} is a traced tensor: "
                                "nested tracing is not supported")
        signature = tuple((t.shape, t.dtype.str) for t in inputs)
        variant = self._variants.get(signature)
        if variant is not None and variant.kernel.lost_its_threads:
            variant = None  # compiled before a fork: compile again, single-threaded
        if variant is not None and not variant.captured_unchanged():
            log.info("tianc: a tensor %s reads changed its dtype or shape: compiling it again",
                     self.name)
            variant = None
        if variant is None:
            if self._variants:
                log.info("tianc: %s called with a new input signature %s: compiling a new variant",
                         self.name, [(list(s), d) for s, d in signature])
            variant = self._compile(inputs)
            self._variants[signature] = variant
        self._last = variant
        arrays = [t._data for t in inputs] + [c._data for c in variant.captured]
        results = variant.kernel(*arrays)
        results = results if isinstance(results, tuple) else (results,)
        outputs = [results[slot] for slot in variant.slots]
        if variant.state:
            # Write back parameter updates and gradients, after the whole
            # step has read the old values. A gradient takes its result array
            # as it is (a copy cost T1 0.7 ms a step), unless one compiled
            # result serves several outputs.
            given = {id(o) for o in outputs[:-len(variant.state)]}
            for (tensor, kind), array in zip(variant.state, outputs[-len(variant.state):]):
                if kind == "data":
                    np.copyto(tensor._data, array)
                else:
                    tensor.grad = Tensor._wrap(array.copy() if id(array) in given else array)
                    given.add(id(array))
            outputs = outputs[:-len(variant.state)]
        return _unflatten(outputs, variant.structure)

    def _compile(self, inputs):
        traced = record(self.fn, inputs, self.name, self.capture_as_const)
        kernel = compile_module(traced.module, self.name, plan_memory=self.memory_planning,
                                rematerialize=self.rematerialize, fusion=self.fusion,
                                threads=self.threads, matmul_kernels=self.matmul_kernels,
                                passes=self.passes)
        return _Variant(kernel, traced.captured, traced.structure,
                        [(tensor, kind) for tensor, kind, _ in traced.state], traced.slots,
                        kernel.stages)

    def ir(self, stage="tian-optimized"):
        """The IR of the most recently called variant at ``stage``, one of
        tian, tian-optimized, linalg, bufferized, llvm-dialect, llvm-ir."""
        stages = self._last_variant().stages
        if stage not in STAGE_NAMES:
            raise TianError(f"unknown stage {stage!r}; stages are {', '.join(STAGE_NAMES)}")
        if stage == "llvm-ir":
            if "dense_resource<" in stages["llvm-dialect"]:  # elided, weights or packed weights
                raise TianError("this variant embeds large constants, elided from its stage texts: "
                                "set TIANC_DUMP_IR=<dir> to get its LLVM IR")
            return translate_to_llvm_ir(stages["llvm-dialect"])
        return stages[stage]

    def _last_variant(self):
        if self._last is None:
            raise TianError(f"{self.name} has not been called yet: call it once to trace it")
        return self._last

    def fusion_report(self, printed=False):
        """The fused kernels of the most recently called variant: a list of
        {"group": id, "rows": n, "ops": [[op, "file:line"], ...]}, one per
        group of two or more ops compiled into one loop nest, or (``rows`` > 0)
        into one loop over the rows of the leading ``rows`` dims that reduces
        and reuses each row while it is in cache (``ir("tian-optimized")``
        shows them as ``tian.fusion_group`` and ``tian.fusion_rows``
        attributes). With ``printed``, a readable table instead."""
        import json

        groups = json.loads(self._last_variant().stages.get("fusion-groups", "[]"))
        if not printed:
            return groups
        lines = [f"{self.name}: {len(groups)} fused kernel(s)"]
        for g in groups:
            kind = f", row loop over {g['rows']} dim(s)" if g.get("rows") else ""
            lines.append(f"  kernel {g['group']}: {len(g['ops'])} ops{kind}")
            lines.extend(f"    {op:<22} {where}" for op, where in g["ops"])
        return "\n".join(lines)

    def memory_report(self):
        """The memory plan of the most recently called variant: a dict with
        ``naive_bytes`` (the sum of all temporaries: what the code allocates
        without planning, all of it live to the end), ``lower_bound_bytes``
        (the most bytes live at any op), ``planned_peak_bytes`` (the arena the
        compiled code allocates, once per call) and ``buffers``. Inputs,
        weights and outputs are not temporaries. All zero when nothing is
        planned (memory_planning=False, or no temporaries)."""
        plan = memory_plan(self._last_variant().stages["bufferized"])
        keys = ("naive_bytes", "lower_bound_bytes", "planned_peak_bytes", "buffers")
        return {key: plan.get(key, 0) for key in keys}

    def draw(self, path=None):
        """A picture of the most recently called variant: its ops after
        tian's optimizations, each with its Python line and result type, the
        ops of one fused kernel in one box. Written to ``path`` (.svg, .png,
        .pdf; .dot for the Graphviz source) when given; returns the
        graphviz.Digraph (Jupyter shows it). Needs the graphviz package and,
        except for .dot, Graphviz's programs."""
        from . import draw

        recorded = self._last_variant().stages.get("graph")
        if recorded is None:
            raise TianError(f"{self.name} was loaded from a compile cache that recorded no graph: "
                            "compile it again (tianc cache clear) to draw it")
        import json

        dot = draw.graph(self.name, json.loads(recorded))
        if path is not None:
            draw.render_graph(dot, path)
        return dot

    def draw_memory(self, path=None):
        """A picture of the most recently called variant's memory plan: each
        temporary buffer as a box over the ops it lives across (x) and its
        bytes in the arena (y), with the arena's size and the lower bound.
        Written to ``path`` (.png, .svg, .pdf) when given; returns the
        matplotlib Figure. Needs matplotlib."""
        from . import draw
        from .compiler.pipeline import memory_layout

        text = self._last_variant().stages["bufferized"]
        figure = draw.memory_figure(self.name, memory_layout(text), memory_plan(text))
        if path is not None:
            draw.save_figure(figure, path)
        return figure

    def _repr_svg_(self):
        """Jupyter's inline picture: the graph of the last call (None before
        the first call, or without Graphviz)."""
        if self._last is None or "graph" not in self._last.stages:
            return None
        from . import draw

        if self._last.stages["graph"].count('"op"') > draw.INLINE_NODES:
            return None  # Graphviz takes long on a huge graph: draw() it into a file

        try:
            return draw.svg(self.draw())
        except TianError:
            return None

    @property
    def num_variants(self):
        return len(self._variants)


def trace(fn=None, *, capture_as_const=False, name=None, memory_planning=True,
          rematerialize=False, fusion=True, threads=None, matmul_kernels=True, passes=None):
    """Compiles ``fn`` on its first call for each input signature.

    ``memory_planning`` places every temporary in one arena
    (``memory_report()`` tells how well); ``rematerialize`` recomputes cheap
    activations in a training step's backward pass instead of keeping them;
    ``fusion=False`` compiles every op as its own loop nest (to measure what
    fusion buys; ``fusion_report()`` lists the fused kernels). ``threads``
    shares loops with enough work among all cores (tianc's thread pool);
    the default is on unless the environment sets ``TIANC_THREADS=0``.
    ``matmul_kernels`` runs f32 matmuls and convolutions on packed,
    register-blocked kernels (tian-block-matmuls); ``False`` gives them
    loops that compute their result one row (or plane) at a time with the
    epilogue fused, slower but with fewer bytes live in a training step.
    ``passes`` adds compiler passes (Python ones, a plugin's, upstream's)
    at named points of the pipeline: a pipeline string, a list, or a dict
    {point: passes} (``tianc.passes``; ``ir(point)`` shows their work).
    Usable as ``tc.jit.trace(fn)`` or as a decorator (``@tc.jit.trace``)."""
    options = dict(capture_as_const=capture_as_const, name=name,
                   memory_planning=memory_planning, rematerialize=rematerialize,
                   fusion=fusion, threads=threads, matmul_kernels=matmul_kernels, passes=passes)
    if fn is None:
        return lambda f: TracedFunction(f, **options)
    return TracedFunction(fn, **options)
