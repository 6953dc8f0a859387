"""tianc as a package: the wheel `pip wheel .` builds holds the extension,
tian-opt, the C runtime, the headers and CMake package a plugin builds
against, and the commands. `pip install <checkout>` into a fresh venv
gives working `tianc` and `tian-opt` commands and a package that compiles
and runs code without the source tree, and the example plugin built out of
tree with find_package(tianc) loads into its tian-opt and its Python."""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_SITE = Path(sysconfig.get_paths()["purelib"])  # the test venv: the LLVM/MLIR wheels


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation",
                            "--no-deps", str(ROOT), "-w", str(out)],
                           capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("tianc-*.whl")
    return path


def test_wheel_holds_every_piece(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for piece in ("tianc/__init__.py", "tianc/passes.py", "tianc/dialects/_tian_ops_gen.py",
                  "tianc/_native/bin/tian-opt", "tianc/_native/libtianc_parallel.so",
                  "tianc/_native/runtime/tianc_runtime.c", "tianc/_native/runtime/tianc_runtime.h",
                  "tianc/_native/include/dialects/tian/TianOps.h",
                  "tianc/_native/include/dialects/tian/TianOps.h.inc",
                  "tianc/_native/include/passes/Passes.h.inc",
                  "tianc/cmake/tiancConfig.cmake", "tianc/cmake/TiancPlugin.cmake"):
        assert piece in names, piece
    assert any(n.startswith("tianc/_native/_tian.") and n.endswith(".so") for n in names)
    assert not any("__pycache__" in n for n in names)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    metadata = zipfile.ZipFile(wheel).read(meta).decode()
    assert "Requires-Dist: xtc-mlir-python-bindings==22.1.8.4" in metadata
    assert "Provides-Extra: plugins" in metadata
    entry_points = zipfile.ZipFile(wheel).read(meta.replace("METADATA", "entry_points.txt")).decode()
    assert "tianc = tianc.cli:main" in entry_points
    assert "tian-opt = tianc_commands:tian_opt" in entry_points
    assert "tianc_commands/__init__.py" in names


def _run_script(python, script, env):
    """Runs a script (ending in print('ok')) with the installed package's Python."""
    run = subprocess.run([str(python), "-c", script], capture_output=True, text=True, env=env,
                         timeout=600)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout + run.stderr


def _runpath(binary):
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) is not installed")
    dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True).stdout
    return next(line for line in dynamic.splitlines() if "RUNPATH" in line or "RPATH" in line)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """`pip install <checkout>` into a fresh venv. The LLVM/MLIR wheels are
    linked in beside it (as pip would have installed them) and the other
    dependencies come from the test's venv after them, so that pip builds
    from the checkout (--no-build-isolation: the one `build/` folder, up to
    date) instead of downloading 2 GB of build dependencies."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True, timeout=300)
    python = root / "venv" / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['purelib'])"], capture_output=True, text=True).stdout.strip())
    for package in ("mlir", "llvm"):
        (site / package).symlink_to(VENV_SITE / package)
    (site / "deps.pth").write_text(str(VENV_SITE) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["TIANC_CACHE_DIR"] = str(root / "cache")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # cmake, ninja
    configured = (ROOT / "build" / "CMakeCache.txt").read_text()
    built = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-build-isolation",
                            "--no-deps", str(ROOT)], capture_output=True, text=True, env=env,
                           timeout=900)
    assert built.returncode == 0, built.stdout + built.stderr
    # The checkout's build folder still builds against the wheels it had (the
    # new venv's are the same files): nothing was rebuilt or re-pointed.
    mlir_dir = [line for line in configured.splitlines() if line.startswith("MLIR_DIR:")]
    assert mlir_dir and mlir_dir[0] in (ROOT / "build" / "CMakeCache.txt").read_text()
    return python, site, env


def test_commands_of_the_installed_package(installed):
    python, site, env = installed
    bin_dir = python.parent
    for command in (["tianc", "--help"], ["tian-opt", "--help"]):
        run = subprocess.run([str(bin_dir / command[0]), *command[1:]], capture_output=True,
                             text=True, env=env, timeout=300)
        assert run.returncode == 0, run.stderr
    assert "--tian-block-matmuls" in run.stdout
    imported = subprocess.run([str(python), "-c", "import tianc; print(tianc.__file__)"],
                              capture_output=True, text=True, env=env, timeout=300)
    assert imported.stdout.strip() == str(site / "tianc" / "__init__.py"), imported.stderr


def test_installed_wheel_runs_without_the_source_tree(installed, tmp_path):
    python, site, env = installed
    script = (
        "import numpy as np, tianc as tc\n"
        "from tianc import functional as F\n"
        f"assert tc.__file__.startswith({str(site)!r}), tc.__file__\n"
        "f = tc.jit.trace(lambda x: F.softmax(x @ x.T, -1))\n"
        "x = np.random.default_rng(0).standard_normal((8, 5)).astype(np.float32)\n"
        "e = np.exp(x @ x.T - (x @ x.T).max(-1, keepdims=True))\n"
        "np.testing.assert_allclose(f(tc.tensor(x)).numpy(), e / e.sum(-1, keepdims=True),"
        " rtol=1e-5)\n"
        f"r = tc.aot.compile(lambda x: x * 2.0, [tc.ones(3)], output_dir={str(tmp_path / 'aot')!r},"
        " progress=False)\n"
        "assert r.path('object').exists()\n"
        "print('ok')\n")
    _run_script(python, script, env)
    assert "$ORIGIN/../../mlir/_mlir_libs" in _runpath(site / "tianc" / "_native" /
                                                       next(p.name for p in (site / "tianc" /
                                                            "_native").glob("_tian.*.so")))
    assert "$ORIGIN/../../../mlir/lib" in _runpath(site / "tianc" / "_native" / "bin" / "tian-opt")
    listed = subprocess.run([str(python), "-m", "tianc.cli", "paths"], capture_output=True,
                            text=True, env=env, timeout=300)
    assert f"cmake:    {site / 'tianc' / 'cmake'}" in listed.stdout, listed.stdout + listed.stderr


def test_plugin_built_out_of_tree_against_the_installed_wheel(installed, tmp_path):
    python, site, env = installed
    cmake = shutil.which("cmake", path=env["PATH"])  # the venv's (requirements/build.txt)
    build = tmp_path / "plugin"
    configured = subprocess.run(
        [cmake, "-G", "Ninja", "-S", str(ROOT / "examples" / "plugins" / "cpp"), "-B", str(build),
         f"-Dtianc_DIR={site / 'tianc' / 'cmake'}", f"-DPython3_EXECUTABLE={python}"],
        capture_output=True, text=True, env=env, timeout=300)
    assert configured.returncode == 0, configured.stdout + configured.stderr
    compiled = subprocess.run([cmake, "--build", str(build)], capture_output=True, text=True,
                              env=env, timeout=600)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    plugin = build / "plugins" / "libTianPoolBeforeRelu.so"
    source = ROOT / "test" / "examples" / "plugins" / "pool-before-relu.mlir"
    rewritten = subprocess.run([str(site / "tianc" / "_native" / "bin" / "tian-opt"), str(source),
                                f"--load-pass-plugin={plugin}", "--tian-example-pool-before-relu"],
                               capture_output=True, text=True, env=env, timeout=120)
    assert rewritten.returncode == 0, rewritten.stderr
    first = rewritten.stdout.split("func.func @relu_then_pool")[1].split("return")[0]
    assert first.index("tian.max_pool2d") < first.index("tian.relu")
    script = (
        "import numpy as np, tianc as tc\n"
        "from tianc import functional as F\n"
        f"assert tc.passes.load_plugin({str(plugin)!r}) == ['tian-example-pool-before-relu']\n"
        "f = tc.jit.trace(lambda x: F.max_pool2d(F.relu(x), 2, 2),"
        " passes='tian-example-pool-before-relu')\n"
        "x = np.random.default_rng(0).standard_normal((1, 2, 4, 4)).astype(np.float32)\n"
        "want = np.maximum(x, 0).reshape(1, 2, 2, 2, 2, 2).max(axis=(3, 5))\n"
        "np.testing.assert_array_equal(f(tc.tensor(x)).numpy(), want)\n"
        "text = f.ir('tian-optimized')\n"
        "assert text.index('tian.max_pool2d') < text.index('tian.relu'), text\n"
        "print('ok')\n")
    _run_script(python, script, env)
