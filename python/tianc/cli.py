"""The ``tianc`` command line.

    tianc ops            list every tian op, primitive or composite, with its summary
                         (--load-python FILE lists the custom ops FILE defines too)
    tianc version        print the versions of tianc and of the MLIR it is built on
    tianc compile model.py --target aarch64-linux-gnu -o out/
                         compile a model ahead of time (see docs/deploy.md)
    tianc cache info     where the compile cache is, its entries and size
    tianc cache clear    remove every entry of the compile cache
    tianc paths          where the CMake package (find_package(tianc)), headers and tian-opt are
    tianc passes         the passes a pipeline can name and the points they run at
                         (--load-pass-plugin LIB, --load-python-passes FILE add to them)
"""

import argparse
import inspect
import os
import sys


def _tian_op_classes():
    from mlir import ir

    from .dialects import tian

    for _, cls in sorted(inspect.getmembers(tian, inspect.isclass)):
        if issubclass(cls, ir.OpView) and getattr(cls, "OPERATION_NAME", "").startswith("tian."):
            yield cls


def _summary(cls) -> str:
    doc = inspect.getdoc(cls) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def list_ops(out=sys.stdout) -> int:
    from . import ops_info

    rows = []
    for cls in _tian_op_classes():
        name = cls.OPERATION_NAME
        kind = "composite" if name in ops_info.COMPOSITES else "primitive"
        rows.append((name, kind, ops_info.SUMMARIES.get(name, _summary(cls))))
    from . import custom_ops

    custom = [(op.name, op.kind, op.summary) for op in custom_ops.list_ops()]
    width = max(len(r[0]) for r in rows + custom)
    for name, kind, summary in rows:
        print(f"{name:<{width}}  {kind:<9}  {summary}", file=out)
    print(f"{len(rows)} ops", file=out)
    if custom:
        print("\ncustom ops (tc.custom_op):", file=out)
        for name, kind, summary in custom:
            print(f"{name:<{width}}  {kind:<20}  {summary}", file=out)
        print(f"{len(custom)} custom ops", file=out)
    return 0


def _load_model_file(path, model_name, inputs_name):
    """Runs a model file and returns (model, example_inputs) from its globals."""
    import runpy
    import traceback

    from .aot import AotArgumentError

    if path.suffix == ".onnx":
        return _load_onnx_file(path)
    if path.suffix != ".py":
        raise AotArgumentError(f"{path}: expected a Python model file (.py) or an ONNX model (.onnx)")
    try:
        namespace = runpy.run_path(str(path), run_name="__tianc_model__")
    except Exception as error:  # the user's code: show where it failed, briefly
        frame = traceback.extract_tb(error.__traceback__)[-1]
        raise AotArgumentError(f"{path} failed at {frame.filename}:{frame.lineno}: "
                       f"{type(error).__name__}: {error}") from None
    for name in (model_name, inputs_name):
        if name not in namespace:
            raise AotArgumentError(f"{path} defines no `{name}`: a model file defines `{model_name}` "
                           f"(an nn.Module or function) and `{inputs_name}` (a tuple of example "
                           "inputs with the shapes and dtypes to compile for)")
    return namespace[model_name], namespace[inputs_name]


def _load_onnx_file(path):
    """An ONNX model and example inputs of its declared shapes (zeros: only
    their shapes and dtypes matter to the compiler)."""
    import numpy as np

    from . import onnx as tc_onnx
    from .aot import AotArgumentError

    from ._dispatch import TianError

    try:
        model = tc_onnx.load(path)
    except TianError as error:  # the model file is wrong (exit 2), as for a .py file
        raise AotArgumentError(str(error)) from None
    model.eval()
    inputs = []
    for name, dims, dtype in model.input_shapes:
        if dims is None:
            raise AotArgumentError(f"{path}: input {name!r} is a sequence or an optional; "
                                   "ahead-of-time models take tensors")
        if any(d is None for d in dims):
            raise AotArgumentError(f"{path}: input {name!r} has dims with no fixed size "
                                   f"({['?' if d is None else d for d in dims]}); ahead-of-time "
                                   "models have static shapes: export the model with fixed ones")
        inputs.append(np.zeros(dims, dtype))
    return model, tuple(inputs)


def onnx_command(args, out=sys.stdout) -> int:
    from . import onnx as tc_onnx
    from ._dispatch import TianError

    try:
        found = tc_onnx.check(args.model)
    except TianError as error:
        print(f"tianc: error: {error}", file=sys.stderr)
        return 2
    if found:
        print(f"{args.model}: {len(found)} problem{'s' if len(found) != 1 else ''}:", file=out)
        for problem in found:
            print(f"  {problem}", file=out)
        return 1
    print(f"{args.model}: every op, attribute and dtype is supported", file=out)
    return 0


