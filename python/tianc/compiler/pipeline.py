"""The CPU compiler's stages, named as in ``traced.ir(stage)`` and
``TIANC_DUMP_IR``. Each runs a pipeline registered in C++
(targets/cpu/CpuPipeline.cpp), so tian-opt runs exactly the same passes:

    tian-opt model.mlir --tian-optimize --tian-lower-to-linalg --tian-cpu-bufferize --tian-cpu-codegen
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from mlir import ir

def cpu_stages(plan_memory=True, rematerialize=False, fusion=True, threads=False, rows=True,
               vector_shape=None, blocked_matmuls=True):
    """(stage name, the registered pipeline that produces it from the
    previous stage) for the host CPU. With ``threads``, the code calls
    tianc's thread pool (``parallel_runtime_library()``); ``rows=False`` keeps
    reductions out of row loops (the NVIDIA target does not map them yet).
    ``vector_shape`` is the target's (vector bits, vector registers), which
    size the matmul kernels: the host's (``host_vector_shape()``) unless
    given. ``blocked_matmuls=False`` gives matmuls the operand transposes
    and epilogue row loops that plain loops want, instead of
    tian-block-matmuls' kernels (and is what a target whose stages after
    the linalg one are not the CPU's wants)."""
    flag = lambda on: "true" if on else "false"  # noqa: E731
    bits, registers = vector_shape or host_vector_shape()
    blocking = "" if blocked_matmuls else " block-matmuls=false"
    return (
        ("tian-optimized", f"tian-optimize{{fusion={flag(fusion)} rows={flag(rows)} "
                           f"blocked-matmuls={flag(blocked_matmuls)}}}"),
        ("linalg", "tian-lower-to-linalg"),
        ("bufferized", f"tian-cpu-bufferize{{plan-memory={flag(plan_memory)} "
                       f"rematerialize={flag(rematerialize)} vector-bits={bits} "
                       f"vector-registers={registers}{blocking}}}"),
        ("llvm-dialect", f"tian-cpu-codegen{{threads={flag(threads)}}}"),
    )


def host_vector_shape():
    """(vector bits, vector registers) of this machine's CPU: what the JIT's
    code (compiled for the host's features) can use. AVX-512 gives 32
    registers of 512 bits, AVX2 16 of 256, AArch64's NEON 32 of 128."""
    global _host_vector_shape
    if _host_vector_shape is None:
        import platform

        machine = platform.machine().lower()
        flags = host_cpu_flags()
        if machine in ("aarch64", "arm64"):
            _host_vector_shape = (128, 32)
        elif "avx512f" in flags:
            _host_vector_shape = (512, 32)
        elif "avx2" in flags:
            _host_vector_shape = (256, 16)
        else:
            _host_vector_shape = (128, 16)
    return _host_vector_shape


_host_vector_shape = None


def host_cpu_flags() -> frozenset:
    """The CPU's feature flags as the kernel reports them (x86 `flags`,
    AArch64 `Features`): the JIT compiles for exactly these."""
    global _host_cpu_flags
    if _host_cpu_flags is None:
        flags = set()
        try:
            with open("/proc/cpuinfo") as cpuinfo:
                for line in cpuinfo:
                    if line.startswith(("flags", "Features")):
                        flags = set(line.split(":", 1)[1].split())
                        break
        except OSError:
            pass
        _host_cpu_flags = frozenset(flags)
    return _host_cpu_flags


_host_cpu_flags = None


def parallel_runtime_library() -> str:
    """The thread pool threaded code runs on (tianc_parallel_for,
    targets/cpu/ParallelRuntime.cpp), built next to the extension."""
    path = Path(__file__).resolve().parent.parent / "_native" / "libtianc_parallel.so"
    if not path.exists():
        raise CompileError(f"{path} is missing: re-run ./setup.sh")
    return str(path)


STAGES = cpu_stages()
STAGE_NAMES = ("tian",) + tuple(name for name, _ in STAGES) + ("llvm-ir",)


def where(location) -> str:
    """The file:line of an MLIR location (as printed), "" when unknown; a
    named location (an ONNX node of a model file) gives "file: node"."""
    text = str(location)
    named = re.fullmatch(r'loc\("(.*)"\("(.*)":\d+:\d+\)\)', text)
    if named:
        return f"{named.group(2)}: {named.group(1)}"
    plain = re.fullmatch(r'loc\("?([^"]*)"?:(\d+):\d+\)', text)
    return f"{plain.group(1)}:{plain.group(2)}" if plain else ""


