"""Compiler passes as plugins (tianc.passes): Python passes at each point of
the pipeline, MLIR passes named in pipelines, options, the compile cache,
the errors a pass author meets, AOT and the command line."""

import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mlir import ir

import tianc as tc
from tianc import cli
from tianc import functional as F
from tianc.compiler.pipeline import CompileError

ROOT = Path(__file__).resolve().parents[2]
rng = np.random.default_rng(3)


def _example(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / "plugins" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


python_pass = _example("python_pass")


def _ops(text):
    return [line.split("=", 1)[1].split()[0] for line in text.splitlines()
            if " = tian." in line]


def test_python_pass_rewrites_at_its_point_and_keeps_the_numbers():
    def energy(x):
        return F.pow(x, 2.0) * 0.5 + F.pow(x, 3.0) - F.pow(x, 5.0)

    x = rng.standard_normal(33).astype(np.float32)
    plain = tc.jit.trace(energy)
    rewritten = tc.jit.trace(energy, passes="power-by-multiplication")
    want = x.astype(np.float64) ** 2 * 0.5 + x.astype(np.float64) ** 3 - x.astype(np.float64) ** 5
    np.testing.assert_allclose(rewritten(tc.tensor(x)).numpy(), want, rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(plain(tc.tensor(x)).numpy(), want, rtol=2e-6, atol=1e-6)
    # x ** 5 is past the default largest=3: it stays a pow.
    assert _ops(rewritten.ir("tian-optimized")).count("tian.pow") == 1
    assert _ops(plain.ir("tian-optimized")).count("tian.pow") == 3
    # At the `tian` point: the captured text is as traced, the pass's work
    # shows from the next stage on.
    assert _ops(rewritten.ir("tian")).count("tian.pow") == 3
    with_option = tc.jit.trace(energy, passes="power-by-multiplication{largest=5}")
    with_option(tc.tensor(x))
    assert "tian.pow" not in with_option.ir("tian-optimized")


def test_pass_points_and_mlir_passes_in_one_pipeline():
    """A dict of points, a class-based pass with an option, an upstream
    pass nested as in MLIR pipelines: each runs where it was put."""
    seen = []

    @tc.passes.register("test-count-ops", after="linalg")
    class CountOps:
        """Record how many ops of a dialect the module holds."""

        def __init__(self, dialect="linalg"):
            self.dialect = dialect

        def run(self, module):
            count = []
            module.walk(lambda op: count.append(op.name.startswith(self.dialect + "."))
                        or ir.WalkResult.ADVANCE)
            seen.append((self.dialect, sum(count)))

    fn = tc.jit.trace(lambda x: F.relu(x @ x.T) + 1.0, passes={
        "tian": ["test-count-ops{dialect=tian}"],
        "linalg": "func.func(canonicalize),test-count-ops",
        "bufferized": ["test-count-ops{dialect=memref}", "cse"],
    })
    x = rng.standard_normal((5, 7)).astype(np.float32)
    np.testing.assert_allclose(fn(tc.tensor(x)).numpy(), np.maximum(x @ x.T, 0) + 1, rtol=1e-5)
    dialects = [d for d, _ in seen]
    assert dialects == ["tian", "linalg", "memref"]
    assert all(n > 0 for _, n in seen)
    info = {i.name: i for i in tc.passes.list()}["test-count-ops"]
    assert info.kind == "python" and info.points == ("linalg",)
    assert info.summary == "Record how many ops of a dialect the module holds."


def test_a_changed_pass_is_not_served_from_the_cache(tmp_path, monkeypatch):
    """The compile cache keys on each Python pass's code and options: a pass
    redefined under the same name compiles anew."""
    monkeypatch.setenv("TIANC_CACHE_DIR", str(tmp_path))
    x = tc.tensor(np.arange(6, dtype=np.float32))

    @tc.passes.register("test-sign")
    def flip(module):
        """Make every tian.add a tian.sub (to see which version ran)."""
        for op in _walk_ops(module, "tian.add"):
            with ir.InsertionPoint(op), op.location:
                sub = ir.Operation.create("tian.sub", results=[op.result.type],
                                          operands=list(op.operands))
            op.result.replace_all_uses_with(sub.result)
            op.erase()

    from tianc.compiler import cache

    def plus_one(x):
        return x + 1.0

    first = tc.jit.trace(plus_one, passes="test-sign")
    np.testing.assert_array_equal(first(tc.tensor(x)).numpy(), np.arange(6) - 1.0)
    cache.flush()  # stored for sure before the next compile looks
    again = tc.jit.trace(plus_one, passes="test-sign")
    np.testing.assert_array_equal(again(tc.tensor(x)).numpy(), np.arange(6) - 1.0)
    assert again._last.kernel.from_cache  # the same pass: served from the cache

    @tc.passes.register("test-sign")
    def keep(module):  # same name, other code
        """Leave the module alone."""

    second = tc.jit.trace(plus_one, passes="test-sign")
    np.testing.assert_array_equal(second(tc.tensor(x)).numpy(), np.arange(6) + 1.0)
    assert not second._last.kernel.from_cache


def test_a_pass_is_new_code_when_a_helper_it_calls_changes():
    """The fingerprint follows the functions of the user's module that a
    pass calls, and the constants it reads, not only its own lines."""
    from tianc import _fingerprint

    namespace = {}
    exec("LIMIT = 3\ndef helper(x):\n    return x + LIMIT\n"
         "def run(module):\n    return helper(1)\n", namespace)
    before = _fingerprint.digest(namespace["run"])
    exec("def helper(x):\n    return x - LIMIT\n", namespace)
    assert _fingerprint.digest(namespace["run"]) != before
    changed = _fingerprint.digest(namespace["run"])
    namespace["LIMIT"] = 4
    assert _fingerprint.digest(namespace["run"]) != changed


def test_pipeline_spellings():
    """A bare decorator, a module parameter with a default, MLIR-style
    option names, a space before the options, a None default, list items
    that are pipelines themselves."""
    seen = []

    @tc.passes.register
    def test_spelling(module=None, *, max_depth=2, label=None):
        seen.append((max_depth, label))

    from tianc import passes

    assert passes._registry["test-spelling"].options == {"max_depth": 2, "label": None}
    placed = passes.parse(["test-spelling {max-depth=5 label=x},cse", "test-spelling{label=none}"])
    uses = placed["tian-optimized"]
    assert [u.text for u in uses] == ["test-spelling {max-depth=5 label=x}", "cse",
                                      "test-spelling{label=none}"]
    fn = tc.jit.trace(lambda x: x * 3.0, passes=["test-spelling {max-depth=5 label=x},cse",
                                                 "test-spelling{label=none}"])
    fn(tc.ones(2))
    assert seen == [(5, "x"), (2, None)]
    with pytest.raises(tc.TianError, match="unbalanced brackets"):
        passes.parse("cse),(canonicalize")


def test_an_interrupt_inside_a_pass_is_an_interrupt():
    @tc.passes.register("test-interrupted")
    def interrupted(module):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tc.jit.trace(lambda x: x - 1.0, passes="test-interrupted")(tc.ones(2))


def _walk_ops(module, name):
    found = []
    module.walk(lambda op: (found.append(op.opview) if op.name == name else None)
                or ir.WalkResult.ADVANCE)
    return found


def test_a_pass_that_raises_names_itself_and_the_stage():
    @tc.passes.register("test-broken", after="linalg")
    def broken(module):
        raise KeyError("no such thing")

    fn = tc.jit.trace(lambda x: x * 2.0, passes="test-broken")
    with pytest.raises(CompileError, match=r"stage 'linalg': the Python pass 'test-broken' "
                                           r"\(.*test_passes.py:\d+\) raised KeyError"):
        fn(tc.tensor(np.ones(3, np.float32)))
    # The process goes on: the same function without the pass still compiles.
    np.testing.assert_array_equal(tc.jit.trace(lambda x: x * 2.0)(tc.tensor(np.ones(3))).numpy(),
                                  [2, 2, 2])


def test_a_pass_that_breaks_the_ir_fails_verification_not_the_process():
    @tc.passes.register("test-invalid", after="tian-optimized")
    def invalid(module):
        """Give a tian.mul a result type its operands do not have."""
        for op in _walk_ops(module, "tian.mul"):
            with ir.InsertionPoint(op), op.location:
                bad = ir.Operation.create(
                    "tian.mul", results=[ir.RankedTensorType.get([99], ir.F32Type.get())],
                    operands=list(op.operands))
            op.result.replace_all_uses_with(bad.result)
            op.erase()

    fn = tc.jit.trace(lambda x: x * 2.0, passes="test-invalid")
    with pytest.raises(CompileError, match=r"after plugin passes: test-invalid"):
        fn(tc.tensor(np.ones(3, np.float32)))


@pytest.mark.parametrize("spec, message", [
    ("power-by-multiplicaton", r"unknown pass .*\(did you mean power-by-multiplication"),
    ("power-by-multiplication{smallest=2}", r"has no option 'smallest' \(its options: largest\)"),
    ("power-by-multiplication{largest=two}", r"option largest=two is not a int"),
    ({"optimized": ["cse"]}, r"unknown pass point 'optimized'; points are tian, "),
    ("linalg(tian(cse))", r"pass point 'tian' inside point 'linalg'"),
    ("linalg(cse", r"unbalanced brackets"),
    ([print], r"'print' is not a registered pass"),
])
def test_bad_pipelines_fail_when_traced_with_a_clear_message(spec, message):
    with pytest.raises(tc.TianError, match=message):
        tc.jit.trace(lambda x: x, passes=spec)


def test_registration_checks_names_and_points():
    with pytest.raises(tc.TianError, match="an MLIR pass has that name already"):
        tc.passes.register("canonicalize")(lambda module: None)
    with pytest.raises(tc.TianError, match="unknown point 'llvm'"):
        tc.passes.register("test-late", after="llvm")(lambda module: None)
    with pytest.raises(tc.TianError, match="lower case letters"):
        tc.passes.register("Bad Name")(lambda module: None)


def test_a_target_without_the_stage_refuses_passes_placed_there():
    from tianc import passes

    gpu_stages = (("tian-optimized", "tian-optimize"), ("linalg", "tian-lower-to-linalg"),
                  ("gpu", "tian-nvidia-kernels"))
    with pytest.raises(tc.TianError, match="no stage 'bufferized' for passes cse"):
        passes.with_passes(gpu_stages, passes.parse({"bufferized": "cse"}))
    placed = passes.with_passes(gpu_stages, passes.parse("tian(cse),linalg(canonicalize)"))
    assert [p if isinstance(p, str) else p.text for p in placed[0][1]] == ["cse", "tian-optimize"]
    assert [p if isinstance(p, str) else p.text for p in placed[1][1]] == [
        "tian-lower-to-linalg", "canonicalize"]


def test_builtin_passes_are_listed_with_their_stages():
    infos = {i.name: i for i in tc.passes.list()}
    assert infos["tian-fuse-rows"].kind == "tian"
    assert infos["tian-fuse-rows"].points == ("tian-optimized",)
    assert infos["tian-block-matmuls"].points == ("bufferized",)
    assert "tian-prepare-parallel-loops" in infos
    assert infos["tian-plan-memory"].summary.startswith("Place every temporary buffer")


def test_aot_compile_runs_the_passes(tmp_path):
    x = tc.tensor(rng.standard_normal((4, 6)).astype(np.float32))
    result = tc.aot.compile(lambda x: F.pow(x, 2.0) + 1.0, [x], output_dir=tmp_path,
                            name="square", passes="power-by-multiplication", progress=False)
    optimized = next((tmp_path / "ir").glob("*tian-optimized.mlir")).read_text()
    assert "tian.pow" not in optimized and "tian.mul" in optimized
    assert result.path("object").exists()


def test_command_line_lists_and_applies_python_passes(tmp_path):
    model = tmp_path / "model.py"
    model.write_text("import numpy as np\nimport tianc as tc\nfrom tianc import functional as F\n"
                     "def model(x):\n    return F.pow(x, 3.0)\n"
                     "example_inputs = [tc.tensor(np.ones((2, 3), np.float32))]\n")
    example = str(ROOT / "examples" / "plugins" / "python_pass.py")
    out = io.StringIO()
    assert cli.passes_command(cli.make_parser().parse_args(
        ["passes", "--load-python-passes", example]), out) == 0
    text = out.getvalue()
    assert "power-by-multiplication {largest=3}" in text and "[tian]" in text
    assert "tian-block-matmuls" in text
    tianc = [sys.executable, "-m", "tianc.cli"]
    compiled = subprocess.run(
        tianc + ["compile", str(model), "-o", str(tmp_path / "out"), "-q",
                 "--load-python-passes", example, "--pass", "power-by-multiplication"],
        capture_output=True, text=True, timeout=300)
    assert compiled.returncode == 0, compiled.stderr
    optimized = next((tmp_path / "out" / "ir").glob("*tian-optimized.mlir")).read_text()
    assert "tian.pow" not in optimized
    missing = subprocess.run(tianc + ["compile", str(model), "-o", str(tmp_path / "o2"),
                                      "--pass", "no-such-pass"],
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode == 1 and "unknown pass or bad pipeline 'no-such-pass'" in missing.stderr



PLUGIN = ROOT / "build" / "plugins" / "libTianPoolBeforeRelu.so"
needs_plugin = pytest.mark.skipif(not PLUGIN.exists(), reason="./setup.sh builds the example plugin")


@needs_plugin
def test_cpp_plugin_pass_runs_in_traced_code_with_tians_op_classes():
    """The example plugin (examples/plugins/cpp), loaded by its tools path:
    the Python-process library next to it is taken, its pass rewrites tian
    ops through tian's C++ classes, and the numbers stay."""
    import torch

    added = tc.passes.load_plugin(PLUGIN)
    assert added == ["tian-example-pool-before-relu"]
    assert tc.passes.load_plugin(PLUGIN) == added  # a second load is a no-op

    def block(x):
        return F.max_pool2d(F.relu(x * 2.0), 2, 2)

    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
    rewritten = tc.jit.trace(block, passes="tian-example-pool-before-relu")
    got = rewritten(tc.tensor(x)).numpy()
    want = torch.nn.functional.max_pool2d(torch.relu(torch.from_numpy(x) * 2.0), 2, 2).numpy()
    np.testing.assert_array_equal(got, want)
    ops = _ops(rewritten.ir("tian-optimized"))
    assert ops.index("tian.max_pool2d") < ops.index("tian.relu")
    listed = [i for i in tc.passes.list() if i.name == "tian-example-pool-before-relu"]
    assert len(listed) == 1  # as the plugin's, not also as a built-in tian pass
    assert listed[0].kind == "plugin TianPoolBeforeRelu"
    assert listed[0].summary.startswith("Example plugin")
    # The compile cache keys on the plugin's code: a rebuilt plugin compiles anew.
    from tianc import passes

    assert "TianPoolBeforeRelu@" in passes.pipeline_text(["cse"] + [*passes.parse("cse").values()][0])
    # Its dialect is known to every Context made after the load.
    assert ir.Context().dialects["tian_example"] is not None


@needs_plugin
def test_wrong_libraries_are_refused_with_the_reason(tmp_path):
    tools_only = tmp_path / "libTools.so"  # no Python-process library beside it
    tools_only.write_bytes(PLUGIN.read_bytes())
    with pytest.raises(tc.TianError, match="linked against libMLIR.so"):
        tc.passes.load_plugin(tools_only)
    tc.passes.load_plugin(PLUGIN)
    copy = tmp_path / "libCopy.python.so"  # the same plugin from another file
    copy.write_bytes(PLUGIN.with_name("libTianPoolBeforeRelu.python.so").read_bytes())
    with pytest.raises(tc.TianError, match="is the plugin TianExampleDialect, which is loaded "
                                           "already"):
        tc.passes.load_plugin(copy)
    # Built against another tianc or MLIR: a symbol this process lacks.
    unresolved = tmp_path / "libUnresolved.python.so"
    source = tmp_path / "unresolved.c"
    source.write_text("void tian_symbol_of_another_build(void);\n"
                      "void mlirGetPassPluginInfo(void) { tian_symbol_of_another_build(); }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(unresolved), str(source)], check=True)
    with pytest.raises(tc.TianError, match=r"cannot load the plugin .*libUnresolved.python.so: "
                                           r".*undefined symbol: tian_symbol_of_another_build"):
        tc.passes.load_plugin(unresolved)
    runtime = ROOT / "python" / "tianc" / "_native" / "libtianc_parallel.so"
    with pytest.raises(tc.TianError, match="is not an MLIR plugin"):
        tc.passes.load_plugin(runtime)
    with pytest.raises(tc.TianError, match="no plugin at"):
        tc.passes.load_plugin(tmp_path / "missing.so")


@needs_plugin
def test_command_line_loads_cpp_plugins(tmp_path):
    model = tmp_path / "model.py"
    model.write_text("import numpy as np\nimport tianc as tc\nfrom tianc import functional as F\n"
                     "def model(x):\n    return F.max_pool2d(F.relu(x), 2, 2)\n"
                     "example_inputs = [tc.tensor(np.ones((1, 2, 4, 4), np.float32))]\n")
    tianc = [sys.executable, "-m", "tianc.cli"]
    listed = subprocess.run(tianc + ["passes", "--load-pass-plugin", str(PLUGIN)],
                            capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr
    assert "passes of plugin TianPoolBeforeRelu:" in listed.stdout
    compiled = subprocess.run(
        tianc + ["compile", str(model), "-o", str(tmp_path / "out"), "-q",
                 "--load-pass-plugin", str(PLUGIN), "--pass", "tian-example-pool-before-relu"],
        capture_output=True, text=True, timeout=300)
    assert compiled.returncode == 0, compiled.stderr
    optimized = next((tmp_path / "out" / "ir").glob("*tian-optimized.mlir")).read_text()
    assert optimized.index("tian.max_pool2d") < optimized.index("tian.relu")
