"""Ahead-of-time compilation: a model compiled once into native code that
runs with no Python, through tianc's small C runtime (targets/runtime/).

    import tianc as tc
    tc.aot.compile(model, (x,), target="aarch64-linux-gnu", output_dir="out")

writes into ``out/``:

    <name>.o            relocatable object: the model's code, its description
                        and the runtime (link it into a program with -lm)
    lib<name>.so        the same as a shared library
    <name>.h            entry points, tensor shapes and dtypes
    tianc_runtime.h     the runtime's API (included by <name>.h)
    <name>.tcw          the weights (format in tianc_runtime.h), unless embedded
    manifest.json       target, shapes, dtypes, versions, hashes, sizes
    ir/                 the IR after every stage, down to LLVM IR (and PTX)
    build/              intermediate files: the generated C description of the
                        model (<name>_model.c), the kernels' object

Targets: ``x86_64-linux-gnu`` (``cpu="native"`` by default: the host's
features; or a named CPU such as ``x86-64-v3``), ``aarch64-linux-gnu``
(NEON; ``cpu="cortex-a76"`` and the like) and ``nvptx64-nvidia-cuda``
(``chip="sm_80"`` or ``"sm_90"``: kernels as PTX, launched through the CUDA
driver by host code for x86-64).
"""

import hashlib
import inspect
import json
import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from mlir import ir

from ._dispatch import TianError
from .compiler.pipeline import (CompileError, CompileProgress, cpu_stages, lower, tool_path)
from .tensor import Tensor


@dataclass(frozen=True)
class Target:
    name: str
    llvm_triple: str  # of the code that the C compiler links (the host side for GPUs)
    cc: str  # the C compiler (and linker) for that triple
    default_cpu: str
    device: str  # "cpu" or "cuda"


TARGETS = {
    t.name: t for t in (
        Target("x86_64-linux-gnu", "x86_64-unknown-linux-gnu", "cc", "native", "cpu"),
        Target("aarch64-linux-gnu", "aarch64-unknown-linux-gnu", "aarch64-linux-gnu-gcc",
               "generic", "cpu"),
        Target("nvptx64-nvidia-cuda", "x86_64-unknown-linux-gnu", "cc", "x86-64", "cuda"),
    )
}
CUDA_CHIPS = ("sm_70", "sm_75", "sm_80", "sm_86", "sm_89", "sm_90")

#: (numpy dtype name, tianc_dtype enumerator, C element type)
_DTYPES = {
    "float32": ("TIANC_FLOAT32", 0, "float"),
    "float16": ("TIANC_FLOAT16", 1, "uint16_t"),
    "bfloat16": ("TIANC_BFLOAT16", 2, "uint16_t"),
    "int8": ("TIANC_INT8", 3, "int8_t"),
    "int32": ("TIANC_INT32", 4, "int32_t"),
    "int64": ("TIANC_INT64", 5, "int64_t"),
    "bool": ("TIANC_BOOL", 6, "uint8_t"),
    "int16": ("TIANC_INT16", 7, "int16_t"),
    "uint8": ("TIANC_UINT8", 8, "uint8_t"),
    "uint16": ("TIANC_UINT16", 9, "uint16_t"),
    "uint32": ("TIANC_UINT32", 10, "uint32_t"),
    "uint64": ("TIANC_UINT64", 11, "uint64_t"),
}

RUNTIME_DIR = Path(__file__).parent / "_native" / "runtime"
WEIGHTS_MAGIC = b"TIANCWT\0"
WEIGHTS_VERSION = 1
WEIGHTS_HEADER_BYTES, WEIGHTS_ENTRY_BYTES, WEIGHTS_NAME_BYTES, WEIGHTS_ALIGNMENT = 32, 256, 168, 64
MAX_RANK = 8
# A model that draws random numbers takes the generator's state (int64 [key,
# counter]: {seed, 0} starts tc.manual_seed(seed)'s stream) as its last input
# and returns the advanced state as its last output, to pass to the next run.
RNG_STATE = "rng_state"