def _graph(module: ir.Module) -> dict:
    """The dataflow graph of the functions at the tian-optimized stage, for
    pictures (traced.draw()) and the fusion report: nodes (op, file:line,
    result type, tian-fuse-elementwise's and tian-fuse-rows' group and row
    dims) and edges (producer index, consumer index)."""
    nodes, edges, index_of = [], [], {}
    for function in module.body.operations:
        if function.operation.name != "func.func":
            continue
        block = function.regions[0].blocks[0]
        for argument in block.arguments:
            index_of[argument] = len(nodes)
            nodes.append({"op": f"input {argument.arg_number}", "where": "",
                          "type": str(argument.type)})
        for op in block.operations:
            attributes = op.attributes
            node = {"op": op.operation.name, "where": where(op.location),
                    "type": ", ".join(str(r.type) for r in op.results)}
            if "tian.fusion_group" in attributes:
                node["group"] = ir.IntegerAttr(attributes["tian.fusion_group"]).value
            if "tian.fusion_rows" in attributes:
                node["rows"] = ir.IntegerAttr(attributes["tian.fusion_rows"]).value
            for operand in op.operands:
                if operand in index_of:
                    edges.append([index_of[operand], len(nodes)])
            for result in op.results:
                index_of[result] = len(nodes)
            nodes.append(node)
    return {"nodes": nodes, "edges": edges}


def _fusion_groups(graph: dict) -> list:
    """[{"group": id, "rows": n, "ops": [[op name, "file:line"], ...]}] of a
    graph's fused nodes; ``rows`` is the number of leading dims a row loop
    runs over (0 for one loop nest over the elements)."""
    groups, rows = {}, {}
    for node in graph["nodes"]:
        if "group" not in node:
            continue
        groups.setdefault(node["group"], []).append([node["op"], node["where"]])
        if "rows" in node:
            rows[node["group"]] = node["rows"]
    return [{"group": g, "rows": rows.get(g, 0), "ops": ops} for g, ops in sorted(groups.items())]


def memory_layout(bufferized_text: str) -> dict:
    """The ``tian.memory_layout`` tian-plan-memory left beside its plan:
    {"steps": ops of the function, "buffers": [{"offset", "bytes", "start",
    "end", "where"}, ...]} ({} if nothing was planned)."""
    match = re.search(r"tian\.memory_layout = \{buffers = array<i64(?:: ([-\d, ]*))?>, "
                      r"origins = \[(.*?)\], steps = (\d+) : i64\}", bufferized_text)
    if not match:
        return {}
    numbers = [int(n) for n in (match.group(1) or "").split(",") if n.strip()]
    # MLIR escapes a string's non-printable bytes as \XX: undo it on bytes
    # (a path's UTF-8 spans several).
    origins = [re.sub(rb"\\([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                      o.encode()).decode("utf-8", "replace")
               for o in re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(2))]
    buffers = [{"offset": numbers[i], "bytes": numbers[i + 1], "start": numbers[i + 2],
                "end": numbers[i + 3], "where": where(origin)}
               for i, origin in zip(range(0, len(numbers), 4), origins)]
    return {"steps": int(match.group(3)), "buffers": buffers}


def memory_plan(bufferized_text: str) -> dict:
    """The ``tian.memory_plan`` that tian-plan-memory left on the entry
    function, from the bufferized stage's text ({} if nothing was planned)."""
    match = re.search(r"tian\.memory_plan = \{([^}]*)\}", bufferized_text)
    if not match:
        return {}
    return {key: int(value) for key, value in re.findall(r"(\w+) = (-?\d+) : i64", match.group(1))}


class CompileProgress:
    """Shows which stage a compile is in, on a terminal, once it has taken
    longer than ``delay`` seconds; quick compiles print nothing."""

    def __init__(self, name, delay=1.0, stream=None):
        self.name, self.delay = name, delay
        self.stream = stream or sys.stderr
        self.stage = "starting"
        self.shown = False
        self.start = time.perf_counter()
        self._enabled = getattr(self.stream, "isatty", lambda: False)() or os.environ.get(
            "TIANC_PROGRESS") == "1"
        self._timer = None

    def __enter__(self):
        if self._enabled:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def set_stage(self, stage):
        self.stage = stage
        if self.shown:
            self._show()

    def _show(self):
        self.shown = True
        elapsed = time.perf_counter() - self.start
        self.stream.write(f"\rtianc: compiling {self.name}: {self.stage} ({elapsed:.1f}s)\033[K")
        self.stream.flush()

    def __exit__(self, *exc):
        if self._timer is not None:
            self._timer.cancel()
        if self.shown:
            self.stream.write(f"\rtianc: compiled {self.name} in {time.perf_counter() - self.start:.1f}s"
                              "\033[K\n")
            self.stream.flush()


class CompileError(RuntimeError):
    """A stage failed. The message carries MLIR's diagnostics, each with the
    location of the op (the user's file:line when the graph was traced)."""


