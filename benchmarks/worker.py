"""The process benchmarks/run.py times things in: nnlib's contenders and the peers'.

    python benchmarks/worker.py serve N            # answer run.py on stdin/stdout, N BLAS threads
    python benchmarks/worker.py memory KIND M E    # one memory measurement (a fresh process)
    python benchmarks/worker.py slider CHANGES     # the explorers' slider latency

run.py talks to a serving worker in JSON lines, so that it can interleave contenders that must
not share a process (PyTorch and two-thread NumPy, PERF_NOTES.md) while only one of them runs
at a time. The BLAS thread count is fixed before NumPy loads (OPENBLAS_NUM_THREADS etc., set by
run.py) and enforced again with threadpoolctl; the worker reports what threadpoolctl sees.
"""

import json
import os
import sys
import time

import numpy as np
import peers
import workloads


def make(spec):
    """A contender from its description {"kind": ..., "config": ..., "dtype": ..., "m": ...}."""
    kind, name, dtype = spec["kind"], spec["config"], workloads.DTYPES[spec["dtype"]]
    if kind == "nnlib":
        return workloads.NnlibStep(name, dtype)
    if kind == "nnlib_train":
        return workloads.NnlibStep(name, dtype, public=True)
    if kind == "gemm":
        return workloads.Gemms(name, dtype)
    if kind == "nnlib_epoch":
        return workloads.NnlibEpoch(name, dtype, spec["m"])
    return peers.make(kind, name, dtype, spec.get("m"))  # imports torch or sklearn only now


def blas_info():
    """What threadpoolctl sees: library, kernel architecture and thread count of each pool."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"error": "threadpoolctl not installed"}]
    keep = ("user_api", "internal_api", "version", "architecture", "num_threads",
            "threading_layer")
    return [{k: pool.get(k) for k in keep} for pool in threadpool_info()]


def peer_versions():
    return {module: sys.modules[module].__version__ for module in ("torch", "sklearn")
            if module in sys.modules}


def serve(threads):
    """Serve requests from run.py: one JSON object per line in, one per line out."""
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but replies on the pipe
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(threads)
    except ImportError:
        pass  # the environment variables run.py set already fix the thread count
    contenders = {}
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        try:
            if op == "setup":
                contender = make(request["spec"])
                if hasattr(contender, "threads"):
                    contender.threads(threads)
                start = time.perf_counter()
                contender.run()  # warm-up, and a first estimate of one call's time
                contenders[request["key"]] = contender
                reply = {"seconds": time.perf_counter() - start}
            elif op == "time":
                wall, cpu = workloads.time_block(contenders[request["key"]], request["n"])
                reply = {"wall": wall, "cpu": cpu}
            elif op == "drop":
                contenders.pop(request["key"], None)
                reply = {}
            elif op == "info":
                reply = {"blas": blas_info(), "peers": peer_versions()}
            elif op == "quit":
                break
            else:
                reply = {"error": f"unknown op {op!r}"}
        except ImportError as error:
            reply = {"skipped": f"skipped (not installed: {error.name})"}
        except Exception as error:  # reported in the table, never hidden
            reply = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


def slider(changes):
    """Median slider-change latency of every explorer, from benchmarks/slider_latency.py."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import slider_latency

    from nnlib import explore
    results = {}
    for cls in (explore.LearningRateExplorer, explore.InitExplorer, explore.Playground):
        explorer = cls()
        explorer.settings()
        latency, train, cpu = slider_latency.measure(explorer, changes)
        results[cls.__name__] = {"median_ms": float(np.median(latency)),
                                 "p90_ms": float(np.percentile(latency, 90)),
                                 "train_ms": float(np.median(train)),
                                 "cpu_ms": float(np.median(cpu))}
    return {"explorers": results, "changes": changes, "bar_ms": slider_latency.BAR_MS,
            "worst_median_ms": max(r["median_ms"] for r in results.values())}


def main():
    command = sys.argv[1]
    if command == "serve":
        serve(int(sys.argv[2]))
    elif command == "memory":
        kind, m, epochs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        if kind.startswith("torch"):
            result = peers.memory(m, epochs)
        else:
            result = workloads.memory(kind, m, epochs)
        print(json.dumps(result))
    elif command == "slider":
        result = slider(int(sys.argv[2]))
        sys.stdout.flush()
        print("\nRESULT " + json.dumps(result))
    else:
        sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