class AotError(TianError):
    """A model cannot be compiled ahead of time for the target asked for."""


class AotArgumentError(AotError):
    """The arguments of a compile are wrong (target, CPU, model, inputs,
    output folder): the ``tianc`` command exits with 2 for these."""


@dataclass
class TensorSpec:
    name: str
    shape: tuple
    dtype: str  # numpy name

    @property
    def elements(self):
        return math.prod(self.shape)

    @property
    def nbytes(self):
        return self.elements * np.dtype(self.dtype).itemsize

    def as_json(self):
        return {"name": self.name, "shape": list(self.shape), "dtype": self.dtype}


def _c_identifier(text):
    ident = re.sub(r"\W", "_", text)
    if not ident or ident[0].isdigit():
        ident = "m_" + ident
    return ident


def _callable_part(fn):
    """What is called: a module's forward, or the function itself."""
    return fn.forward if hasattr(fn, "forward") and not inspect.isfunction(fn) else fn


def _input_names(fn, count):
    declared = getattr(fn, "input_names", None)  # an imported ONNX model's
    if isinstance(declared, list) and len(declared) == count:
        return [_c_identifier(n) for n in declared]
    try:
        params = [p.name for p in inspect.signature(_callable_part(fn)).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = [_c_identifier(n) for n in params[:count]]
    names += [f"input{i}" for i in range(len(names), count)]
    return names


def _weight_names(fn, captured):
    known = {}
    if hasattr(fn, "named_parameters"):
        known.update((id(t), n) for n, t in fn.named_parameters())
        known.update((id(t), n) for n, t in fn.named_buffers())
    return [known.get(id(t), f"weight{i}") for i, t in enumerate(captured)]


def resolve_target(target, cpu=None, chip=None):
    if target not in TARGETS:
        raise AotArgumentError(f"unknown target {target!r}; tianc compiles for "
                               f"{', '.join(TARGETS)}")
    spec = TARGETS[target]
    if spec.device == "cuda":
        chip = chip or "sm_80"
        if chip not in CUDA_CHIPS:
            raise AotArgumentError(f"unknown CUDA chip {chip!r}; use one of "
                                   f"{', '.join(CUDA_CHIPS)}")
        if cpu not in (None, spec.default_cpu):
            raise AotArgumentError("--cpu does not apply to nvptx64-nvidia-cuda (the host side "
                                   "is x86-64); use --chip")
    elif chip is not None:
        raise AotArgumentError(f"--chip applies to nvptx64-nvidia-cuda, not to {target}")
    return spec, cpu or spec.default_cpu, chip


def _run(command, what):
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if result.returncode != 0:
        raise CompileError(f"{what} failed ({' '.join(map(str, command[:3]))} ...):\n"
                           + (result.stderr or result.stdout)[-4000:])
    return result


def _check_cpu(spec, cpu):
    """llc only warns about an unknown CPU name and goes on: make it an error."""
    result = subprocess.run([str(tool_path("llc")), f"-mtriple={spec.llvm_triple}", f"-mcpu={cpu}",
                             "-o", os.devnull], input="", capture_output=True, text=True)
    if "not a recognized processor" in result.stderr:
        raise AotArgumentError(f"unknown CPU {cpu!r} for {spec.name}; "
                               f"`llc -mtriple={spec.llvm_triple} -mcpu=help` lists the known ones")


def _host_cpu_name():
    out = _run([tool_path("llc"), "--version"], "llc --version").stdout
    match = re.search(r"Host CPU:\s*(\S+)", out)
    return match.group(1) if match else "native"


def write_weights(path, names, arrays):
    """Writes a .tcw weights file (the format is documented in tianc_runtime.h)."""
    entries, blobs, offset = [], [], WEIGHTS_HEADER_BYTES + WEIGHTS_ENTRY_BYTES * len(arrays)
    for name, array in zip(names, arrays):
        array = np.ascontiguousarray(array)
        if array.ndim > MAX_RANK:
            raise AotError(f"weight {name} has rank {array.ndim}; the runtime supports up to {MAX_RANK}")
        offset = -(-offset // WEIGHTS_ALIGNMENT) * WEIGHTS_ALIGNMENT
        shape = list(array.shape) + [0] * (MAX_RANK - array.ndim)
        entry = np.zeros(WEIGHTS_ENTRY_BYTES, np.uint8)
        header = np.array([offset, array.nbytes], "<u8").tobytes()
        header += np.array([_DTYPES[array.dtype.name][1], array.ndim], "<u4").tobytes()
        header += np.array(shape, "<i8").tobytes()
        encoded = name.encode()[:WEIGHTS_NAME_BYTES - 1]
        entry[:len(header)] = np.frombuffer(header, np.uint8)
        entry[len(header):len(header) + len(encoded)] = np.frombuffer(encoded, np.uint8)
        entries.append(entry.tobytes())
        blobs.append((offset, array.tobytes()))
        offset += array.nbytes
    size = max([WEIGHTS_HEADER_BYTES + WEIGHTS_ENTRY_BYTES * len(arrays)]
               + [o + len(b) for o, b in blobs])
    image = bytearray(size)
    image[:32] = WEIGHTS_MAGIC + np.array([WEIGHTS_VERSION, len(arrays)], "<u4").tobytes() + \
        np.array([size, 0], "<u8").tobytes()
    image[32:32 + len(b"".join(entries))] = b"".join(entries)
    for offset, blob in blobs:
        image[offset:offset + len(blob)] = blob
    Path(path).write_bytes(bytes(image))
    return bytes(image)


def _tensor_info_c(specs, label):
    if not specs:
        return f"#define {label} NULL\n"
    rows = []
    for s in specs:
        enum = _DTYPES[s.dtype][0]
        shape = ", ".join(str(d) for d in s.shape) or "0"
        rows.append(f'  {{"{s.name}", {enum}, {len(s.shape)}, {{{shape}}}, {s.nbytes}ull}},')
    return f"static const tianc_tensor_info {label}[] = {{\n" + "\n".join(rows) + "\n};\n"


def _glue_source(name, entry, target, device, inputs, weights, outputs, embedded):
    """The model's description for the runtime; ``embedded`` is the size of
    the embedded weights image, or 0."""
    count = len(inputs) + len(weights) + len(outputs)
    params = ", ".join(["void *"] * count) or "void"
    args = ", ".join(f"b[{i}]" for i in range(count))
    lines = [
        f"/* Generated by tianc for model '{name}', target {target}. Do not edit. */",
        '#include "tianc_runtime.h"', "",
        f"extern void {entry}({params});",
        f"static void run_{name}(void *const *b) {{ {'(void)b; ' if not count else ''}{entry}({args}); }}",
        "",
        _tensor_info_c(inputs, f"{name}_inputs"),
        _tensor_info_c(weights, f"{name}_weights"),
        _tensor_info_c(outputs, f"{name}_outputs"),
    ]
    if embedded:
        lines += [f"extern const unsigned char {name}_weights_image[];", ""]
    if device == "cuda":
        lines += ["extern const tianc_device_ops tianc_cuda_device_ops;", ""]
    image = f"{name}_weights_image, {embedded}ull" if embedded else "NULL, 0"
    lines += [
        f"const tianc_model_desc {name}_model_desc = {{",
        f'  TIANC_ABI_VERSION, "{name}", "{target}",',
        "  TIANC_DEVICE_CUDA, &tianc_cuda_device_ops," if device == "cuda"
        else "  TIANC_DEVICE_CPU, NULL,",
        f"  {len(inputs)}, {len(weights)}, {len(outputs)},",
        f"  {name}_inputs, {name}_weights, {name}_outputs,",
        f"  run_{name}, {image},",
        "};", "",
    ]
    return "\n".join(lines)


def _header_source(name, target, inputs, weights, outputs, embedded, weights_file):
    upper = name.upper()
    lines = [
        f"/* {name}.h - generated by tianc for target {target}. Do not edit.",
        " *",
        f" * Link with {name}.o (or lib{name}.so) and -lm"
        + (" -ldl (the CUDA driver is loaded at run time)." if "nvptx" in target else "."),
        " * Buffers are dense, row-major, in host memory. */",
        f"#ifndef TIANC_MODEL_{upper}_H", f"#define TIANC_MODEL_{upper}_H", "",
        '#include "tianc_runtime.h"', "",
        "#ifdef __cplusplus", 'extern "C" {', "#endif", "",
        f"extern const tianc_model_desc {name}_model_desc;", "",
    ]
    for kind, specs in (("INPUT", inputs), ("OUTPUT", outputs)):
        lines.append(f"#define {upper}_NUM_{kind}S {len(specs)}")
        for i, s in enumerate(specs):
            shape = ", ".join(str(d) for d in s.shape)
            lines += [f"/* {kind.lower()} {i} '{s.name}': {s.dtype} [{shape}] */",
                      f"#define {upper}_{kind}{i}_RANK {len(s.shape)}",
                      f"#define {upper}_{kind}{i}_SHAPE {{{shape}}}",
                      f"#define {upper}_{kind}{i}_ELEMENTS {s.elements}",
                      f"#define {upper}_{kind}{i}_BYTES {s.nbytes}"]
        lines.append("")
    lines.append(f"#define {upper}_NUM_WEIGHTS {len(weights)}")
    if weights_file:
        lines.append(f'#define {upper}_WEIGHTS_FILE "{weights_file}"')
    lines.append("")
    lines += [f"static inline tianc_status {name}_load(const char *weights_path, tianc_model **model) {{",
              f"  return tianc_model_load(&{name}_model_desc, weights_path, model);", "}", ""]
    if embedded:
        lines += ["/* Loads the model with the weights embedded in its object. */",
                  f"static inline tianc_status {name}_load_embedded(tianc_model **model) {{",
                  f"  return tianc_model_load_embedded(&{name}_model_desc, model);", "}", ""]
    params = [f"const {_DTYPES[s.dtype][2]} *{s.name}" for s in inputs]
    params += [f"{_DTYPES[s.dtype][2]} *{s.name}" for s in outputs]
    lines += [f"static inline tianc_status {name}_run(tianc_model *model, {', '.join(params)}) {{",
              f"  const void *inputs[] = {{{', '.join(s.name for s in inputs) or 'NULL'}}};",
              f"  void *outputs[] = {{{', '.join(s.name for s in outputs) or 'NULL'}}};",
              "  return tianc_model_run(model, inputs, outputs);", "}", "",
              "#ifdef __cplusplus", "}", "#endif", "", f"#endif /* TIANC_MODEL_{upper}_H */", ""]
    return "\n".join(lines)


@dataclass
class AotResult:
    """What ``tc.aot.compile`` wrote: paths and the manifest."""
    output_dir: Path
    manifest: dict

    def path(self, key):
        return self.output_dir / self.manifest["files"][key]


# Named x86-64 CPUs with AVX-512 (32 zmm registers) and with AVX2 (16 ymm).
_AVX512_CPUS = ("x86-64-v4", "skylake-avx512", "cascadelake", "cooperlake", "cannonlake",
                "icelake", "tigerlake", "rocketlake", "sapphirerapids", "emeraldrapids",
                "graniterapids", "diamondrapids", "znver4", "znver5")
_AVX2_CPUS = ("x86-64-v3", "haswell", "broadwell", "skylake", "alderlake", "raptorlake",
              "meteorlake", "arrowlake", "lunarlake", "pantherlake", "gracemont", "znver1",
              "znver2", "znver3", "bdver4")


def _vector_shape(spec, cpu):
    """(vector bits, vector registers) the matmul kernels of `spec` are sized for."""
    from .compiler.pipeline import host_vector_shape

    if spec.llvm_triple.startswith("aarch64"):
        return (128, 32)  # NEON: every AArch64 CPU has it
    if cpu == "native":
        return host_vector_shape()
    if cpu.startswith(_AVX512_CPUS):
        return (512, 32)
    if cpu.startswith(_AVX2_CPUS):
        return (256, 16)
    return (128, 16)  # SSE2: what every x86-64 CPU has


def _check_arguments(model, example_inputs, output_dir=None):
    """The example inputs as Tensors, after checking what can be checked
    before tracing: the model is callable, the inputs are a sequence the
    model's signature accepts, the output (if any) is a folder or not there yet."""
    if not callable(model):
        raise AotArgumentError(f"the model is not callable (got {type(model).__name__}): "
                               "pass an nn.Module or a function")
    if isinstance(example_inputs, (Tensor, np.ndarray)):
        example_inputs = (example_inputs,)
    if not isinstance(example_inputs, (tuple, list)):
        raise AotArgumentError(f"example_inputs is a {type(example_inputs).__name__}: pass a "
                               "tuple of tensors (or arrays) with the shapes to compile for")
    try:
        inspect.signature(_callable_part(model)).bind(*example_inputs)
    except TypeError as error:
        raise AotArgumentError(f"the model cannot take {len(example_inputs)} example input"
                               f"{'' if len(example_inputs) == 1 else 's'}: {error}") from None
    except ValueError:  # no signature to check (a builtin): tracing will tell
        pass
    inputs = []
    for index, value in enumerate(example_inputs):
        try:
            inputs.append(value if isinstance(value, Tensor) else Tensor(value))
        except (TypeError, ValueError) as error:
            raise AotArgumentError(f"example input #{index} is not a tensor: {error}") from None
    out = Path(output_dir) if output_dir is not None else None
    if out is not None and out.exists() and not out.is_dir():
        raise AotArgumentError(f"the output {out} is a file: -o names a folder for the "
                               "compiled model")
    return inputs


def compile(model, example_inputs, target="x86_64-linux-gnu", output_dir="tianc-out", *,
            name=None, cpu=None, chip=None, embed_weights=False, opt_level=3, cc=None,
            progress=True, passes=None):
    """Compiles ``model`` (a function or nn.Module) for ``example_inputs``'
    shapes and dtypes into ``output_dir``; returns an AotResult. ``passes``
    adds compiler passes at points of the pipeline, as ``tc.jit.trace``'s
    (``tianc.passes``)."""
    from . import passes as plugin_passes

    spec, cpu, chip = resolve_target(target, cpu, chip)
    placed = plugin_passes.parse(passes)  # checked before anything is traced
    cc = cc or os.environ.get(f"TIANC_CC_{spec.name.split('-')[0].upper()}", spec.cc)
    if shutil.which(cc) is None:
        raise AotError(f"the C compiler for {spec.name}, {cc!r}, is not installed"
                       + (" (./setup.sh installs gcc-aarch64-linux-gnu)" if "aarch64" in cc else ""))
    if spec.device == "cpu":
        _check_cpu(spec, cpu)
    inputs = _check_arguments(model, example_inputs, output_dir)
    name = _c_identifier(name or getattr(model, "__name__", type(model).__name__).lower())
    entry = f"{name}_compute"
    out = Path(output_dir)
    try:
        (out / "ir").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AotArgumentError(f"cannot create the output folder {out}: {error.strerror}") from None

    from .jit import record
    from .random import generator_state

    recorded = record(model, inputs, entry)
    draws = any(tensor is generator_state() for tensor, _, _ in recorded.state)
    if draws:
        # The generator's state becomes the last input, and its advanced
        # state the last output: the caller seeds it and chains the calls.
        recorded = record(model, inputs, entry, generator_input=True)
    if len(recorded.state) > draws:
        raise AotError(f"{name} updates parameters or gradients while it runs: ahead-of-time "
                       "compilation takes inference functions")
    input_specs = [TensorSpec(n, t.shape, t.dtype.name)
                   for n, t in zip(_input_names(model, len(inputs)), inputs)]
    if draws:
        input_specs.append(TensorSpec(RNG_STATE, (2,), "int64"))
    weight_names = _weight_names(model, recorded.captured)
    weight_specs = [TensorSpec(n, t.shape, t.dtype.name)
                    for n, t in zip(weight_names, recorded.captured)]
    function = recorded.module.body.operations[0]
    with recorded.module.context:
        results = ir.FunctionType(ir.TypeAttr(function.attributes["function_type"]).value).results
        output_specs = [TensorSpec(f"output{i}", tuple(ir.RankedTensorType(t).shape),
                                   _numpy_name(ir.RankedTensorType(t).element_type))
                        for i, t in enumerate(results)]
    if draws:
        output_specs[-1] = TensorSpec(f"{RNG_STATE}_next", (2,), "int64")
    for s in input_specs + weight_specs + output_specs:
        if len(s.shape) > MAX_RANK:
            raise AotError(f"{s.name} has rank {len(s.shape)}; the runtime supports up to {MAX_RANK}")

    scratch = out / "build"  # intermediate files, kept for inspection
    scratch.mkdir(exist_ok=True)
    with CompileProgress(f"{name} for {spec.name}", delay=0 if progress else 1e9) as bar:
        # Single-threaded: the deployed runtime has no thread pool (yet).
        stages = cpu_stages(threads=False, rows=spec.device != "cuda",
                            vector_shape=_vector_shape(spec, cpu),
                            blocked_matmuls=spec.device != "cuda")
        if spec.device == "cuda":  # row loops are not mapped to GPU threads yet
            stages = stages[:2] + (("gpu", "tian-nvidia-kernels"),
                                   ("llvm-dialect", f"tian-nvidia-codegen{{chip={chip}}}"))
        stages = plugin_passes.with_passes(stages, placed)
        texts = lower(recorded.module, dump_dir=out / "ir", progress=bar, stages=stages)
        llvm_ir = texts["llvm-ir"]
        files = {}
        if spec.device == "cuda":
            bar.set_stage("PTX")
            files["ptx"] = _write_ptx(recorded.module, out / "kernels", chip)
        bar.set_stage(f"LLVM -O{opt_level} for {spec.name}")
        cpu_flags = [f"-mtriple={spec.llvm_triple}", f"-mcpu={cpu}"]
        (scratch / "model.ll").write_text(llvm_ir)
        _run([tool_path("opt"), f"-O{opt_level}", *cpu_flags, scratch / "model.ll", "-S",
              "-o", scratch / "model.opt.ll"], "opt")
        _run([tool_path("llc"), f"-O{opt_level}", *cpu_flags, "-relocation-model=pic",
              "-filetype=obj", scratch / "model.opt.ll", "-o", scratch / "kernels.o"], "llc")

        bar.set_stage("C runtime and linking")
        weights_file = None if embed_weights else f"{name}.tcw"
        image = write_weights(out / f"{name}.tcw" if weights_file else scratch / "weights.tcw",
                              weight_names, [t._data for t in recorded.captured])
        (out / "tianc_runtime.h").write_bytes((RUNTIME_DIR / "tianc_runtime.h").read_bytes())
        glue = _glue_source(name, entry, spec.name, spec.device, input_specs, weight_specs,
                            output_specs, len(image) if embed_weights else 0)
        (scratch / f"{name}_model.c").write_text(glue)
        cflags = ["-std=c11", "-O2", "-fPIC", "-I", out]
        objects = [scratch / "kernels.o"]
        sources = [scratch / f"{name}_model.c", RUNTIME_DIR / "tianc_runtime.c"]
        if spec.device == "cuda":
            sources.append(RUNTIME_DIR / "tianc_cuda.c")
        if embed_weights:
            (scratch / "weights.S").write_text(
                f'  .section .rodata\n  .globl {name}_weights_image\n  .p2align 6\n'
                f'{name}_weights_image:\n  .incbin "{scratch / "weights.tcw"}"\n'
                '  .section .note.GNU-stack,"",%progbits\n')
            sources.append(scratch / "weights.S")
        for source in sources:
            obj = scratch / (Path(source).stem + ".obj.o")
            _run([cc, *cflags, "-c", source, "-o", obj], f"{cc} {Path(source).name}")
            objects.append(obj)
        libs = ["-lm"] + (["-ldl", "-lpthread"] if spec.device == "cuda" else [])
        _run([cc, "-r", "-nostdlib", *objects, "-o", out / f"{name}.o"], f"{cc} -r")
        # -Bsymbolic: calls inside the library stay inside it, whatever the
        # program or other libraries also define.
        _run([cc, "-shared", "-Wl,-Bsymbolic", *objects, "-o", out / f"lib{name}.so", *libs],
             f"{cc} -shared")
        (out / f"{name}.h").write_text(_header_source(name, spec.name, input_specs, weight_specs,
                                                      output_specs, embed_weights, weights_file))
        runtime_size = _runtime_size(cc, scratch, spec.device)

    files.update({"object": f"{name}.o", "shared_library": f"lib{name}.so", "header": f"{name}.h",
                  "runtime_header": "tianc_runtime.h", "ir": "ir"})
    if weights_file:
        files["weights"] = weights_file
    from . import __version__

    manifest = {
        "name": name,
        "target": spec.name,
        "llvm_triple": spec.llvm_triple,
        "cpu": _host_cpu_name() if cpu == "native" else cpu,
        "cuda_chip": chip,
        "tianc_version": __version__,
        "mlir_version": _mlir_version(),
        "inputs": [s.as_json() for s in input_specs],
        "outputs": [s.as_json() for s in output_specs],
        "weights": {"embedded": embed_weights, "count": len(weight_specs),
                    "bytes": sum(s.nbytes for s in weight_specs),
                    "sha256": hashlib.sha256(image).hexdigest(),
                    "tensors": [s.as_json() for s in weight_specs]},
        "entry_points": {"description": f"{name}_model_desc", "load": f"{name}_load",
                         "run": f"{name}_run"},
        "runtime": runtime_size,
        "files": files,
    }
    manifest["hash"] = hashlib.sha256(
        (out / f"{name}.o").read_bytes() + image).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return AotResult(out, manifest)


def _write_ptx(module, directory, chip):
    """Writes each kernel module's PTX (which the library embeds) and, when
    ptxas is installed, checks it by assembling a cubin. Returns the paths."""
    from mlir.dialects import gpu

    directory.mkdir(exist_ok=True)
    written = []
    for op in module.body.operations:
        if op.operation.name != "gpu.binary":
            continue
        kernel_module = op.attributes["sym_name"].value
        for attr in op.attributes["objects"]:
            ptx = gpu.ObjectAttr(attr).object
            path = directory / f"{kernel_module}.ptx"
            path.write_bytes(ptx.rstrip(b"\0"))
            written.append(f"kernels/{path.name}")
            ptxas = shutil.which("ptxas")
            if ptxas:
                _run([ptxas, f"-arch={chip}", path, "-o", path.with_suffix(".cubin")],
                     f"ptxas on {path.name}")
    return written


def _runtime_size(cc, scratch, device):
    """The runtime alone as a stripped shared library built with -Os: its
    file size, and its loaded size (text + data + bss, which leaves out the
    page alignment padding that dominates the file on AArch64)."""
    sources = [RUNTIME_DIR / "tianc_runtime.c"]
    if device == "cuda":
        sources.append(RUNTIME_DIR / "tianc_cuda.c")
    lib = scratch / "libtianc_runtime.so"
    _run([cc, "-std=c11", "-Os", "-fPIC", "-shared", *sources, "-o", lib], "runtime build")
    _run([tool_path("llvm-strip"), "--strip-all", lib], "llvm-strip")
    sizes = _run([tool_path("llvm-size"), lib], "llvm-size").stdout.splitlines()[-1].split()
    return {"stripped_file_bytes": lib.stat().st_size, "loaded_bytes": int(sizes[3])}


def _numpy_name(element_type):
    from .compiler.jit import numpy_dtype

    return numpy_dtype(element_type).name


def _mlir_version():
    from importlib.metadata import version

    return version("xtc-mlir-python-bindings")
