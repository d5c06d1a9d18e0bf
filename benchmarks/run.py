"""How fast is nnlib? Training steps against PyTorch, scikit-learn and the BLAS limit.

    pip install -e '.[bench]'          # the peers: PyTorch (CPU build), scikit-learn, threadpoolctl
    python benchmarks/run.py           # prints the tables, writes benchmarks/results.json
    python benchmarks/run.py --book --tests     # also time building the book and the test suite
    python benchmarks/run.py --quick --no-peers --out /tmp/results.json   # a smoke run, seconds

What is measured (benchmarks/workloads.py has the details, benchmarks/peers.py the peers;
benchmarks/worker.py is the process that times them):
  step    one SGD training step (forward, backward, update) of 2-16-16-1 (batch 32),
          784-256-128-10 (batch 128) and 784-1024-1024-10 (batch 512), float32 and float64,
          on one thread and on all threads; nnlib as NeuralNet.fit runs it, NeuralNet.train's
          extra cost (its input checks) as a separate column; PyTorch's equivalent step.
  GFLOP/s 6 * params * batch flops per step (2 forward, 4 backward) over the step time. The
          GEMM peak is measured in the same run on the step's own GEMMs (same shapes and
          layouts), counting the flops they execute (6PB less the input gradient of layer 0,
          which no one computes); "% peak" compares like with like: GEMM time / step time.
  epoch   one epoch of nnlib's fit against scikit-learn's MLPClassifier.partial_fit.
  memory  training 784-256-128-10 float32 for two epochs, beyond the data and the model:
          tracemalloc's peak of NumPy allocations, and ru_maxrss deltas of fresh processes.
  slider  retrain-and-redraw latency of the explorers (benchmarks/slider_latency.py).
  --book, --tests   wall-clock time of `jupyter-book build --all` and of `make test`.

Timing: contenders are interleaved round by round (rotating their order) and the tables give
medians over rounds; a ratio is the median of the per-round ratios, so drift on a shared machine
cancels. Each thread count runs in its own worker processes, BLAS threads fixed before NumPy
loads and checked with threadpoolctl; at one thread nnlib, PyTorch and scikit-learn share one
process, at more threads PyTorch gets its own (it must never share one with multi-threaded
NumPy). A missing peer is reported as skipped, never estimated.
Wall-clock and process CPU time are both recorded. On a shared machine other processes preempt
ours, which stretches wall-clock time but not CPU time; at one thread CPU time is what an idle
machine's wall clock would show, so the targets are judged on CPU-time ratios (both printed).
"""

import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from workloads import CONFIGS, flops_6pb, flops_executed, label, params  # noqa: E402

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
NUMPY_KINDS = ("nnlib", "nnlib_train", "gemm", "nnlib_epoch", "sklearn_epoch")
PEER_KINDS = ("torch", "sklearn_epoch")
SWITCH_PAUSE = 0.2  # s between two workers' turns: idle BLAS/OpenMP threads spin ~0.1 s


class Worker:
    """A benchmarks/worker.py process with its BLAS thread count fixed."""

    def __init__(self, threads, name):
        env = dict(os.environ, **{var: str(threads) for var in THREAD_VARS})
        self.name, self.threads = name, threads
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), "serve", str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=HERE)

    def ask(self, **request):
        if self.process.poll() is not None:
            return {"error": f"worker {self.name} exited with code {self.process.returncode}"}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            return {"error": f"worker {self.name} died (exit code {self.process.wait()})"}
        return json.loads(line)

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()  # the worker's loop ends at end of input
            self.process.wait(timeout=60)


