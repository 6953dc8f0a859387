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
    assert run("off")["stats"] == {"hits": 0, "misses": 0, "stored": 0, "damaged": 0}


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


def _libraries(cache_dir):
    return sorted(cache_dir.glob("*.so"))


def test_a_truncated_library_is_removed_and_recompiled(tmp_path):
    first = run(tmp_path)
    for library in _libraries(tmp_path):
        library.write_bytes(library.read_bytes()[:4096])
    again = run(tmp_path)  # a bus error before checksums
    assert again["stats"]["damaged"] == first["stats"]["stored"]
    assert again["y"] == first["y"] and again["z"] == first["z"]
    # The damaged entries were replaced by good ones.
    assert run(tmp_path)["stats"]["hits"] == first["stats"]["stored"]


def test_bit_flips_never_load(tmp_path):
    import random

    first = run(tmp_path)
    rng = random.Random(0)
    libraries = _libraries(tmp_path)
    for library in libraries:
        data = bytearray(library.read_bytes())
        for _ in range(3):
            position = rng.randrange(len(data))
            data[position] ^= 1 << rng.randrange(8)
        library.write_bytes(bytes(data))
    again = run(tmp_path)
    assert again["stats"]["damaged"] == len(libraries) and again["stats"]["hits"] == 0
    assert again["y"] == first["y"] and again["z"] == first["z"]


def test_a_damaged_record_is_removed(tmp_path):
    run(tmp_path)
    records = sorted(tmp_path.glob("*.json"))
    records[0].write_text("{not json")
    again = run(tmp_path)
    assert again["stats"]["damaged"] == 1
    assert json.loads(records[0].read_text())["sha256"]  # stored again


def test_another_cpu_never_reuses_an_entry(tmp_path):
    # A cache folder shared with a machine whose CPU has other features (no
    # AVX-512 here, say) must miss: the key has the host CPU's flags.
    run(tmp_path)
    other_cpu = SCRIPT.replace(
        "import tianc as tc\n",
        "import tianc as tc\nfrom tianc.compiler import pipeline\n"
        "pipeline._host_cpu_flags = frozenset({'sse2'})\n", 1)
    assert run(tmp_path, other_cpu)["stats"]["hits"] == 0


def test_eviction_keeps_the_cache_under_its_limit(tmp_path, monkeypatch):
    run(tmp_path)
    sizes = [size for _, size, _ in cache_entries(tmp_path)]
    assert len(sizes) >= 2
    # Room for the largest entry only: the others go, oldest use first.
    monkeypatch.setenv("TIANC_CACHE_SIZE", str(max(sizes)))
    from tianc.compiler import cache

    assert cache.size_limit() == max(sizes)
    removed = cache.evict(tmp_path, cache.size_limit())
    assert removed == len(sizes) - 1 and len(cache_entries(tmp_path)) == 1
    monkeypatch.setenv("TIANC_CACHE_SIZE", "1.5G")
    assert cache.size_limit() == 3 << 29


def test_eviction_runs_when_a_process_stores(tmp_path):
    env_script = "import os\nos.environ['TIANC_CACHE_SIZE'] = '1'\n" + SCRIPT
    run(tmp_path, env_script)
    assert len(cache_entries(tmp_path)) <= 1


def cache_entries(root):
    from tianc.compiler import cache

    return cache.entries(root)


def test_cache_command_info_and_clear(tmp_path):
    run(tmp_path)
    env = dict(os.environ, TIANC_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT / "python"))

    def cli(*args):
        result = subprocess.run([sys.executable, "-m", "tianc.cli", "cache", *args], env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    count = len(cache_entries(tmp_path))
    info = cli("info")
    assert f"location: {tmp_path}" in info and f"entries:  {count}" in info
    assert "of 2048 MiB" in info
    assert cli("clear") == f"removed {count} entries from {tmp_path}\n"
    assert not list(tmp_path.iterdir())


def test_storing_scans_the_cache_once_per_process(tmp_path):
    # Evicting on every store listed every entry each time: quadratic in the
    # entries (a test run's thousands of kernels took minutes at exit).
    script = ("from tianc.compiler import cache\ncalls = [0]\nlisting = cache.entries\n"
              "def counted(root=None):\n    calls[0] += 1\n    return listing(root)\n"
              "cache.entries = counted\n" + SCRIPT.replace(
                  "print(json.dumps({", "print(json.dumps({'scans': calls[0], "))
    first = run(tmp_path, script)
    assert first["stats"]["stored"] >= 2 and first["scans"] == 1, first


def test_a_killed_build_is_cleaned_up_later(tmp_path):
    """A build folder left by a killed process (a day old) is removed by the
    next process that stores; one in use (fresh) stays."""
    old, fresh = tmp_path / ".tmp-llvm-old", tmp_path / ".tmp-llvm-fresh"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "part0.o").write_bytes(b"x" * 100)
    day_ago = os.path.getmtime(fresh) - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    first = run(tmp_path)
    assert first["stats"]["stored"] >= 1
    assert not old.exists() and fresh.exists()
