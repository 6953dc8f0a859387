"""The tianc command line and the op metadata it reads from ODS."""

import io
import subprocess
import sys
from pathlib import Path

from tianc import cli, ops_info

ROOT = Path(__file__).resolve().parents[2]


def test_ops_lists_every_op_with_its_kind():
    out = io.StringIO()
    assert cli.list_ops(out) == 0
    lines = out.getvalue().splitlines()
    assert lines[-1] == f"{len(ops_info.SUMMARIES)} ops"
    table = {line.split()[0]: line.split()[1] for line in lines[:-1]}
    assert table["tian.softmax"] == "composite"
    assert table["tian.matmul"] == "primitive"
    assert set(table) == set(ops_info.SUMMARIES)


def test_composites_match_the_decomposition_interface():
    assert ops_info.COMPOSITES == {
        "tian.softmax", "tian.log_softmax", "tian.layer_norm", "tian.batch_norm",
        "tian.reduce_mean", "tian.global_avg_pool2d", "tian.expand_dims", "tian.squeeze"}
    assert "tian.add" in ops_info.ELEMENTWISE and "tian.matmul" not in ops_info.ELEMENTWISE


def test_demo_runs_and_shows_decomposed_softmax():
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "demo.py")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.split("after tian-decompose")
    assert "tian.softmax" in before and "tian.softmax" not in after
    assert "tian.transpose" not in after  # the double transpose folded away


def test_tian_opt_is_installed_in_the_venv():
    tian_opt = ROOT / ".venv" / "bin" / "tian-opt"
    result = subprocess.run([str(tian_opt), "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--tian-decompose" in result.stdout


def test_readme_python_example_runs():
    import re

    readme = (ROOT / "README.md").read_text()
    example = re.findall(r"```python\n(.*?)```", readme, re.S)[0]
    namespace = {}
    exec(compile(example.replace('print(train_step.ir("linalg"))', 'text = train_step.ir("linalg")'),
                 "README.md", "exec"), namespace)
    assert namespace["loss"].shape == ()
    assert "linalg.generic" in namespace["text"]
