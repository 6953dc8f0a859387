"""tianc's thread pool for parallel loops (targets/cpu/ParallelRuntime.cpp):
tianc_parallel_for on workers that spin before they sleep, with the calling
thread taking blocks too."""

import ctypes
import os
import threading

import numpy as np

import tianc as tc
from tianc import functional as F
from tianc.compiler.pipeline import parallel_runtime_library

rng = np.random.default_rng(11)


def test_the_pool_counts_the_usable_cores():
    """tianc_parallel_for sizes its blocks by this count: the workers and
    the calling thread, one per core the process may use."""
    library = ctypes.CDLL(parallel_runtime_library())
    library.tianc_parallel_threads.restype = ctypes.c_int64
    assert library.tianc_parallel_threads() == len(os.sched_getaffinity(0))


_BODY = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)


def test_parallel_for_runs_each_iteration_once():
    """tianc_parallel_for(body, arguments, trips) covers [0, trips) with
    blocks, each run once, for trip counts around the block sizes; the
    arguments pointer reaches every block."""
    library = ctypes.CDLL(parallel_runtime_library())
    library.tianc_parallel_for.argtypes = [_BODY, ctypes.c_void_p, ctypes.c_int64]
    library.tianc_parallel_for.restype = None
    for trips in (0, 1, 2, 7, 15, 16, 17, 1000, 100003):
        counts = np.zeros(max(trips, 1), np.int64)
        seen = []

        def body(arguments, begin, end):
            seen.append(arguments)
            counts[begin:end] += 1
        library.tianc_parallel_for(_BODY(body), 1234, trips)
        assert (counts[:trips] == 1).all(), trips
        assert set(seen) <= {1234} and (len(seen) > 0) == (trips > 0)


def test_user_threads_share_the_pool():
    """Python threads calling threaded compiled functions at once (each
    awaiting its own loops' tasks and running others'): every result right,
    nobody left waiting."""
    x = tc.tensor(rng.standard_normal((512, 1024)).astype(np.float32))
    w = tc.tensor(rng.standard_normal((1024, 256)).astype(np.float32))
    fns = [tc.jit.trace(lambda x: F.exp(x * 0.01) + 1),
           tc.jit.trace(lambda x: F.relu(x @ w)),
           tc.jit.trace(lambda x: F.softmax(x, -1))]
    wants = [fn(x).numpy() for fn in fns]
    assert all("llvm.call @tianc_parallel_for" in fn.ir("llvm-dialect") for fn in fns)
    failures = []

    def run(index):
        for _ in range(20):
            got = fns[index % 3](x).numpy()
            if not np.allclose(got, wants[index % 3], rtol=1e-5, atol=1e-5):
                failures.append(index)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a caller never got its result"
    assert not failures


def test_threaded_training_step_matches_one_thread():
    """A step of many short parallel loops (forward, backward, the
    optimizer's updates): the same parameters on the pool as on one thread."""
    results = []
    for threads in (False, True):
        tc.manual_seed(3)
        model = tc.nn.Sequential(tc.nn.Linear(256, 512), tc.nn.ReLU(), tc.nn.Linear(512, 10))
        opt = tc.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        x = tc.tensor(np.random.default_rng(4).standard_normal((64, 256)).astype(np.float32))
        y = tc.tensor(np.random.default_rng(5).integers(0, 10, 64))

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss
        compiled = tc.jit.trace(step, threads=threads)
        for _ in range(5):
            compiled(x, y)
        results.append([p.numpy().copy() for p in model.parameters()])
    for single, pooled in zip(*results):
        np.testing.assert_allclose(pooled, single, rtol=1e-5, atol=1e-6)


_DROPPED_FUNCTIONS = """
import gc
import numpy as np
import tianc as tc

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

x = tc.ones(64, 1024)
sizes = []
for i in range(12):
    weight = tc.tensor(np.random.default_rng(i).standard_normal((1024, 1024 + i)).astype(np.float32))
    step = tc.jit.trace(lambda x: (x @ weight).relu().sum(0), capture_as_const=True)
    for _ in range(3):
        step(x)
    assert all(v.kernel.threaded for v in step._variants.values())
    del step, weight
    gc.collect()
    sizes.append(rss_mb())
print(sizes[2], sizes[-1])
"""


def test_dropped_threaded_functions_free_their_code():
    """A threaded function's code is freed once the pool's tasks have left
    it (tianc_parallel_quiesce): a process that keeps compiling and dropping
    functions stays the same size (it grew by each one's code and 4 MB of
    constants before)."""
    import subprocess
    import sys

    env = {**os.environ, "TIANC_CACHE_DIR": "off"}
    run = subprocess.run([sys.executable, "-c", _DROPPED_FUNCTIONS], capture_output=True,
                         text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    early, late = map(int, run.stdout.split())
    assert late - early < 20, (early, late)



def test_many_dim_in_place_loops_run_each_row_once():
    """log_softmax over axis 1 of a rank-7 tensor updates its output in
    place in a 6-dim parallel loop; upstream async-parallel-for ran some of
    its rows twice (found by the ONNX backend tests)."""
    import torch

    x = np.random.default_rng(0).standard_normal((3, 5, 6, 6, 5, 3, 4)).astype(np.float32)
    expected = torch.log_softmax(torch.from_numpy(x), 1).numpy()
    np.testing.assert_allclose(F.log_softmax(tc.tensor(x), 1).numpy(), expected, atol=1e-5)
    traced = tc.jit.trace(lambda v: F.log_softmax(v, 1))
    np.testing.assert_allclose(traced(tc.tensor(x)).numpy(), expected, atol=1e-5)