def interleave(specs, workers, rounds, target):
    """Time every contender in ``specs`` {key: (worker, spec)} in interleaved rounds.

    Returns {key: {"wall": [s per call, one per round], "cpu": [...], "n": calls per block}}
    or {key: {"status": "skipped (...)" | "error: ..."}}.
    """
    results, live, first = {}, [], {}
    for key, (worker, spec) in specs.items():
        reply = worker.ask(op="setup", key=key, spec=spec)
        if "seconds" in reply:
            live.append(key)
            first[key] = reply["seconds"]  # the warm-up call: an upper bound on one call
            results[key] = {"n": 1, "wall": [], "cpu": []}
        else:
            results[key] = {"status": reply.get("skipped") or f"error: {reply.get('error')}"}
    for key in live:  # calibrate: a block of n calls should take about `target` seconds
        if first[key] >= target / 2:
            continue  # one call per block
        worker = specs[key][0]
        reply = worker.ask(op="time", key=key, n=1)
        n = max(1, round(target / max(reply["wall"], 1e-7)))
        reply = worker.ask(op="time", key=key, n=n)
        results[key]["n"] = max(1, round(target * n / max(reply["wall"], 1e-7)))
    previous = None
    for r in range(rounds):
        for key in live[r % len(live):] + live[:r % len(live)] if live else []:
            worker = specs[key][0]
            if previous is not None and previous is not worker:
                time.sleep(SWITCH_PAUSE)
            previous = worker
            n = results[key]["n"]
            reply = worker.ask(op="time", key=key, n=n)
            if "error" in reply:
                results[key] = {"status": f"error: {reply['error']}"}
                live.remove(key)
                break
            results[key]["wall"].append(reply["wall"] / n)
            results[key]["cpu"].append(reply["cpu"] / n)
    for key, (worker, _) in specs.items():
        worker.ask(op="drop", key=key)
    return results


def median(result, clock="wall"):
    return float(np.median(result[clock])) if "wall" in result and result[clock] else None


def ratio(a, b, clock="wall"):
    """Median of the per-round ratios a/b (both measured in the same rounds)."""
    if median(a, clock) is None or median(b, clock) is None:
        return None
    k = min(len(a[clock]), len(b[clock]))
    return float(np.median(np.array(a[clock][:k]) / np.array(b[clock][:k])))


def status(result):
    return result.get("status", "ok")


def start_workers(threads, peers):
    """{kind: Worker}: one process at one thread; PyTorch in a process of its own otherwise."""
    numpy_worker = Worker(threads, f"numpy-{threads}")
    workers = dict.fromkeys(NUMPY_KINDS, numpy_worker)
    if peers:
        workers["torch"] = numpy_worker if threads == 1 else Worker(threads, f"torch-{threads}")
    return workers


def step_row(name, dtype, threads, timings):
    """One row of the step table, computed from the timings of one interleaved measurement.

    timings: {"nnlib": ..., "nnlib_train": ..., "gemm": ..., "torch": ...}, each as interleave
    returns it ({"wall": [s per call, one per round], "cpu": [...], "n": calls per block}) or
    {"status": "skipped (...)"}. Pure arithmetic: tests/test_benchmarks.py feeds it numbers.
    """
    sizes, batch = CONFIGS[name]["sizes"], CONFIGS[name]["batch"]
    nn, gemm, torch = timings["nnlib"], timings["gemm"], timings["torch"]
    step, gemm_s = median(nn), median(gemm)
    return {
        "config": name, "label": label(name), "sizes": sizes, "batch": batch,
        "dtype": dtype, "threads": threads, "params": params(sizes),
        "flops_6pb": flops_6pb(sizes, batch),
        "flops_executed": flops_executed(sizes, batch),
        "rounds": len(nn.get("wall", [])), "calls_per_block": nn.get("n"),
        "nnlib_ms": _scale(step, 1e3), "nnlib_cpu_ms": _scale(median(nn, "cpu"), 1e3),
        "nnlib_status": status(nn),
        "train_ms": _scale(median(timings["nnlib_train"]), 1e3),
        "train_overhead": _minus1(ratio(timings["nnlib_train"], nn)),
        "samples_per_s": batch / step if step else None,
        "gflops": flops_6pb(sizes, batch) / step / 1e9 if step else None,
        "gemm_ms": _scale(gemm_s, 1e3),
        "peak_gflops": flops_executed(sizes, batch) / gemm_s / 1e9 if gemm_s else None,
        "pct_peak": ratio(gemm, nn),
        "pct_peak_cpu": ratio(gemm, nn, "cpu") if threads == 1 else None,
        "pct_peak_6pb": (ratio(gemm, nn) * flops_6pb(sizes, batch)
                         / flops_executed(sizes, batch)) if gemm_s and step else None,
        "torch_ms": _scale(median(torch), 1e3), "torch_status": status(torch),
        "ratio_torch": ratio(nn, torch),
        "ratio_torch_cpu": ratio(nn, torch, "cpu") if threads == 1 else None,
        "rounds_ms": {kind: [1e3 * v for v in t.get("wall", [])] for kind, t in timings.items()},
        "rounds_cpu_ms": {kind: [1e3 * v for v in t.get("cpu", [])]
                          for kind, t in timings.items()},
    }


