"""The on-disk compile cache: a second process reuses compiled code."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys
import numpy as np
import tianc as tc
from tianc import functional as F
from tianc.compiler import cache

w = tc.tensor(np.arange(12, dtype=np.float32).reshape(3, 4) / 10)
f = tc.jit.trace(lambda x: F.softmax(x @ w, -1))
y = f(tc.ones(2, 3))
z = tc.tensor([1.0, 2.0]) * 3           # an eager kernel
z = tc.tensor([5.0, 6.0]) * 3           # same kernel, other line: one cache entry
cache.flush()
print(json.dumps({"stats": cache.stats(), "y": y.tolist(), "z": z.tolist(),
                  "linalg": "linalg.generic" in f.ir("linalg")}))
"""


def run(cache_dir, script=SCRIPT):
    env = dict(os.environ, TIANC_CACHE_DIR=str(cache_dir), PYTHONPATH=str(ROOT / "python"))
    env.pop("TIANC_DUMP_IR", None)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_second_process_loads_from_disk(tmp_path):
    first = run(tmp_path)
    second = run(tmp_path)
    assert first["stats"]["hits"] == 0 and first["stats"]["stored"] >= 2
    assert second["stats"]["misses"] == 0 and second["stats"]["hits"] == first["stats"]["stored"]
    assert second["y"] == first["y"] and second["z"] == first["z"] == [15.0, 18.0]
    assert second["linalg"]  # stage texts come back with the cached code


def test_cache_can_be_turned_off():
    assert run("off")["stats"] == {"hits": 0, "misses": 0, "stored": 0}


def test_new_weights_reuse_code_but_a_new_graph_does_not(tmp_path):
    first = run(tmp_path)
    # Weights are arguments of the compiled function: new values, same code.
    reweighted = run(tmp_path, SCRIPT.replace("/ 10)", "/ 20)"))
    assert reweighted["stats"]["misses"] == 0 and reweighted["y"] != first["y"]
    # A different graph (another op) is a different key.
    regraphed = run(tmp_path, SCRIPT.replace("F.softmax(x @ w, -1)", "F.log_softmax(x @ w, -1)"))
    assert regraphed["stats"]["misses"] == 1 and regraphed["stats"]["stored"] == 1


def test_function_named_like_a_libc_symbol(tmp_path):
    """A cached function named `step` once called libc's regexp step()."""
    script = r"""
import json
import tianc as tc
from tianc.compiler import cache

def step(x):
    return (x * 2).sum()

def exp(x):
    return x + 1

y = tc.jit.trace(step)(tc.ones(4)).item()
z = tc.jit.trace(exp)(tc.ones(2)).tolist()
cache.flush()
print(json.dumps({"stats": cache.stats(), "y": y, "z": z}))
"""
    first = run(tmp_path, script)
    second = run(tmp_path, script)
    assert second["stats"]["hits"] >= 2
    assert first["y"] == second["y"] == 8.0 and second["z"] == [2.0, 2.0]