def _diagnostics_text(error: ir.MLIRError) -> str:
    lines = []
    for diag in error.error_diagnostics:
        lines.append(f"{diag.location}: {diag.message}")
        lines.extend(f"  note: {note.location}: {note.message}" for note in diag.notes)
    return "\n".join(lines) or str(error)


#: Elements of a constant printed in stage texts; larger ones are elided
#: (printing a model's weights at every stage costs seconds and says little).
PRINT_ELEMENTS_LIMIT = 16


def _text(module: ir.Module) -> str:
    # Local scope: no resources section (weights, the matmul kernels' packed
    # weights), which the printer hex-encodes whole before eliding it (0.3 s
    # per stage for ResNet-18's 94 MB); the ops name them, as elided.
    return module.operation.get_asm(large_elements_limit=PRINT_ELEMENTS_LIMIT,
                                    use_local_scope=True, assume_verified=True)


def lower(module: ir.Module, dump_dir=None, keep_stages=False, progress=None,
          stages=STAGES, dump_name=None) -> dict:
    """Runs every stage (default: the host CPU's) on ``module`` in place.
    Returns {stage: IR text} when ``keep_stages`` or ``dump_dir`` (default:
    $TIANC_DUMP_IR) asks for it. With ``dump_name`` the files go into their
    own folder ``<dump_dir>/<dump_name>-<hash of the tian text>``, so every
    compile of a process keeps its files."""
    dump_dir = dump_dir or os.environ.get("TIANC_DUMP_IR")
    texts = {}
    try:
        module.operation.verify()
    except ir.MLIRError as error:
        raise CompileError("the tian function is invalid:\n" + _diagnostics_text(error)) from None
    if keep_stages or dump_dir:  # printed as verified: after the check
        texts["tian"] = _text(module)
    for stage, pipeline in stages:
        if progress is not None:
            progress.set_stage(stage)
        failures = []  # Python passes that raised (tianc.passes)
        from .. import passes  # (imports the compiler itself: not at the top)

        try:
            passes.pass_manager(pipeline, module.context, failures).run(module.operation)
        except ir.MLIRError as error:
            if failures:
                failure = failures[0]
                if not isinstance(failure.error, Exception):  # KeyboardInterrupt, SystemExit
                    raise failure.error
                where = (f"stage '{stage}'" if failure.use.point == stage else
                         f"point '{failure.use.point}' (the start of stage '{stage}')")
                raise CompileError(
                    f"{where}: the Python pass '{failure.use.python.name}' "
                    f"({failure.use.python.origin}) raised {failure}\n{failure.trace}") from None
            ran = "" if isinstance(pipeline, str) else (
                " (after plugin passes: " + ", ".join(
                    p.text for p in pipeline if not isinstance(p, str)) + ")")
            raise CompileError(f"stage '{stage}' failed{ran}:\n"
                               + _diagnostics_text(error)) from None
        if keep_stages or dump_dir:
            texts[stage] = _text(module)
        if stage == "tian-optimized":
            graph = _graph(module)
            texts["graph"] = json.dumps(graph)
            texts["fusion-groups"] = json.dumps(_fusion_groups(graph))
    if dump_dir:
        directory = Path(dump_dir)
        if dump_name is not None:
            digest = hashlib.sha256(texts["tian"].encode()).hexdigest()[:10]
            directory = directory / f"{_file_name(dump_name)}-{digest}"
        directory.mkdir(parents=True, exist_ok=True)
        texts["llvm-ir"] = translate_to_llvm_ir(str(module))
        names = ("tian",) + tuple(name for name, _ in stages) + ("llvm-ir",)
        for index, name in enumerate(names):
            suffix = "ll" if name == "llvm-ir" else "mlir"
            (directory / f"{index}-{name}.{suffix}").write_text(texts[name])
    return texts


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:80] or "function"


def translate_to_llvm_ir(llvm_dialect_text: str) -> str:
    """LLVM IR for a module in the LLVM dialect, via the wheel's mlir-translate."""
    result = subprocess.run([str(tool_path("mlir-translate")), "--mlir-to-llvmir"],
                            input=llvm_dialect_text,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise CompileError("mlir-translate failed:\n" + result.stderr)
    return result.stdout


def tool_path(name: str) -> Path:
    """A tool of the LLVM/MLIR wheels: mlir-translate, opt, llc, llvm-strip..."""
    import mlir

    root = Path(mlir.__path__[0])
    for candidate in (root / "bin" / name, root.parent / "llvm" / "bin" / name):
        if candidate.exists():
            return candidate
    raise CompileError(f"the LLVM/MLIR wheels have no tool '{name}': re-run ./setup.sh")