def list_onnx_ops(out=sys.stdout) -> int:
    from . import onnx as tc_onnx

    names = tc_onnx.supported_ops()
    print(f"ONNX ops tianc imports (the standard domain's opsets {tc_onnx.MIN_OPSET}-"
          f"{tc_onnx.max_opset()}; other domains as domain.op):", file=out)
    width = max(len(n) for n in names)
    columns = max(1, 78 // (width + 2))
    for start in range(0, len(names), columns):
        print("  " + "  ".join(f"{n:<{width}}" for n in names[start:start + columns]).rstrip(),
              file=out)
    print(f"{len(names)} ops", file=out)
    return 0


def compile_command(args) -> int:
    from pathlib import Path

    from . import aot
    from ._dispatch import TianError
    from .compiler.pipeline import CompileError

    path = Path(args.model)
    try:
        if not path.is_file():
            raise aot.AotArgumentError(f"{path}: no such file")
        aot.resolve_target(args.target, args.cpu, args.chip)  # fail fast, before tracing
        _load_passes(args)
        model, inputs = _load_model_file(path, args.model_name, args.inputs_name)
        result = aot.compile(model, inputs, target=args.target, output_dir=args.output,
                             name=args.name or path.stem, cpu=args.cpu, chip=args.chip,
                             embed_weights=args.embed_weights, progress=not args.quiet,
                             passes=",".join(args.passes) if args.passes else None)
    except aot.AotArgumentError as error:  # the command line or the model file is wrong
        print(f"tianc: error: {error}", file=sys.stderr)
        return 2
    except (TianError, CompileError) as error:
        print(f"tianc: error: {error}", file=sys.stderr)
        return 1
    manifest = result.manifest
    if not args.quiet:
        print(f"compiled {manifest['name']} for {manifest['target']} "
              f"(cpu {manifest['cpu']}{', ' + manifest['cuda_chip'] if manifest['cuda_chip'] else ''})"
              f" into {result.output_dir}/")
        for key in ("object", "shared_library", "header", "weights"):
            if key in manifest["files"]:
                file = result.path(key)
                print(f"  {manifest['files'][key]:<24} {file.stat().st_size:>10} bytes")
        runtime = manifest["runtime"]
        print(f"  runtime: {runtime['stripped_file_bytes']} bytes stripped, "
              f"{runtime['loaded_bytes']} bytes of code and data")
    return 0


def _run_python_files(files, option):
    """Runs the Python files an option names (they register passes or
    define custom ops)."""
    import runpy

    from .aot import AotArgumentError

    for file in files or []:
        if not os.path.isfile(file):
            raise AotArgumentError(f"{file}: no such file ({option})")
        runpy.run_path(file, run_name="tianc_extension")


def _load_passes(args):
    """Loads the C++ plugins and Python pass files a command names."""
    from . import passes

    for plugin in args.load_pass_plugin or []:
        passes.load_plugin(plugin)
    _run_python_files(args.load_python_passes, "--load-python-passes")


def passes_command(args, out=sys.stdout) -> int:
    from . import passes

    from .aot import AotArgumentError

    try:
        _load_passes(args)
    except AotArgumentError as error:  # the command line is wrong
        print(f"tianc: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a plugin that does not load, a pass file that raises
        print(f"tianc: error: {error}", file=sys.stderr)
        return 1
    infos = passes.list()
    print("Points where added passes run (tc.jit.trace(passes={point: [...]}), --pass "
          "point(name)):", file=out)
    for point, text in passes.POINTS.items():
        print(f"  {point:<16} {text}", file=out)
    for kind in sorted({i.kind for i in infos}, key=lambda k: (k != "tian", k)):
        title = {"tian": "tianc's built-in passes (stages whose pipelines run them)",
                 "python": "Python passes (point they run at)"}.get(kind, f"passes of {kind}")
        print(f"\n{title}:", file=out)
        for info in (i for i in infos if i.kind == kind):
            where = f"[{', '.join(info.points)}]" if info.points else ""
            options = f" {{{' '.join(info.options)}}}" if info.options else ""
            print(f"  {info.name + options:<34} {where:<26} {info.summary}", file=out)
    return 0


def cache_command(args, out=sys.stdout) -> int:
    from .compiler import cache

    root = cache.directory()
    if root is None:
        print("the compile cache is off (TIANC_CACHE_DIR=off)", file=out)
        return 0
    if args.action == "clear":
        print(f"removed {cache.clear(root)} entries from {root}", file=out)
        return 0
    listed = cache.entries(root)
    total = sum(size for _, size, _ in listed)
    print(f"location: {root}", file=out)
    print(f"entries:  {len(listed)}", file=out)
    print(f"size:     {total / 2**20:.1f} MiB of {cache.size_limit() / 2**20:.0f} MiB "
          "(TIANC_CACHE_SIZE; least recently used entries go first)", file=out)
    return 0


def _native_path(*parts):
    from pathlib import Path

    return Path(__file__).resolve().parent.joinpath("_native", *parts)


def paths_command(out=sys.stdout) -> int:
    """Where the installed pieces are, for builds against tianc."""
    print(f"cmake:    {_native_path().parent / 'cmake'}  (-Dtianc_DIR=... for find_package(tianc))",
          file=out)
    print(f"include:  {_native_path('include')}", file=out)
    print(f"tian-opt: {_native_path('bin', 'tian-opt')}", file=out)
    print(f"runtime:  {_native_path('runtime')}  (the C runtime of AOT-compiled models)", file=out)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tianc", description="tianc: a compiler-first DL framework on MLIR")
    sub = parser.add_subparsers(dest="command", required=True)
    ops_parser = sub.add_parser("ops", help="list every tian op with its summary")
    ops_parser.add_argument("--onnx", action="store_true",
                            help="list the ONNX ops tianc imports instead")
    ops_parser.add_argument("--load-python", action="append", metavar="FILE.py",
                            help="run a Python file first: the custom ops it defines "
                            "(tc.custom_op) are listed too")
    onnx_parser = sub.add_parser("onnx", help="check an ONNX model against what tianc imports")
    onnx_parser.add_argument("action", choices=("check",))
    onnx_parser.add_argument("model", help="an .onnx file")
    sub.add_parser("version", help="print versions")
    comp = sub.add_parser("compile", help="compile a model ahead of time for a target")
    comp.add_argument("model", help="an ONNX model (.onnx), or a Python model file defining "
                      "`model` and `example_inputs`")
    comp.add_argument("--target", default="x86_64-linux-gnu",
                      help="x86_64-linux-gnu, aarch64-linux-gnu or nvptx64-nvidia-cuda")
    comp.add_argument("-o", "--output", default="tianc-out", help="output directory")
    comp.add_argument("--cpu", help="CPU to tune for (x86-64: native by default; AArch64: "
                      "generic by default, or cortex-a76, neoverse-n1, ...)")
    comp.add_argument("--chip", help="NVIDIA GPU architecture: sm_80 (default), sm_90, ...")
    comp.add_argument("--name", help="the model's C name (default: the file's stem)")
    comp.add_argument("--embed-weights", action="store_true",
                      help="embed the weights in the object instead of a .tcw file")
    comp.add_argument("--model-name", default="model", help="the model's name in the file")
    comp.add_argument("--inputs-name", default="example_inputs",
                      help="the example inputs' name in the file")
    comp.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    comp.add_argument("--pass", dest="passes", action="append", metavar="PIPELINE",
                      help="add passes at a point of the pipeline, e.g. 'linalg(cse)' or a "
                      "Python or plugin pass's name (repeatable; tianc passes lists them)")
    passes_parser = sub.add_parser("passes", help="list the passes a pipeline can name")
    for command in (comp, passes_parser):
        command.add_argument("--load-pass-plugin", action="append", metavar="LIB",
                             help="load a C++ pass plugin (built by tianc_add_plugin)")
        command.add_argument("--load-python-passes", action="append", metavar="FILE.py",
                             help="run a Python file that registers passes")
    sub.add_parser("paths", help="where tianc's CMake package, headers and tian-opt are")
    cache_parser = sub.add_parser("cache", help="show or empty the compile cache")
    cache_parser.add_argument("action", choices=("info", "clear"))
    return parser


def main(argv=None) -> int:
    args = make_parser().parse_args(argv)
    import tianc

    if args.command == "ops":
        if args.onnx:
            return list_onnx_ops()
        from .aot import AotArgumentError

        try:
            _run_python_files(args.load_python, "--load-python")  # files of custom ops
        except AotArgumentError as error:
            print(f"tianc: error: {error}", file=sys.stderr)
            return 2
        return list_ops()
    if args.command == "onnx":
        return onnx_command(args)
    if args.command == "compile":
        return compile_command(args)
    if args.command == "cache":
        return cache_command(args)
    if args.command == "passes":
        return passes_command(args)
    if args.command == "paths":
        return paths_command()
    if args.command == "version":
        from importlib.metadata import version

        print(f"tianc {tianc.__version__} (MLIR {version('xtc-mlir-python-bindings')})")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