def epoch_row(name, dtype, threads, m, nn, sk):
    """One row of the epoch table from the timings of nnlib's and scikit-learn's epochs."""
    return {"config": name, "label": label(name), "dtype": dtype, "threads": threads,
            "examples": m, "rounds": len(nn.get("wall", [])),
            "nnlib_s": median(nn), "nnlib_status": status(nn),
            "sklearn_s": median(sk), "sklearn_status": status(sk),
            "ratio_sklearn": ratio(nn, sk),
            "ratio_sklearn_cpu": ratio(nn, sk, "cpu") if threads == 1 else None,
            "rounds_s": {"nnlib": nn.get("wall", []), "sklearn": sk.get("wall", [])},
            "rounds_cpu_s": {"nnlib": nn.get("cpu", []), "sklearn": sk.get("cpu", [])}}


def bench_steps(threads, workers, args):
    rows = []
    kinds = ["nnlib", "nnlib_train", "gemm"] + (["torch"] if args.peers else [])
    for name in CONFIGS:
        for dtype in args.dtypes:
            specs = {f"{kind}-{name}-{dtype}": (workers[kind], {"kind": kind, "config": name,
                                                               "dtype": dtype})
                     for kind in kinds}
            res = interleave(specs, workers, args.rounds, args.block)
            get = {kind: res.get(f"{kind}-{name}-{dtype}", {"status": "skipped (--no-peers)"})
                   for kind in ("nnlib", "nnlib_train", "gemm", "torch")}
            row = step_row(name, dtype, threads, get)
            rows.append(row)
            _progress(f"step {row['label']} {dtype} {threads} thread(s): nnlib "
                      f"{_fmt(row['nnlib_ms'], '.3f')} ms, torch {_fmt(row['torch_ms'], '.3f')}"
                      f" ms ({row['torch_status']})")
    return rows


def bench_epochs(threads, workers, args):
    rows = []
    for name in CONFIGS:
        m = args.epoch_m[name]
        for dtype in args.dtypes:
            kinds = ["nnlib_epoch"] + (["sklearn_epoch"] if args.peers else [])
            specs = {f"{kind}-{name}-{dtype}": (workers[kind], {"kind": kind, "config": name,
                                                               "dtype": dtype, "m": m})
                     for kind in kinds}
            res = interleave(specs, workers, args.epoch_rounds, 0.0)
            nn = res[f"nnlib_epoch-{name}-{dtype}"]
            sk = res.get(f"sklearn_epoch-{name}-{dtype}", {"status": "skipped (--no-peers)"})
            rows.append(epoch_row(name, dtype, threads, m, nn, sk))
            _progress(f"epoch {label(name)} {dtype} {threads} thread(s): nnlib "
                      f"{_fmt(median(nn), '.3f')} s, scikit-learn {_fmt(median(sk), '.3f')} s "
                      f"({status(sk)})")
    return rows


def bench_memory(args):
    """Fresh one-thread processes, one per measurement (benchmarks/worker.py memory)."""
    kinds = ["nnlib_fit", "nnlib_fit_rss", "nnlib_fit_rowmajor", "nnlib_fit_rowmajor_rss",
             "nnlib_steps", "nnlib_steps_rss"]
    kinds += ["torch_rss"] if args.peers else []
    env = dict(os.environ, **{var: "1" for var in THREAD_VARS})
    out = {"config": "b", "label": label("b"), "dtype": "float32", "examples": args.memory_m,
           "epochs": args.memory_epochs,
           "data_mb": args.memory_m * (784 + 10) * 4 / 2**20}
    for kind in kinds:
        done = subprocess.run([sys.executable, str(HERE / "worker.py"), "memory", kind,
                               str(args.memory_m), str(args.memory_epochs)],
                              capture_output=True, text=True, env=env, cwd=HERE)
        if done.returncode == 0:
            out[kind] = json.loads(done.stdout.strip().splitlines()[-1])
        elif "ModuleNotFoundError" in done.stderr:
            out[kind] = {"status": "skipped (not installed)"}
        else:
            out[kind] = {"status": f"error: {done.stderr.strip().splitlines()[-1:]}"}
    if not args.peers:
        out["torch_rss"] = {"status": "skipped (--no-peers)"}
    return out


