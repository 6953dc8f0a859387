"""Machine code for a large module in the LLVM dialect, compiled on every
core: a shared library built with the LLVM wheel's tools.

MLIR's ExecutionEngine optimizes and compiles a module as one unit on one
thread: ResNet-18's took 7 s that way. Here its LLVM IR is split into parts
(`llvm-split`, a few functions each) that `opt | llc` processes compile side
by side, and the system's C compiler links the objects with tianc's runtime
into the library the compile cache stores anyway. Both tools get the
host's triple and CPU (without them opt neither vectorizes for the host nor
lays structs out as llc does). ResNet-18's LLVM work, about 5 s of CPU time,
takes 2.5 s on two cores.

Small modules (an eager op's kernel) stay with the ExecutionEngine: five
processes cost about 0.15 s, more than compiling them in process.
"""

import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mlir import ir

from .pipeline import CompileError, tool_path

# A module with more text than this in the LLVM dialect is compiled here:
# above it the tools' start-up costs less than the cores save.
MIN_TEXT_BYTES = 400_000


def worth_it(llvm_dialect_text: str) -> bool:
    """Whether to build a module this way: large (TIANC_PARALLEL_LLVM=always:
    any size; 0: never), and a C compiler to link with (the ExecutionEngine
    needs none)."""
    setting = os.environ.get("TIANC_PARALLEL_LLVM", "1")
    if setting == "0" or shutil.which(os.environ.get("CC", "cc")) is None:
        return False
    return setting == "always" or len(llvm_dialect_text) >= MIN_TEXT_BYTES


def _cores():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def _run(command, what, **options):
    try:
        result = subprocess.run(command, capture_output=True, **options)
    except OSError as error:
        raise CompileError(f"could not run {what}: {error}") from None
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace") if isinstance(result.stderr, bytes) \
            else result.stderr
        raise CompileError(f"{what} failed:\n{stderr[-2000:]}")
    return result


def _packed_entry(llvm_ir: str, entry: str) -> str:
    """The wrapper `_mlir_<entry>(void **arguments)` the ExecutionEngine would
    have made (tianc._native.invoke calls it): arguments[i] points to the
    i-th parameter's value. Names are quoted, so any name but one with a
    quote or backslash works (LLVM quotes a name like `w4=1` itself)."""
    if '"' in entry or "\\" in entry:
        raise CompileError(f"cannot name the function {entry!r} in LLVM IR")
    pattern = rf'^define [^@]*@(?:{re.escape(entry)}|"{re.escape(entry)}")\((.*)\)'
    match = re.search(pattern, llvm_ir, re.MULTILINE)
    if match is None:
        raise CompileError(f"no function @{entry} in the LLVM IR")
    types = [param.split()[0] for param in match.group(1).split(",") if param.strip()]
    lines = [f'define void @"_mlir_{entry}"(ptr %arguments) {{']
    for index, type_ in enumerate(types):
        lines += [f"  %slot{index} = getelementptr ptr, ptr %arguments, i64 {index}",
                  f"  %address{index} = load ptr, ptr %slot{index}",
                  f"  %value{index} = load {type_}, ptr %address{index}"]
    arguments = ", ".join(f"{type_} %value{index}" for index, type_ in enumerate(types))
    lines += [f'  call void @"{entry}"({arguments})', "  ret void", "}", ""]
    return "\n".join(lines)


def _externalize_constants(module_op, work: Path) -> list:
    """Moves the module's large constants into files (tian-externalize-constants);
    returns [(symbol, alignment, bytes, file name in ``work``)]."""
    from mlir.passmanager import PassManager

    if '"' in str(work):
        raise CompileError(f"cannot name the folder {work} in a pass option (it has a quote)")
    try:
        # Quoted: a folder may have spaces.
        PassManager.parse(f'builtin.module(tian-externalize-constants{{directory="{work}"}})',
                          module_op.context).run(module_op)
    except (ir.MLIRError, ValueError) as error:
        raise CompileError(f"tian-externalize-constants failed: {error}") from None
    manifest = work / "constants.txt"
    listed = [line.split(" ", 3) for line in manifest.read_text().splitlines() if line]
    manifest.unlink()
    constants = []
    for symbol, alignment, size, path in listed:
        if not _ASSEMBLER_NAME.fullmatch(symbol):
            raise CompileError(f"cannot name the constant {symbol!r} in assembly")
        constants.append((symbol, int(alignment), int(size), Path(path).name))
    return constants


_ASSEMBLER_NAME = re.compile(r"[A-Za-z_.$][A-Za-z0-9_.$]*")


