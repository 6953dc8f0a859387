"""Large modules compiled into a shared library on every core
(tianc.compiler.native): the same results as the ExecutionEngine's code,
constants linked in from files, the cache, and code freed when dropped."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tianc as tc
from tianc import functional as F
from tianc.compiler import native

ROOT = Path(__file__).resolve().parents[2]
rng = np.random.default_rng(21)


def _model():
    tc.manual_seed(5)
    return tc.nn.Sequential(tc.nn.Conv2d(3, 8, 3, padding=1), tc.nn.ReLU(), tc.nn.Flatten(),
                            tc.nn.Linear(8 * 12 * 12, 64), tc.nn.ReLU(), tc.nn.Linear(64, 7))


@pytest.mark.parametrize("const", [False, True])
def test_library_build_matches_the_engine(monkeypatch, const):
    """A conv + MLP, threaded, with its weights as arguments and as
    constants (externalized: the 18 KB weight never passes through LLVM):
    bit for bit what the ExecutionEngine's code computes."""
    model = _model()
    x = tc.tensor(rng.standard_normal((4, 3, 12, 12)).astype(np.float32))
    monkeypatch.setenv("TIANC_CACHE_DIR", "off")
    monkeypatch.setenv("TIANC_PARALLEL_LLVM", "0")
    engine = tc.jit.trace(model, capture_as_const=const)
    want = engine(x).numpy()
    assert engine._last_variant().kernel._engine is not None
    monkeypatch.setenv("TIANC_PARALLEL_LLVM", "always")
    built = tc.jit.trace(model, capture_as_const=const)
    got = built(x).numpy()
    kernel = built._last_variant().kernel
    assert kernel._engine is None and kernel.threaded
    assert "llvm.call @tianc_parallel_for" in built.ir("llvm-dialect")
    np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(got, model(x).numpy(), rtol=1e-5, atol=1e-5)


def test_a_name_llvm_quotes(monkeypatch):
    """A traced function's name LLVM has to quote (found by a benchmark
    script): built, not fallen back."""
    monkeypatch.setenv("TIANC_CACHE_DIR", "off")
    monkeypatch.setenv("TIANC_PARALLEL_LLVM", "always")
    model = _model()
    x = tc.tensor(rng.standard_normal((2, 3, 12, 12)).astype(np.float32))
    traced = tc.jit.trace(model, name="step=1.v2")
    np.testing.assert_allclose(traced(x).numpy(), model(x).numpy(), rtol=1e-5, atol=1e-5)
    assert traced._last_variant().kernel._engine is None


def test_a_cache_folder_with_spaces(monkeypatch, tmp_path):
    """The library is built in the cache's folder: a path with spaces
    reaches the constants pass and the assembler intact."""
    folder = tmp_path / "my cache" / "tianc"
    monkeypatch.setenv("TIANC_CACHE_DIR", str(folder))
    monkeypatch.setenv("TIANC_PARALLEL_LLVM", "always")
    model = _model()
    x = tc.tensor(rng.standard_normal((2, 3, 12, 12)).astype(np.float32))
    traced = tc.jit.trace(model, capture_as_const=True)
    got = traced(x).numpy()
    assert traced._last_variant().kernel._engine is None
    np.testing.assert_allclose(got, model(x).numpy(), rtol=1e-5, atol=1e-5)
    tc.compiler.cache.flush()
    assert list(folder.glob("*.so")) and not list(folder.glob(".tmp-*"))


def test_host_triple_lays_out_for_the_host():
    assert native.host_triple().split("-")[0] in ("x86_64", "aarch64")


def test_packed_entry_reads_each_argument():
    wrapper = native._packed_entry("define void @f(ptr noalias %0, i64 %1, float %2) {\n", "f")
    assert 'define void @"_mlir_f"(ptr %arguments)' in wrapper
    assert 'call void @"f"(ptr %value0, i64 %value1, float %value2)' in wrapper
    quoted = native._packed_entry('define void @"step=1"(ptr %0) {\n', "step=1")
    assert 'call void @"step=1"(ptr %value0)' in quoted
    with pytest.raises(tc.compiler.CompileError, match="no function @g"):
        native._packed_entry("define void @f() {\n", "g")


def test_a_failing_build_falls_back_to_the_engine(monkeypatch, caplog, tmp_path):
    """A linker that fails: one warning saying so, the ExecutionEngine
    compiles, the results are right, and no build folder is left behind."""
    from tianc.compiler import jit as compiler_jit

    monkeypatch.setenv("TIANC_CACHE_DIR", "off")
    monkeypatch.setenv("TIANC_PARALLEL_LLVM", "always")
    monkeypatch.setenv("CC", "/bin/false")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(compiler_jit, "_warned_native", [])
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    model = _model()
    x = tc.tensor(rng.standard_normal((2, 3, 12, 12)).astype(np.float32))
    with caplog.at_level("WARNING", logger="tianc"):
        traced = tc.jit.trace(model, capture_as_const=True)
        got = traced(x).numpy()
    assert traced._last_variant().kernel._engine is not None
    assert "failed, compiling it on one" in caplog.text
    np.testing.assert_allclose(got, model(x).numpy(), rtol=1e-5, atol=1e-5)
    assert not list(tmp_path.glob(".tmp-llvm-*"))


def test_without_a_c_compiler_the_engine_compiles(monkeypatch):
    monkeypatch.setenv("TIANC_PARALLEL_LLVM", "always")
    monkeypatch.setenv("CC", "/nonexistent/cc")
    assert not native.worth_it("x" * (native.MIN_TEXT_BYTES + 1))
    monkeypatch.setenv("CC", "cc")
    assert native.worth_it("x")


_SCRIPT = r"""
import gc, json, sys
import numpy as np
import tianc as tc
from tianc.compiler import cache

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

x = tc.ones(64, 1024)
sizes, hits, out = [], [], None
for i in range(int(sys.argv[1])):
    weight = tc.tensor(np.random.default_rng(i % 3).standard_normal((1024, 1024)).astype(np.float32))
    step = tc.jit.trace(lambda x: (x @ weight).relu().sum(0), capture_as_const=True)
    out = step(x).numpy()
    hits.append(step._last_variant().kernel.from_cache)
    del step, weight
    gc.collect()
    sizes.append(rss_mb())
cache.flush()
print(json.dumps({"sizes": sizes, "hits": hits, "out": float(out.sum()), "stats": cache.stats()}))
"""


def _run(cache_dir, count):
    import json

    env = dict(os.environ, TIANC_CACHE_DIR=str(cache_dir), TIANC_PARALLEL_LLVM="always",
               PYTHONPATH=str(ROOT / "python"))
    result = subprocess.run([sys.executable, "-c", _SCRIPT, str(count)], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_libraries_are_cached_and_unloaded(tmp_path):
    """A library (with its 4 MB constant) stored in the cache, loaded by a
    second process; a process that compiles and drops twelve of them stays
    the same size (each one is unloaded)."""
    first = _run(tmp_path, 3)
    assert first["hits"] == [False, False, False] and first["stats"]["stored"] == 3
    second = _run(tmp_path, 3)
    assert second["hits"] == [True, True, True] and second["out"] == first["out"]
    fresh = _run("off", 12)
    assert fresh["sizes"][-1] - fresh["sizes"][2] < 20, fresh["sizes"]