def bench_slider(args):
    if not (HERE / "slider_latency.py").exists():
        return {"status": "missing (benchmarks/slider_latency.py does not exist)"}
    done = subprocess.run([sys.executable, str(HERE / "worker.py"), "slider",
                           str(args.slider_changes)], capture_output=True, text=True, cwd=HERE,
                          env=dict(os.environ, MPLBACKEND="Agg"))
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return {"status": "ok", **json.loads(line[len("RESULT "):])}
    tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:]
    return {"status": f"error: {tail}"}


def timed_command(command, cwd):
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return {"seconds": seconds, "exit_code": done.returncode,
            "status": "ok" if done.returncode == 0 else "failed",
            "last_line": lines[-1] if lines else "", "command": " ".join(command)}


def bench_book():
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    with tempfile.TemporaryDirectory(prefix="nnlib-bench-book-") as tmp:
        return timed_command([jupyter_book, "build", ".", "--path-output", tmp, "--all"], ROOT)


def bench_tests():
    """The README's test command (scripts/time_ci.sh times its phases on a fresh clone)."""
    return timed_command(["make", "test"], ROOT)


def targets(steps, epochs, memory):
    """The performance targets, at one thread and float32 (memory: 784-256-128-10)."""
    def step(name):
        return next(r for r in steps if r["config"] == name and r["dtype"] == "float32"
                    and r["threads"] == 1)

    def epoch(name):
        return next(r for r in epochs if r["config"] == name and r["dtype"] == "float32"
                    and r["threads"] == 1)

    rows = [
        ("step time / PyTorch's, 784-256-128-10", step("b")["ratio_torch_cpu"], "<=", 1.0),
        ("step time / PyTorch's, 784-1024-1024-10", step("c")["ratio_torch_cpu"], "<=", 1.15),
        ("step time / PyTorch's, 2-16-16-1 (3x faster)", step("a")["ratio_torch_cpu"], "<=",
         1 / 3),
        ("fraction of GEMM peak, 784-1024-1024-10", step("c")["pct_peak_cpu"], ">=", 0.80),
        ("memory beyond data (MB), fit, x as nnlib.datasets", memory.get("nnlib_fit", {}).get("mb"),
         "<", 10.0),
        ("memory beyond data (MB), fit, x = X.T (row-major)",
         memory.get("nnlib_fit_rowmajor", {}).get("mb"), "<", 10.0),
        ("memory beyond data (MB), fit's steps alone", memory.get("nnlib_steps", {}).get("mb"),
         "<", 10.0),
    ] + [(f"epoch time / scikit-learn's, {label(n)}", epoch(n)["ratio_sklearn_cpu"], "<", 1.0)
         for n in CONFIGS]
    out = []
    for name, value, op, bar in rows:
        met = None if value is None else (value <= bar if op == "<=" else value >= bar
                                          if op == ">=" else value < bar)
        out.append({"target": name, "value": value, "op": op, "bar": bar, "met": met})
    return out


def machine(info):
    model = ""
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and not model:
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = line
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model or platform.processor(),
            "avx512": "avx512f" in flags.split(), "python": platform.python_version(),
            "numpy": np.__version__, "blas": info.get("blas"), "peers": info.get("peers"),
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
            "platform": platform.platform()}