def _constants_object(constants, work: Path, compiler: str) -> Path:
    """An object file holding the externalized constants' bytes (the files
    named relative to ``work``, where the assembler runs)."""
    lines = ['.section .rodata.tianc_constants,"a"']
    for symbol, alignment, size, name in constants:
        lines += [f".p2align {max(alignment, 1).bit_length() - 1}", f".globl {symbol}",
                  f".hidden {symbol}", f".type {symbol},@object", f".size {symbol},{size}",
                  f"{symbol}:", f'.incbin "{name}"']
    lines.append('.section .note.GNU-stack,"",@progbits')
    source, obj = work / "constants.s", work / "constants.o"
    source.write_text("\n".join(lines) + "\n")
    _run([compiler, "-c", "-o", obj.name, source.name], f"the assembler ({compiler})", cwd=work)
    return obj


_host_triple = None


def host_triple() -> str:
    """The host's target triple, as the LLVM wheel's llc names it: opt needs
    it (and the data layout it implies) to vectorize for the host and to lay
    out structs as llc will."""
    global _host_triple
    if _host_triple is None:
        version = _run([str(tool_path("llc")), "--version"], "llc --version", text=True).stdout
        match = re.search(r"Default target:\s*(\S+)", version)
        if match is None:
            raise CompileError("llc --version names no default target")
        _host_triple = match.group(1)
    return _host_triple


def build_library(module: ir.Module, entry: str, runtime: list, opt_level: int = 3,
                  directory=None) -> Path:
    """Compiles ``module`` (in the LLVM dialect; left as it is) into a shared
    library with the packed entry point `_mlir_<entry>`; returns its path,
    in a fresh folder under ``directory`` (default: the system's temporary
    folder) that the caller removes. Raises CompileError (and removes the
    folder) when a tool fails."""
    work = Path(tempfile.mkdtemp(prefix=".tmp-llvm-", dir=directory))
    try:
        return _build(module, entry, runtime, opt_level, work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _build(module, entry, runtime, opt_level, work):
    # On a copy: the caller may still hand the module to the ExecutionEngine.
    copy = module.operation.clone()
    try:
        constants = _externalize_constants(copy, work)
        bytecode = work / "code.mlirbc"
        with open(bytecode, "wb") as file:
            copy.write_bytecode(file)
    finally:
        copy.erase()
    llvm_ir = _run([str(tool_path("mlir-translate")), "--mlir-to-llvmir", str(bytecode)],
                   "mlir-translate", text=True).stdout
    bytecode.unlink()
    (work / "code.ll").write_text(llvm_ir + _packed_entry(llvm_ir, entry))
    del llvm_ir
    cores = _cores()
    # More parts than cores: one big function (the entry) does not leave
    # the other cores idle for long.
    parts = 2 * cores
    _run([str(tool_path("llvm-split")), "-j", str(parts), "--round-robin", "-o",
          str(work / "part"), str(work / "code.ll")], "llvm-split")
    level = f"-O{opt_level}"

    target = [f"-mtriple={host_triple()}", "-mcpu=native"]

    def compile_part(index):
        part, obj = work / f"part{index}", work / f"part{index}.o"
        optimized = _run([str(tool_path("opt")), level, *target, str(part), "-o", "-"],
                         "opt").stdout
        _run([str(tool_path("llc")), level, *target, "-relocation-model=pic",
              "-filetype=obj", "-o", str(obj), "-"], "llc", input=optimized)
        return obj

    compiler = os.environ.get("CC", "cc")
    with ThreadPoolExecutor(max_workers=cores) as pool:
        held = pool.submit(_constants_object, constants, work, compiler) if constants else None
        objects = list(pool.map(compile_part, range(parts)))
        if held is not None:
            objects.append(held.result())
    library = work / "code.so"
    _run(link_command(compiler, library, objects, runtime),
         f"the C compiler ({compiler}) linking the code")
    return library


def link_command(compiler, library, objects, runtime) -> list:
    """The command that links ``objects`` into the shared ``library``, calling
    the ``runtime`` libraries (found through its rpath) and libm; also what
    the cache links the ExecutionEngine's object code with."""
    libraries = []
    for path in runtime:
        libraries += [str(path), f"-Wl,-rpath,{Path(path).parent}"]
    # -Bsymbolic: the entry wrapper must call this library's function, not a
    # namesake already loaded (a traced function named `step` otherwise
    # calls libc's regexp step()). --build-id=none: the linker would hash
    # every byte (the constants too).
    return [compiler, "-shared", "-Wl,-Bsymbolic", "-Wl,--build-id=none", "-o", str(library),
            *map(str, objects), *libraries, "-lm"]
