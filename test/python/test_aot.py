"""Ahead-of-time compilation: models compiled by tc.aot, linked into a C
program (test/python/aot/run_model.c) with no Python, run natively (x86-64),
under qemu (AArch64) or on a GPU (NVIDIA), and compared with eager tianc."""

import ctypes
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tianc as tc
from tianc import functional as F
from tianc import nn
from tianc.aot import AotError, write_weights

HARNESS = Path(__file__).parent / "aot" / "run_model.c"
AARCH64_SYSROOT = "/usr/aarch64-linux-gnu"

needs_aarch64 = pytest.mark.skipif(
    not (shutil.which("aarch64-linux-gnu-gcc") and shutil.which("qemu-aarch64")),
    reason="the AArch64 cross toolchain and qemu-user are not installed (./setup.sh installs them)")
needs_ptxas = pytest.mark.skipif(not shutil.which("ptxas"), reason="ptxas (CUDA toolkit) not installed")


def _has_gpu():
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    count = ctypes.c_int(0)
    return cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 and count.value > 0


class SmallCNN(nn.Module):
    """The digits CNN's shape of network: conv, ReLU, max-pool, linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=1, padding=1)
        self.fc = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.softmax(self.fc(x.flatten(1)), -1)


def _mlp():
    tc.manual_seed(1)
    return nn.Sequential(nn.Linear(64, 48), nn.GELU(), nn.Linear(48, 10)), (tc.randn(4, 64),)


def _cnn():
    tc.manual_seed(2)
    return SmallCNN(), (tc.rand(2, 1, 8, 8),)


MODELS = {"mlp": _mlp, "cnn": _cnn}


def _build_and_run(result, tmp_path, cc, run_prefix=(), link="object", weights=None):
    """Links the harness against the compiled model, runs it on the example
    inputs (written to files) and returns the outputs as numpy arrays."""
    manifest = result.manifest
    out = result.output_dir
    exe = tmp_path / f"run_{manifest['name']}"
    model_files = ([str(result.path("object"))] if link == "object"
                   else [f"-L{out}", f"-l{manifest['name']}", f"-Wl,-rpath,{out}"])
    subprocess.run([cc, "-std=c11", "-O2", f"-I{out}", f"-DMODEL_DESC={manifest['name']}_model_desc",
                    str(HARNESS), *model_files, "-lm", "-ldl", "-lpthread", "-o", str(exe)],
                   check=True, capture_output=True, text=True)
    inputs = []
    for index, spec in enumerate(manifest["inputs"]):
        path = tmp_path / f"in{index}.bin"
        np.asarray(result.example_arrays[index], dtype=spec["dtype"]).tofile(path)
        inputs.append(str(path))
    outputs = [str(tmp_path / f"out{i}.bin") for i in range(len(manifest["outputs"]))]
    weights = weights if weights is not None else (
        str(result.path("weights")) if "weights" in manifest["files"] else "-")
    run = subprocess.run([*run_prefix, str(exe), weights, *inputs, *outputs],
                         capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        return run
    return [np.fromfile(path, dtype=spec["dtype"]).reshape(spec["shape"])
            for path, spec in zip(outputs, manifest["outputs"])]


def _compile(name, tmp_path, target, **options):
    model, inputs = MODELS[name]()
    model.eval()
    result = tc.aot.compile(model, inputs, target=target, output_dir=tmp_path / "out",
                            name=name, progress=False, **options)
    result.example_arrays = [t.numpy() for t in inputs]
    with tc.no_grad():
        expected = model(*inputs)
    return result, [expected.numpy()]


def _assert_close(got, expected):
    assert not isinstance(got, subprocess.CompletedProcess), got.stderr
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


@needs_aarch64
@pytest.mark.parametrize("name", MODELS)
def test_aarch64_under_qemu_matches_eager(name, tmp_path):
    result, expected = _compile(name, tmp_path, "aarch64-linux-gnu")
    assert result.manifest["llvm_triple"].startswith("aarch64")
    kind = subprocess.run(["file", str(result.path("object"))], capture_output=True, text=True).stdout
    assert "aarch64" in kind.lower() or "ARM" in kind
    got = _build_and_run(result, tmp_path, "aarch64-linux-gnu-gcc",
                         run_prefix=("qemu-aarch64", "-L", AARCH64_SYSROOT))
    _assert_close(got, expected)


@needs_aarch64
def test_aarch64_named_core(tmp_path):
    result, expected = _compile("mlp", tmp_path, "aarch64-linux-gnu", cpu="cortex-a76")
    assert result.manifest["cpu"] == "cortex-a76"
    got = _build_and_run(result, tmp_path, "aarch64-linux-gnu-gcc",
                         run_prefix=("qemu-aarch64", "-cpu", "max", "-L", AARCH64_SYSROOT))
    _assert_close(got, expected)


@pytest.mark.parametrize("name", MODELS)
def test_x86_64_shared_library_matches_eager(name, tmp_path):
    result, expected = _compile(name, tmp_path, "x86_64-linux-gnu")
    got = _build_and_run(result, tmp_path, "cc", link="shared")
    _assert_close(got, expected)


def test_x86_64_embedded_weights(tmp_path):
    result, expected = _compile("cnn", tmp_path, "x86_64-linux-gnu", embed_weights=True)
    assert "weights" not in result.manifest["files"]
    assert not list(result.output_dir.glob("*.tcw"))
    _assert_close(_build_and_run(result, tmp_path, "cc"), expected)


def test_several_inputs_and_outputs(tmp_path):
    def pair(a, b):
        return a @ b, (a.sum(1) * 2).exp()

    a, b = np.random.default_rng(0).standard_normal((2, 3, 3)).astype(np.float32)
    result = tc.aot.compile(pair, (a, b), "x86_64-linux-gnu", tmp_path / "out", progress=False)
    assert [i["name"] for i in result.manifest["inputs"]] == ["a", "b"]
    assert len(result.manifest["outputs"]) == 2
    result.example_arrays = [a, b]
    got = _build_and_run(result, tmp_path, "cc")
    _assert_close(got, [a @ b, np.exp(a.sum(1) * 2)])
    header = result.path("header").read_text()
    assert "pair_run(tianc_model *model, const float *a, const float *b, float *output0, float *output1)" in header
    assert "#define PAIR_OUTPUT1_SHAPE {3}" in header


def test_unsigned_inputs_and_outputs(tmp_path):
    """An image pipeline's first step: uint8 pixels in, the brightest pixel
    of each channel (uint8, unsigned order) and the floats out."""
    def preprocess(pixels):
        return pixels.max((2, 3)), pixels.float() * (1 / 255)

    pixels = np.random.default_rng(5).integers(0, 256, (1, 3, 4, 4), dtype=np.uint8)
    pixels[0, 0, 0, 0] = 255  # as int8 it would be the smallest
    result = tc.aot.compile(preprocess, (pixels,), "x86_64-linux-gnu", tmp_path / "out",
                            progress=False)
    result.example_arrays = [pixels]
    got = _build_and_run(result, tmp_path, "cc")
    assert not isinstance(got, subprocess.CompletedProcess), got.stderr
    np.testing.assert_array_equal(got[0], pixels.max((2, 3)))
    np.testing.assert_allclose(got[1], pixels.astype(np.float32) / 255, rtol=1e-6)
    header = result.path("header").read_text()
    assert "const uint8_t *pixels, uint8_t *output0, float *output1" in header


def test_wrong_weights_file_is_reported(tmp_path):
    result, _ = _compile("mlp", tmp_path, "x86_64-linux-gnu")
    other = tmp_path / "other.tcw"
    write_weights(other, ["w"], [np.zeros((3, 3), np.float32)])
    run = _build_and_run(result, tmp_path, "cc", weights=str(other))
    assert run.returncode == 13  # 10 + TIANC_ERROR_BAD_WEIGHTS
    assert "holds 1 tensors, model 'mlp' has 4" in run.stderr
    truncated = tmp_path / "truncated.tcw"
    truncated.write_bytes(result.path("weights").read_bytes()[:-8])
    run = _build_and_run(result, tmp_path, "cc", weights=str(truncated))
    assert run.returncode == 13 and "truncated" in run.stderr
    run = _build_and_run(result, tmp_path, "cc", weights=str(tmp_path / "missing.tcw"))
    assert run.returncode == 12 and "cannot open the weights file" in run.stderr


def test_weights_file_format(tmp_path):
    arrays = [np.arange(6, dtype=np.float32).reshape(2, 3), np.array([7, 8], np.int64)]
    image = write_weights(tmp_path / "w.tcw", ["layer.weight", "steps"], arrays)
    assert image[:8] == b"TIANCWT\0"
    version, count = np.frombuffer(image[8:16], "<u4")
    assert (version, count) == (1, 2) and np.frombuffer(image[16:24], "<u8")[0] == len(image)
    for index, array in enumerate(arrays):
        entry = image[32 + 256 * index:32 + 256 * (index + 1)]
        offset, nbytes = np.frombuffer(entry[:16], "<u8")
        dtype, rank = np.frombuffer(entry[16:24], "<u4")
        shape = np.frombuffer(entry[24:24 + 8 * rank], "<i8")
        assert offset % 64 == 0 and nbytes == array.nbytes and list(shape) == list(array.shape)
        assert dtype == (0 if array.dtype == np.float32 else 5)
        assert entry[88:].split(b"\0")[0].decode() == ["layer.weight", "steps"][index]
        np.testing.assert_array_equal(np.frombuffer(image[offset:offset + nbytes], array.dtype),
                                      array.ravel())


def test_manifest(tmp_path):
    result, _ = _compile("cnn", tmp_path, "x86_64-linux-gnu")
    manifest = json.loads((result.output_dir / "manifest.json").read_text())
    assert manifest["target"] == "x86_64-linux-gnu" and manifest["cpu"] != "native"
    assert manifest["inputs"] == [{"name": "x", "shape": [2, 1, 8, 8], "dtype": "float32"}]
    assert manifest["outputs"] == [{"name": "output0", "shape": [2, 10], "dtype": "float32"}]
    assert [t["name"] for t in manifest["weights"]["tensors"]] == [
        "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"]
    assert manifest["tianc_version"] == tc.__version__ and len(manifest["hash"]) == 64
    # The runtime stays small: MegEngine's MLIR runtime is about 81 KB.
    assert 0 < manifest["runtime"]["loaded_bytes"] < 32 * 1024
    for stage in ("0-tian.mlir", "1-tian-optimized.mlir", "2-linalg.mlir", "3-bufferized.mlir",
                  "4-llvm-dialect.mlir", "5-llvm-ir.ll"):
        assert (result.output_dir / "ir" / stage).stat().st_size > 0


@pytest.mark.parametrize("name", MODELS)
def test_nvidia_ptx(name, tmp_path):
    result, expected = _compile(name, tmp_path, "nvptx64-nvidia-cuda", chip="sm_90")
    ptx_files = [result.output_dir / p for p in result.manifest["files"]["ptx"]]
    assert ptx_files
    for ptx in ptx_files:
        text = ptx.read_text()
        assert ".target sm_90" in text and ".entry" in text
    if shutil.which("ptxas"):  # the compile ran ptxas on every kernel
        assert all(p.with_suffix(".cubin").stat().st_size > 0 for p in ptx_files)
    # The host side is an x86-64 library that runs anywhere; without a GPU
    # it reports a device error instead of crashing.
    got = _build_and_run(result, tmp_path, "cc")
    if _has_gpu():
        _assert_close(got, expected)
    else:
        assert got.returncode == 15 and "CUDA" in got.stderr  # 10 + TIANC_ERROR_DEVICE


@needs_ptxas
def test_nvidia_sm80_ptx_assembles(tmp_path):
    result, _ = _compile("cnn", tmp_path, "nvptx64-nvidia-cuda", chip="sm_80")
    assert result.manifest["cuda_chip"] == "sm_80"
    assert all((result.output_dir / p).with_suffix(".cubin").exists()
               for p in result.manifest["files"]["ptx"])


def test_bad_requests_raise_clear_errors(tmp_path):
    model, inputs = _mlp()
    with pytest.raises(AotError, match="unknown target 'riscv64'"):
        tc.aot.compile(model, inputs, "riscv64", tmp_path)
    with pytest.raises(AotError, match="unknown CPU 'cortex-z9'"):
        tc.aot.compile(model, inputs, "aarch64-linux-gnu", tmp_path, cpu="cortex-z9")
    with pytest.raises(AotError, match="unknown CUDA chip 'sm_1'"):
        tc.aot.compile(model, inputs, "nvptx64-nvidia-cuda", tmp_path, chip="sm_1")
    with pytest.raises(AotError, match="C compiler .* 'no-such-cc'"):
        tc.aot.compile(model, inputs, "x86_64-linux-gnu", tmp_path, cc="no-such-cc")
    optimizer = tc.optim.SGD(model.parameters(), lr=0.1)

    def train_step(x):
        loss = model(x).sum()
        loss.backward()
        optimizer.step()
        return loss

    with pytest.raises(AotError, match="inference functions"):
        tc.aot.compile(train_step, inputs, "x86_64-linux-gnu", tmp_path)


def test_temporaries_that_do_not_fit_are_an_error_code(tmp_path):
    # 1 PiB of temporaries: the run returns TIANC_ERROR_OUT_OF_MEMORY (the
    # harness exits with 10 + status) and says how many bytes it asked for.
    n = 1 << 24

    def petabyte(a, b):
        return (a.expand(n, 1) @ b.expand(1, n)).sum()

    inputs = (tc.ones(1, 1), tc.ones(1, 1))
    result = tc.aot.compile(petabyte, inputs, "x86_64-linux-gnu", tmp_path / "out",
                            name="petabyte", progress=False)
    result.example_arrays = [t.numpy() for t in inputs]
    run = _build_and_run(result, tmp_path, "cc")
    assert isinstance(run, subprocess.CompletedProcess) and run.returncode == 14, run
    assert ("out of memory: model 'petabyte' could not allocate 1125900041060352 "
            "bytes for its temporaries") in run.stderr


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "tianc.cli", "compile", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_cli_compiles_a_model_file(tmp_path):
    (tmp_path / "tiny.py").write_text(
        "import tianc as tc\nfrom tianc import nn\ntc.manual_seed(0)\n"
        "model = nn.Sequential(nn.Linear(4, 3), nn.ReLU())\nexample_inputs = (tc.randn(2, 4),)\n")
    run = _cli("tiny.py", "--target", "x86_64-linux-gnu", "-o", "out", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "compiled tiny for x86_64-linux-gnu" in run.stdout
    for name in ("tiny.o", "libtiny.so", "tiny.h", "tiny.tcw", "manifest.json", "tianc_runtime.h"):
        assert (tmp_path / "out" / name).exists(), name


# Exit code 2: the command line or the model file is wrong; 1: the model
# does not compile.
@pytest.mark.parametrize("args, message, code", [
    (("missing.py",), "missing.py: no such file", 2),
    (("model.py", "--target", "mips-linux-gnu"), "unknown target 'mips-linux-gnu'", 2),
    (("model.onnx",), "model.onnx: cannot import the model:\n  the model imports no standard-domain", 2),
    (("garbage.onnx",), "garbage.onnx: not an ONNX model (damaged or truncated", 2),
    (("broken.py",), "broken.py failed at", 2),
    (("noinputs.py",), "defines no `example_inputs`", 2),
    (("model.py",), "the model is not callable (got NoneType)", 2),
    (("linear.py", "-o", "afile"), "the output afile is a file", 2),
    (("empty.py",), "the model cannot take 0 example inputs: missing a required argument: 'x'",
     2),
    (("notuple.py",), "example_inputs is a int", 2),
    (("branchy.py",), "branchy.py:5", 1),
])
def test_cli_bad_input_one_message_nonzero_exit(args, message, code, tmp_path):
    (tmp_path / "model.py").write_text("model = None\nexample_inputs = ()\n")
    linear = "import tianc as tc\nmodel = tc.nn.Linear(4, 2)\n"
    (tmp_path / "linear.py").write_text(linear + "example_inputs = (tc.ones(1, 4),)\n")
    (tmp_path / "empty.py").write_text(linear + "example_inputs = ()\n")
    (tmp_path / "notuple.py").write_text(linear + "example_inputs = 3\n")
    (tmp_path / "afile").write_text("")
    (tmp_path / "model.onnx").write_bytes(b"\x08\x07")  # a ModelProto with no graph
    (tmp_path / "garbage.onnx").write_bytes(b"\xff" * 40)
    (tmp_path / "broken.py").write_text("import tianc\nraise ValueError('oops')\n")
    (tmp_path / "noinputs.py").write_text("model = lambda x: x\n")
    (tmp_path / "branchy.py").write_text(
        "import tianc as tc\n\n\ndef model(x):\n    return x if x.sum() > 0 else -x\n\n\n"
        "example_inputs = (tc.randn(3),)\n")
    run = _cli(*args, cwd=tmp_path)
    assert run.returncode == code, run.stderr
    lines = run.stderr.strip().splitlines()
    assert lines[0].startswith("tianc: error:") and message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
