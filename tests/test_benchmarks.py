"""benchmarks/: the arithmetic of the report, from given timings; never the machine's speed.

A benchmark prints what it measured. These tests hand run.py's functions made-up timings and
check what it computes from them (flop counts, rates, medians of per-round ratios, targets),
and check that a worker answers run.py's protocol. No test here reads a clock's value.
"""

import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import run  # noqa: E402
from workloads import CONFIGS, flops_6pb, flops_executed, params  # noqa: E402

SKIPPED = {"status": "skipped (--no-peers)"}


def timings(*seconds, n=10):
    """What interleave returns for one contender: per-call seconds, one per round."""
    return {"wall": list(seconds), "cpu": list(seconds), "n": n}


def test_flop_counts():
    # 784-256-128-10: 784*256 + 256 + 256*128 + 128 + 128*10 + 10 parameters
    assert params([784, 256, 128, 10]) == 235_146
    assert flops_6pb([784, 256, 128, 10], 128) == 6 * 235_146 * 128
    # forward and dW for every layer, da for every layer but the first
    assert flops_executed([2, 16, 16, 1], 32) == 2 * 32 * (2 * 2 * 16 + 3 * 16 * 16 + 3 * 16)


def test_ratio_is_the_median_of_per_round_ratios():
    # rounds where both slow down together (another program ran) cancel out
    a, b = timings(1.0, 4.0, 2.0), timings(2.0, 8.0, 1.0)
    assert run.ratio(a, b) == pytest.approx(0.5)  # per round: 0.5, 0.5, 2
    assert run.median(a) == pytest.approx(2.0)
    assert run.ratio(a, SKIPPED) is None and run.median(SKIPPED) is None


def test_step_row_arithmetic():
    name = "b"
    sizes, batch = CONFIGS[name]["sizes"], CONFIGS[name]["batch"]
    row = run.step_row(name, "float32", 1, {
        "nnlib": timings(2e-3, 2e-3, 3e-3),
        "nnlib_train": timings(2.2e-3, 2.2e-3, 3.3e-3),
        "gemm": timings(1e-3, 1e-3, 1.5e-3),
        "torch": timings(4e-3, 4e-3, 6e-3),
    })
    assert row["nnlib_ms"] == pytest.approx(2.0)
    assert row["samples_per_s"] == pytest.approx(batch / 2e-3)
    assert row["gflops"] == pytest.approx(6 * params(sizes) * batch / 2e-3 / 1e9)
    assert row["peak_gflops"] == pytest.approx(flops_executed(sizes, batch) / 1e-3 / 1e9)
    assert row["pct_peak"] == pytest.approx(0.5)  # GEMM time over step time
    assert row["pct_peak_6pb"] == pytest.approx(
        0.5 * flops_6pb(sizes, batch) / flops_executed(sizes, batch))
    assert row["train_overhead"] == pytest.approx(0.1)
    assert row["ratio_torch"] == pytest.approx(0.5) and row["ratio_torch_cpu"] == row["ratio_torch"]
    assert row["rounds"] == 3 and row["calls_per_block"] == 10
    assert row["rounds_ms"]["nnlib"] == pytest.approx([2.0, 2.0, 3.0])


def test_step_row_without_peers_or_at_two_threads():
    row = run.step_row("a", "float64", 2, {
        "nnlib": timings(1e-4), "nnlib_train": timings(1e-4), "gemm": timings(5e-5),
        "torch": SKIPPED,
    })
    assert row["torch_ms"] is None and row["ratio_torch"] is None
    assert row["torch_status"] == "skipped (--no-peers)"
    # CPU time adds up the threads: no CPU-time ratio beyond one thread
    assert row["pct_peak_cpu"] is None and row["ratio_torch_cpu"] is None
    assert row["rounds_ms"]["torch"] == []


def test_epoch_row_arithmetic():
    row = run.epoch_row("c", "float32", 1, 4096, timings(0.3, 0.2), timings(0.6, 0.5))
    assert row["nnlib_s"] == pytest.approx(0.25)
    assert row["ratio_sklearn"] == pytest.approx(0.45)  # median of 0.5 and 0.4
    assert row["examples"] == 4096 and row["rounds"] == 2
    assert run.epoch_row("c", "float32", 1, 4096, timings(0.3), SKIPPED)["ratio_sklearn"] is None


def steps_and_epochs(ratio_torch):
    """Rows as bench_steps and bench_epochs make them, with every ratio set by hand."""
    steps = [{"config": name, "dtype": "float32", "threads": 1,
              "ratio_torch_cpu": ratio_torch, "pct_peak_cpu": 0.85} for name in CONFIGS]
    epochs = [{"config": name, "dtype": "float32", "threads": 1, "ratio_sklearn_cpu": 0.9}
              for name in CONFIGS]
    return steps, epochs