def print_tables(result):
    meta = result["meta"]
    m = meta["machine"]
    print(f"\nnnlib benchmarks, {meta['date']}, {m['cpus']} CPUs ({m['cpu_model']}, "
          f"AVX-512: {'yes' if m['avx512'] else 'no'}), NumPy {m['numpy']}, "
          f"peers: {m['peers'] or 'none'}; load average {meta['load_before']:.1f} before, "
          f"{meta['load_after']:.1f} after")
    print("\nTraining step (forward + backward + SGD), medians of interleaved rounds; "
          "GFLOP/s = 6*params*batch / step time")
    head = (f"{'network':<30}{'dtype':<8}{'thr':>3}{'nnlib ms':>10}{'samples/s':>11}"
            f"{'GFLOP/s':>9}{'peak':>7}{'% peak':>8}{'(cpu)':>6}{'train()':>8}{'torch ms':>10}"
            f"{'nn/torch':>9}{'(cpu)':>7}")
    print(head)
    print("-" * len(head))
    for r in result["steps"]:
        print(f"{r['label']:<30}{r['dtype']:<8}{r['threads']:>3}{_fmt(r['nnlib_ms'], '.3f'):>10}"
              f"{_fmt(r['samples_per_s'], ',.0f'):>11}{_fmt(r['gflops'], '.1f'):>9}"
              f"{_fmt(r['peak_gflops'], '.0f'):>7}{_fmt(r['pct_peak'], '.0%'):>8}"
              f"{_fmt(r['pct_peak_cpu'], '.0%'):>6}"
              f"{_fmt(r['train_overhead'], '+.0%'):>8}"
              f"{_fmt(r['torch_ms'], '.3f') if r['torch_ms'] else '-':>10}"
              f"{_fmt(r['ratio_torch'], '.2f'):>9}{_fmt(r['ratio_torch_cpu'], '.2f'):>7}")
    skipped = {r["torch_status"] for r in result["steps"] if r["torch_status"] != "ok"}
    for s in skipped:
        print(f"  PyTorch: {s}")
    print("  peak: GFLOP/s of the step's own GEMMs alone (executed flops); % peak = GEMM time / "
          "step time;\n  train(): NeuralNet.train's extra time over fit's step (input checks);\n"
          "  (cpu): the same ratio in process CPU time, which a busy machine's preemptions do "
          "not inflate\n  (one thread only: at more threads CPU time adds up the threads)")

    print("\nOne epoch: nnlib fit(epochs=1) against scikit-learn MLPClassifier.partial_fit")
    head = (f"{'network':<30}{'dtype':<8}{'thr':>3}{'examples':>9}{'nnlib s':>9}"
            f"{'sklearn s':>10}{'nn/sklearn':>11}{'(cpu)':>7}")
    print(head)
    print("-" * len(head))
    for r in result["epochs"]:
        print(f"{r['label']:<30}{r['dtype']:<8}{r['threads']:>3}{r['examples']:>9}"
              f"{_fmt(r['nnlib_s'], '.4f'):>9}{_fmt(r['sklearn_s'], '.4f'):>10}"
              f"{_fmt(r['ratio_sklearn'], '.2f'):>11}{_fmt(r['ratio_sklearn_cpu'], '.2f'):>7}")
    for s in {r["sklearn_status"] for r in result["epochs"] if r["sklearn_status"] != "ok"}:
        print(f"  scikit-learn: {s}")

    mem = result["memory"]
    print(f"\nMemory: training {mem['label']} float32, {mem['epochs']} epoch(s) of "
          f"{mem['examples']} examples (data {mem['data_mb']:.1f} MB), beyond data and model")
    names = {"nnlib_fit": "nnlib fit, x (n_x, m) as nnlib.datasets gives it",
             "nnlib_fit_rss": "  the same, whole process",
             "nnlib_fit_rowmajor": "nnlib fit, x = X.T of a row-major X",
             "nnlib_fit_rowmajor_rss": "  the same, whole process",
             "nnlib_steps": "nnlib, fit's mini-batch steps alone",
             "nnlib_steps_rss": "  the same, whole process",
             "torch_rss": "PyTorch, whole process"}
    for kind, text in names.items():
        entry = mem.get(kind, {})
        value = (f"{entry['mb']:7.1f} MB  ({entry['method']})" if "mb" in entry
                 else entry.get("status", "-"))
        print(f"  {text:<52}{value}")

    s = result["slider"]
    print("\nSlider retrain-and-redraw latency (benchmarks/slider_latency.py): ", end="")
    if s.get("status") == "ok":
        print(f"{s['changes']} changes per explorer")
        for name, e in s["explorers"].items():
            print(f"  {name:<24}median {e['median_ms']:6.1f} ms  p90 {e['p90_ms']:6.1f} ms  "
                  f"training {e['train_ms']:6.1f} ms  (bar {s['bar_ms']} ms)")
    else:
        print(s.get("status"))
    for what in ("book", "tests"):
        entry = result[what]
        if "seconds" in entry:
            print(f"{'Book build' if what == 'book' else 'Test suite'}: "
                  f"{entry['seconds']:.0f} s ({entry['status']}: {entry['last_line']})")
        else:
            print(f"{'Book build' if what == 'book' else 'Test suite'}: {entry['status']}")

    print("\nTargets (one thread, float32; ratios and % peak in CPU time, see above)")
    for t in result["targets"]:
        value = _fmt(t["value"], ".2f")
        verdict = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        print(f"  {t['target']:<58}{value:>7} {t['op']} {t['bar']:.2f}  {verdict}")


