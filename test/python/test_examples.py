"""The examples run and reach their targets."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

import train_digits  # noqa: E402


def test_train_digits_eager_reaches_95_percent():
    assert train_digits.main(["--epochs", "8"]) >= 0.95


def test_data_loader_batches_and_shuffles():
    import numpy as np

    from tianc.data import DataLoader

    x, y = np.arange(10, dtype=np.float32), np.arange(10)
    batches = list(DataLoader((x, y), batch_size=4, shuffle=True, drop_last=True, seed=1))
    assert len(batches) == 2 and all(b[0].shape == (4,) for b in batches)
    seen = np.concatenate([b[1].numpy() for b in batches])
    assert len(set(seen.tolist())) == 8
    assert [b[0].shape for b in DataLoader((x, y), batch_size=4)] == [(4,), (4,), (2,)]


def test_deploy_example_runs_the_digits_cnn_on_aarch64(tmp_path):
    """examples/deploy/run.sh: train, compile for AArch64, link C, run under qemu."""
    import os
    import re
    import shutil
    import subprocess

    import pytest

    if not (shutil.which("aarch64-linux-gnu-gcc") and shutil.which("qemu-aarch64")):
        pytest.skip("the AArch64 cross toolchain and qemu-user are not installed")
    script = Path(__file__).resolve().parents[2] / "examples" / "deploy" / "run.sh"
    run = subprocess.run([str(script)], env={**os.environ, "WORK": str(tmp_path)},
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "ARM aarch64" in run.stdout
    accuracy = float(re.search(r"accuracy (\S+) \(", run.stdout).group(1))
    assert accuracy >= 0.95