def test_targets_met_not_met_and_not_measured():
    memory = {"nnlib_fit": {"mb": 3.0}, "nnlib_fit_rowmajor": {"mb": 12.0}}
    result = {t["target"]: t["met"] for t in run.targets(*steps_and_epochs(0.9), memory)}
    assert result["step time / PyTorch's, 784-256-128-10"] is True
    assert result["step time / PyTorch's, 2-16-16-1 (3x faster)"] is False  # 0.9 > 1/3
    assert result["fraction of GEMM peak, 784-1024-1024-10"] is True
    assert result["memory beyond data (MB), fit, x as nnlib.datasets"] is True
    assert result["memory beyond data (MB), fit, x = X.T (row-major)"] is False
    assert result["memory beyond data (MB), fit's steps alone"] is None  # not measured
    result = {t["target"]: t["met"] for t in run.targets(*steps_and_epochs(None), memory)}
    assert result["step time / PyTorch's, 784-256-128-10"] is None  # no peers, no verdict


class FakeWorker:
    """Answers interleave as a worker would, with a fixed time per call; logs what it ran."""

    def __init__(self, seconds, log):
        self.seconds, self.log = seconds, log

    def ask(self, op, key=None, spec=None, n=None):
        if op == "setup":
            return {"seconds": self.seconds[key]} if key in self.seconds else {
                "skipped": "skipped (not installed: torch)"}
        if op == "time":
            self.log.append((key, n))
            return {"wall": n * self.seconds[key], "cpu": n * self.seconds[key]}
        return {}


def test_interleave_rotates_the_order_and_times_per_call():
    log = []
    worker = FakeWorker({"x": 1e-3, "y": 4e-3}, log)
    specs = {key: (worker, {}) for key in ("x", "y", "torch")}
    result = run.interleave(specs, None, rounds=4, target=0.1)
    assert result["torch"] == {"status": "skipped (not installed: torch)"}
    assert result["x"]["n"] == 100 and result["y"]["n"] == 25  # blocks of about 0.1 s
    assert result["x"]["wall"] == pytest.approx([1e-3] * 4)
    rounds = [key for key, n in log if n == result[key]["n"]][-8:]
    assert rounds == ["x", "y", "y", "x", "x", "y", "y", "x"]  # who goes first alternates


def test_report_tables_print_from_given_numbers(capsys):
    measured = {"nnlib": timings(2e-3), "nnlib_train": timings(2e-3), "gemm": timings(1e-3),
                "torch": SKIPPED}
    steps = [run.step_row(name, "float32", 1, measured) for name in CONFIGS]
    epochs = [run.epoch_row(name, "float32", 1, 256, timings(0.1), SKIPPED) for name in CONFIGS]
    memory = {"label": run.label("b"), "epochs": 1, "examples": 512, "data_mb": 1.6,
              "nnlib_fit": {"mb": 2.0, "method": "tracemalloc peak"}}
    result = {
        "meta": {"date": "2026-01-01", "load_before": 0.5, "load_after": 0.7,
                 "machine": {"cpus": 2, "cpu_model": "test CPU", "avx512": False,
                             "numpy": "2.0", "peers": {}}},
        "steps": steps, "epochs": epochs, "memory": memory,
        "slider": {"status": "not run"}, "book": {"status": "not run (--book)"},
        "tests": {"seconds": 12.0, "status": "ok", "last_line": "3 passed"},
    }
    result["targets"] = run.targets(steps, epochs, memory)
    run.print_tables(result)
    out = capsys.readouterr().out
    for name in CONFIGS:
        assert run.label(name) in out
    assert "Test suite: 12 s (ok: 3 passed)" in out
    assert "PyTorch: skipped (--no-peers)" in out


def test_worker_answers_the_protocol():
    """A real worker process: sets up nnlib's step, times a block, reports its BLAS."""
    worker = run.Worker(1, "numpy-1")
    try:
        spec = {"kind": "nnlib", "config": "a", "dtype": "float32"}
        assert set(worker.ask(op="setup", key="k", spec=spec)) == {"seconds"}
        reply = worker.ask(op="time", key="k", n=2)
        assert set(reply) == {"wall", "cpu"}
        assert all(math.isfinite(value) and value >= 0 for value in reply.values())
        assert "blas" in worker.ask(op="info")
        assert "error" in worker.ask(op="time", key="missing", n=1)
    finally:
        worker.close()