def _scale(value, factor):
    return None if value is None else value * factor


def _minus1(value):
    return None if value is None else value - 1


def _fmt(value, spec):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return format(value, spec)


def _progress(text):
    print(text, file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "results.json",
                        help="where to write the JSON (default benchmarks/results.json)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run in seconds: short blocks, few rounds, small epochs")
    parser.add_argument("--no-peers", dest="peers", action="store_false",
                        help="do not load PyTorch or scikit-learn (as if not installed)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per step measurement")
    parser.add_argument("--book", action="store_true", help="time `jupyter-book build --all`")
    parser.add_argument("--tests", action="store_true", help="time the test suite")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.block, args.epoch_rounds = args.rounds or 3, 0.003, 1
        args.dtypes = ("float32",)
        args.epoch_m = {"a": 256, "b": 256, "c": 512}
        args.memory_m, args.memory_epochs, args.slider_changes = 512, 1, 1
    else:
        args.rounds, args.block, args.epoch_rounds = args.rounds or 21, 0.1, 7
        args.dtypes = ("float32", "float64")
        args.epoch_m = {"a": 4096, "b": 8192, "c": 4096}
        args.memory_m, args.memory_epochs, args.slider_changes = 8192, 2, 20

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    steps, epochs, info = [], [], {}
    for threads in sorted({1, os.cpu_count() or 1}):
        workers = start_workers(threads, args.peers)
        try:
            if threads == 1:
                if args.peers:  # load the peers now, so that info lists their versions
                    for kind, name in (("torch", "a"), ("sklearn_epoch", "a")):
                        spec = {"kind": kind, "config": name, "dtype": "float32", "m": 64}
                        workers[kind].ask(op="setup", key="probe", spec=spec)
                        workers[kind].ask(op="drop", key="probe")
                info = workers["nnlib"].ask(op="info")
            steps += bench_steps(threads, workers, args)
            epochs += bench_epochs(threads, workers, args)
        finally:
            for worker in set(workers.values()):
                worker.close()
    memory = bench_memory(args)
    slider = bench_slider(args)
    book = bench_book() if args.book else {"status": "not run (--book)"}
    tests = bench_tests() if args.tests else {"status": "not run (--tests)"}
    result = {
        "meta": {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
                 "machine": machine(info), "quick": args.quick, "peers": args.peers,
                 "rounds": args.rounds, "epoch_rounds": args.epoch_rounds,
                 "load_before": load_before, "load_after": os.getloadavg()[0],
                 "seconds": time.perf_counter() - started,
                 "flops": "6 * params * batch per step (2 forward, 4 backward); peak and "
                          "% peak use the flops the step's GEMMs execute (no input gradient "
                          "for layer 0)"},
        "steps": steps, "epochs": epochs, "memory": memory, "slider": slider,
        "book": book, "tests": tests,
    }
    result["targets"] = targets(steps, epochs, memory)
    print_tables(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
