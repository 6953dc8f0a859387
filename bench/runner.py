"""Runs the workloads of shared/docs/BENCHMARKS.md for tianc and every
installed peer in one process and prints tianc / best-peer ratios.

    .venv/bin/python -m bench            # full: warm-up, then the median of 20 runs (5 for slow ones),
                                         # tianc and the peers taking turns, 5 runs at a time
    .venv/bin/python -m bench --quick    # sanity pass: median of 3
    .venv/bin/python -m bench --only W1,W3 --json out.json
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

THREADS = 2
# Compile times are cold: a fresh cache, which W4's second process then reuses.
os.environ["TIANC_CACHE_DIR"] = tempfile.mkdtemp(prefix="tianc-bench-cache-")
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
os.environ.setdefault("MKL_NUM_THREADS", str(THREADS))
# torch.compile's default pool of compile subprocesses keeps the cores busy
# for seconds after its first call, slowing whatever is timed next.
os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import tianc as tc  # noqa: E402
from tianc import functional as F  # noqa: E402
from tianc.compiler import cache as compile_cache  # noqa: E402

from . import models  # noqa: E402

torch.set_num_threads(THREADS)


def interleaved_median_ms(fns, runs, warmup=1, block=5):
    """{name: median ms}. The contenders take turns in blocks of ``block``
    runs, the order rotating every round: the machines here are shared, and
    a burst of load then slows every contender alike instead of whichever
    happened to be running. ONNX Runtime's workers keep spinning for about
    50 ms after a run and take the cores from whoever runs next (tianc's W6
    read 2x its standalone time after ORT): each block starts after a pause
    long enough for them to go idle, then one untimed call, since after the
    pause every contender's first call runs cold (tianc's W6 1.7x, ONNX
    Runtime's 1.4x its later calls): the warm-up BENCHMARKS.md asks for."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    names = list(fns)
    times = {name: [] for name in fns}
    for round_ in range((runs + block - 1) // block):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            fn = fns[name]
            time.sleep(0.2)  # the previous framework's spinning workers (ORT: ~50 ms) go idle
            fn()
            for _ in range(min(block, runs - round_ * block)):
                start = time.perf_counter()
                fn()
                times[name].append((time.perf_counter() - start) * 1e3)
    return {name: statistics.median(t) for name, t in times.items()}


def median_ms(fn, runs, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


# ----------------------------------------------------------------------------- limits
COPY_BYTES = 256 * 1024 * 1024
_copy_buffers = None


def copy_256mb():
    """One 256 MB copy (numpy, one thread): the memory floor's yardstick."""
    global _copy_buffers
    if _copy_buffers is None:
        src = np.ones(COPY_BYTES // 4, np.float32)
        _copy_buffers = (src, np.empty_like(src))
    np.copyto(_copy_buffers[1], _copy_buffers[0])


def copy_bandwidth_gbs(ms=None):
    """Read + write bandwidth of the 256 MB copy, from its median time when given."""
    if ms is None:
        ms = median_ms(copy_256mb, 5)
    return 2 * COPY_BYTES / (ms / 1e3) / 1e9


def fma_peak_gflops(threads=THREADS):
    """(GFLOP/s, vector bits) of ``threads`` cores doing nothing but
    independent FMAs on the widest vectors the host has (bench/fma_peak.c,
    compiled here with -march=native), the best of three runs: the
    compute-bound workloads' yardstick, as the copy is the memory-bound
    ones'. (None, None) without a C compiler."""
    compiler = shutil.which(os.environ.get("CC", "cc"))
    if compiler is None:
        return None, None
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fma_peak.c")
    program = os.path.join(tempfile.mkdtemp(prefix="tianc-fma-"), "fma_peak")
    built = subprocess.run([compiler, "-O2", "-march=native", "-ffp-contract=fast", "-pthread",
                            source, "-o", program], capture_output=True, text=True)
    if built.returncode != 0:
        print(f"  cannot build the FMA peak program: {built.stderr.strip()[:200]}", file=sys.stderr)
        return None, None
    best, bits = 0.0, None
    for _ in range(3):
        out = subprocess.run([program, str(threads), "100000000"], capture_output=True, text=True)
        fields = out.stdout.split()
        if out.returncode != 0 or len(fields) < 2:
            print(f"  the FMA peak program failed: {out.stderr.strip()[:200]}", file=sys.stderr)
            return None, None
        best, bits = max(best, float(fields[0])), int(fields[1])
    return best, bits


# ----------------------------------------------------------------------------- peers
class Peers:
    def __init__(self, names):
        self.names = names
        self.ort = None
        if "onnxruntime" in names:
            try:
                import onnxruntime as ort

                self.ort = ort
            except ImportError:
                self.names = [n for n in names if n != "onnxruntime"]

    def callables(self, module, inputs):
        """{peer: zero-argument callable} for a torch module in eval mode."""
        out = {}
        tensors = [torch.from_numpy(a) for a in inputs]
        if "torch" in self.names:
            out["torch"] = lambda: _no_grad(module, tensors)
        if "torch.compile" in self.names:
            compiled = torch.compile(module)
            out["torch.compile"] = lambda: _no_grad(compiled, tensors)
        if "torch.compile frozen" in self.names:
            # PyTorch's strongest inference setting: Inductor folds the
            # weights in as constants (and prepacks them for its kernels).
            frozen = torch.compile(module, options={"freezing": True})
            out["torch.compile frozen"] = lambda: _no_grad(frozen, tensors)
        if self.ort is not None:
            path = os.path.join(tempfile.mkdtemp(), "model.onnx")
            torch.onnx.export(module, tuple(tensors), path, dynamo=False, opset_version=17)
            options = self.ort.SessionOptions()
            options.intra_op_num_threads = THREADS
            options.inter_op_num_threads = 1
            session = self.ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            feed = {i.name: a for i, a in zip(session.get_inputs(), inputs)}
            out["onnxruntime"] = lambda: session.run(None, feed)
        return out


def _no_grad(module, tensors):
    with torch.no_grad():
        return module(*tensors)


class Lambda(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


# ----------------------------------------------------------------------------- workloads
def gelu_tanh(x):
    return F.gelu(x, "tanh")



def workloads():
    """(id, description, builder) where builder() returns a dict with
    tianc_fn, eager_fn, torch_module, inputs and the work done."""
    rng = np.random.default_rng(0)

    def w1():
        tm = models.mlp_torch().eval()
        model = models.load_from_torch(models.mlp_tianc(), tm).eval()
        x = rng.standard_normal((64, 784)).astype(np.float32)
        return dict(model=model, torch_module=tm, inputs=[x],
                    flops=2 * 64 * (784 * 1024 + 1024 * 1024 + 1024 * 10))

    def w2():
        x = rng.standard_normal(8 * 1024 * 1024).astype(np.float32)

        def chain(x):
            return gelu_tanh(x * 1.5 + 0.25) * F.sigmoid(x) + x

        def torch_chain(x):
            return torch.nn.functional.gelu(x * 1.5 + 0.25, approximate="tanh") * torch.sigmoid(x) + x
        return dict(model=chain, torch_module=Lambda(torch_chain), inputs=[x], bytes=2 * x.nbytes)

    def w3():
        a = rng.standard_normal((1024, 1024)).astype(np.float32)
        b = rng.standard_normal((1024, 1024)).astype(np.float32)
        return dict(model=lambda a, b: a @ b, torch_module=Lambda(lambda a, b: a @ b),
                    inputs=[a, b], flops=2 * 1024 ** 3)

    def w4():
        tm = models.seeded_torch_resnet18()
        model = models.load_from_torch(models.ResNet18(), tm).eval()
        x = rng.standard_normal((1, 3, 224, 224)).astype(np.float32)
        return dict(model=model, torch_module=tm, inputs=[x], flops=2 * 1.82e9, slow=True)

    def w5():
        tm = models.TorchEncoderBlock().eval()
        model = models.load_from_torch(models.EncoderBlock(), tm, models.torch_state_for_tianc_encoder).eval()
        x = rng.standard_normal((1, 128, 256)).astype(np.float32)
        return dict(model=model, torch_module=tm, inputs=[x])

    def w6():
        x = rng.standard_normal((4096, 1024)).astype(np.float32)
        return dict(model=lambda x: F.layer_norm(F.softmax(x, -1), [1024]),
                    torch_module=Lambda(lambda x: torch.nn.functional.layer_norm(torch.softmax(x, -1), [1024])),
                    inputs=[x], bytes=2 * x.nbytes)

    return [("W1", "MLP 784-1024-1024-10, batch 64", w1),
            ("W2", "elementwise chain, 8M elements", w2),
            ("W3", "matmul 1024^3", w3),
            ("W4", "ResNet-18, batch 1, 224x224", w4),
            ("W5", "transformer encoder block, seq 128, d 256", w5),
            ("W6", "softmax + LayerNorm on (4096, 1024)", w6)]


def run_inference(wid, spec, peers, runs, peak_gflops, check):
    inputs = [tc.tensor(a) for a in spec["inputs"]]
    # Weights as constants, as the peers that fold them (ONNX Runtime,
    # torch.compile frozen) have them: tianc folds batch norms and packs
    # the weights for its matmul kernels at compile time.
    compiled = tc.jit.trace(spec["model"], capture_as_const=True, name=wid.lower())
    start = time.perf_counter()
    out = compiled(*inputs)
    compile_s = time.perf_counter() - start
    runs_here = max(3, runs // 4) if spec.get("slow") else runs
    row = {"id": wid, "compile_s": compile_s, "memory": compiled.memory_report()}
    # What fusion buys: the same graph with every op its own loop nest.
    unfused = tc.jit.trace(spec["model"], capture_as_const=True,
                           name=wid.lower() + "_unfused", fusion=False)
    unfused(*inputs)
    row["fused_kernels"] = len(compiled.fusion_report())
    contenders = {"tianc": lambda: compiled(*inputs), "unfused": lambda: unfused(*inputs)}
    contenders.update(peers.callables(spec["torch_module"], spec["inputs"]))
    # The compile cache links new entries on a background thread (a linker
    # process): nothing timed may share the cores with it.
    compile_cache.flush()
    if "bytes" in spec:
        # The yardstick takes its turns with the contenders, so that the
        # floor and the times it is compared with see the same load.
        contenders["copy"] = copy_256mb
    row.update(interleaved_median_ms(contenders, runs_here))
    if not spec.get("slow"):
        row["tianc eager"] = median_ms(lambda: spec["model"](*inputs), max(3, runs_here // 4))
    if check:
        want = _no_grad(spec["torch_module"], [torch.from_numpy(a) for a in spec["inputs"]]).numpy()
        row["max_rel_err"] = float(np.max(np.abs(out.numpy() - want)) / (np.max(np.abs(want)) + 1e-30))
    if "flops" in spec:
        row["gflops"] = spec["flops"] / (row["tianc"] / 1e3) / 1e9
        row["peer_gflops"] = {p: spec["flops"] / (row[p] / 1e3) / 1e9 for p in PEER_NAMES if p in row}
        if peak_gflops:
            row["fraction_of_limit"] = row["gflops"] / peak_gflops
    if "bytes" in spec:
        row["copy_bandwidth_gbs"] = bandwidth = copy_bandwidth_gbs(row.pop("copy"))
        floor_ms = spec["bytes"] / (bandwidth * 1e9) * 1e3
        row["memory_floor_ms"] = floor_ms
        row["fraction_of_limit"] = floor_ms / row["tianc"]
    return row


WARM_START = r"""
import json, sys, time
start = time.perf_counter()
import numpy as np
import tianc as tc
from tianc.compiler import cache
sys.path.insert(0, sys.argv[1])
from bench import models
model = models.load_from_torch(models.ResNet18(), models.seeded_torch_resnet18()).eval()
x = tc.tensor(np.zeros((1, 3, 224, 224), np.float32))
t = time.perf_counter()
f = tc.jit.trace(model, name="w4", capture_as_const=True)  # as the bench process compiled it
f(x)
first = time.perf_counter() - t
t = time.perf_counter()
f(x)
run = time.perf_counter() - t
print(json.dumps({"first_call_s": first, "run_s": run, "startup_s": t - start, "stats": cache.stats()}))
"""


def warm_start_w4():
    """W4's first call in a second process, which finds it in the disk cache."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-c", WARM_START, root], capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": result.stderr[-500:]}
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["compile_s"] = max(data["first_call_s"] - data["run_s"], 0.0)
    return data


def w4_with_argument_weights(spec, runs):
    """W4 traced with its weights as arguments (read afresh on every call,
    packed by the kernels on every call): cold compile and run time."""
    inputs = [tc.tensor(a) for a in spec["inputs"]]
    compiled = tc.jit.trace(spec["model"], name="w4_arguments")
    start = time.perf_counter()
    compiled(*inputs)
    compile_s = time.perf_counter() - start
    compile_cache.flush()
    return {"compile_s": compile_s, "tianc": median_ms(lambda: compiled(*inputs), max(3, runs // 4))}


def run_training(peers, runs):
    """T1: one SGD step of W1 (forward, backward, update) at batch 64."""
    rng = np.random.default_rng(1)
    tm = models.mlp_torch()
    model = models.load_from_torch(models.mlp_tianc(), tm)
    x, y = rng.standard_normal((64, 784)).astype(np.float32), rng.integers(0, 10, 64)
    opt = tc.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    xs, ys = tc.tensor(x), tc.tensor(y)
    compiled = tc.jit.trace(step, name="t1")
    start = time.perf_counter()
    compiled(xs, ys)
    row = {"id": "T1", "compile_s": time.perf_counter() - start, "memory": compiled.memory_report()}
    # The same step recomputing cheap activations in the backward pass.
    remat = tc.jit.trace(step, name="t1_remat", rematerialize=True)
    remat(xs, ys)
    topt = torch.optim.SGD(tm.parameters(), lr=0.01, momentum=0.9)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def torch_step():
        topt.zero_grad()
        loss = torch.nn.functional.cross_entropy(tm(tx), ty)
        loss.backward()
        topt.step()
    contenders = {"tianc": lambda: compiled(xs, ys), "remat": lambda: remat(xs, ys)}
    if "torch" in peers.names:
        contenders["torch"] = torch_step
    compile_cache.flush()
    times = interleaved_median_ms(contenders, runs)
    row["tianc"] = times["tianc"]
    row["remat"] = {"memory": remat.memory_report(), "tianc": times["remat"]}
    if "torch" in times:
        row["torch"] = times["torch"]
    row["tianc eager"] = median_ms(lambda: step(xs, ys), max(3, runs // 4))
    return row


def dispatch_overhead(runs):
    """Per-op cost of a cached eager kernel on a 1-element tensor."""
    a, b = tc.tensor([1.0]), tc.tensor([2.0])
    ta, tb = torch.tensor([1.0]), torch.tensor([2.0])
    a + b  # compile once
    compile_cache.flush()

    def many(fn, n=1000):
        return lambda: [fn() for _ in range(n)]
    # Interleaved like the workloads: the host's load moves by 2x within seconds.
    times = interleaved_median_ms({"tianc": many(lambda: a + b), "torch": many(lambda: ta + tb)}, runs)
    ours, theirs = times["tianc"] / 1000 * 1e3, times["torch"] / 1000 * 1e3
    return {"id": "eager op", "tianc eager us": ours, "torch us": theirs, "ratio": ours / theirs}


PEER_NAMES = ["torch", "torch.compile", "torch.compile frozen", "onnxruntime"]


def print_table(rows):
    peers = [p for p in PEER_NAMES if any(p in r for r in rows)]
    header = ["id", "tianc ms", "eager ms"] + [f"{p} ms" for p in peers] + ["tianc/best", "compile s",
                                                                              "of limit", "rel err",
                                                                              "fused/unfused"]
    print(" | ".join(f"{h:>13}" for h in header))
    for r in rows:
        if r["id"] == "eager op":
            continue
        best = min((r[p] for p in peers if p in r), default=None)
        cells = [r["id"], _fmt(r.get("tianc")), _fmt(r.get("tianc eager"))]
        cells += [_fmt(r.get(p)) for p in peers]
        cells += [_fmt(r["tianc"] / best) if best else "-", _fmt(r.get("compile_s")),
                  f"{100 * r['fraction_of_limit']:.1f}%" if "fraction_of_limit" in r else "-",
                  f"{r['max_rel_err']:.1e}" if "max_rel_err" in r else "-",
                  f"{r['tianc'] / r['unfused']:.2f} ({r['fused_kernels']}k)" if "unfused" in r else "-"]
        print(" | ".join(f"{c:>13}" for c in cells))
    print_memory(rows)
    for r in rows:
        if r["id"] == "eager op":
            print(f"eager per-op overhead (1-element add): tianc {r['tianc eager us']:.2f} us, "
                  f"torch {r['torch us']:.2f} us, ratio {r['ratio']:.2f}")


def print_memory(rows):
    """The memory plan of each compiled workload: temporaries only (inputs,
    weights and outputs are not in the arena)."""
    planned = [r for r in rows if r.get("memory", {}).get("buffers")]
    if not planned:
        return
    print("memory plan (KiB of temporaries): naive = their sum (all live to the end without a plan), "
          "bound = most live at once, planned = the arena")
    header = ["id", "naive KiB", "bound KiB", "planned KiB", "planned/bound", "naive/planned"]
    print(" | ".join(f"{h:>13}" for h in header))

    def line(name, m):
        cells = [name, m["naive_bytes"] / 1024, m["lower_bound_bytes"] / 1024,
                 m["planned_peak_bytes"] / 1024, m["planned_peak_bytes"] / m["lower_bound_bytes"],
                 m["naive_bytes"] / m["planned_peak_bytes"]]
        print(" | ".join(f"{c if isinstance(c, str) else _fmt(c):>13}" for c in cells))
    for r in planned:
        line(r["id"], r["memory"])
        if "remat" in r:
            line(r["id"] + " remat", r["remat"]["memory"])
            saved = r["memory"]["planned_peak_bytes"] - r["remat"]["memory"]["planned_peak_bytes"]
            print(f"{r['id']} rematerialization: planned peak {saved / 1024:.0f} KiB lower "
                  f"({100 * saved / r['memory']['planned_peak_bytes']:.1f}%), step "
                  f"{r['remat']['tianc']:.3g} ms vs {r['tianc']:.3g} ms "
                  f"(x{r['remat']['tianc'] / r['tianc']:.2f})")


def _fmt(value):
    if value is None:
        return "-"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="median of 3 runs, for a sanity pass")
    parser.add_argument("--only", help="comma-separated workload ids (W1..W6, T1, OP)")
    parser.add_argument("--peers", default=",".join(PEER_NAMES), help="peers to run")
    parser.add_argument("--json", help="write the numbers to this file")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else 20
    only = set(args.only.split(",")) if args.only else None
    peers = Peers([p for p in args.peers.split(",") if p])
    bandwidth = copy_bandwidth_gbs()
    peak, bits = fma_peak_gflops()
    peak_text = f"FMA peak {peak:.0f} GFLOP/s ({bits}-bit vectors)" if peak else "FMA peak unmeasured"
    print(f"tianc {tc.__version__}; {THREADS} threads per framework; copy bandwidth {bandwidth:.1f} GB/s; "
          f"{peak_text}; {'quick: median of 3' if args.quick else 'median of 20 (5 for slow workloads)'}")
    rows = []
    for wid, description, build in workloads():
        if only and wid not in only:
            continue
        print(f"  running {wid}: {description}", file=sys.stderr, flush=True)
        spec = build()
        row = run_inference(wid, spec, peers, runs, peak, check=True)
        rows.append(row)
        if wid == "W4":
            compile_cache.flush()
            warm = warm_start_w4()
            row["second_process"] = warm
            if "error" in warm:
                print(f"  W4 second process failed: {warm['error']}", file=sys.stderr)
            else:
                print(f"  W4 in a second process: {warm['compile_s']:.2f} s to trace and load "
                      f"(cache {warm['stats']}), first call {warm['first_call_s']:.2f} s", file=sys.stderr)
            row["as_arguments"] = arguments = w4_with_argument_weights(spec, runs)
            print(f"  W4 with its weights as arguments: compile {arguments['compile_s']:.2f} s, "
                  f"{arguments['tianc']:.3g} ms", file=sys.stderr)
    if not only or "T1" in only:
        print("  running T1: training step of W1", file=sys.stderr, flush=True)
        rows.append(run_training(peers, runs))
    if not only or "OP" in only:
        rows.append(dispatch_overhead(5 if args.quick else 20))
    print_table(rows)
    for r in rows:
        if "copy_bandwidth_gbs" in r:
            print(f"{r['id']}: copy bandwidth {r['copy_bandwidth_gbs']:.1f} GB/s, timed alongside")
    for r in rows:
        if "gflops" in r:
            peers_text = ", ".join(f"{p} {g:.0f}" for p, g in r["peer_gflops"].items())
            print(f"{r['id']}: tianc {r['gflops']:.0f} GFLOP/s ({peers_text})")
        if "as_arguments" in r:
            print(f"{r['id']}: compile {r['compile_s']:.2f} s with weights as constants, "
                  f"{r['as_arguments']['compile_s']:.2f} s as arguments "
                  f"({r['as_arguments']['tianc']:.3g} ms a run); second process "
                  f"{r.get('second_process', {}).get('compile_s', float('nan')):.2f} s")
    print("of limit: W2/W6 memory floor (2 x bytes / copy bandwidth timed alongside them) / tianc time; W1/W3/W4 tianc GFLOP/s "
          "/ the FMA peak; fused/unfused: tianc time with fusion / without (Nk: fused kernels)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"bandwidth_gbs": bandwidth, "fma_peak_gflops": peak, "rows": rows}, f, indent=1)
    return 0
