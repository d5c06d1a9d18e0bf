"""benchmarks/run.py: a quick run without peers writes a complete, plausible JSON report."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from workloads import CONFIGS, flops_6pb, flops_executed, params  # noqa: E402


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick",
                    "--no-peers", "--out", str(out)], check=True, cwd=ROOT, timeout=900,
                   capture_output=True, text=True)
    return json.loads(out.read_text())


def positive(value):
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def test_flop_counts():
    # 784-256-128-10: 784*256 + 256 + 256*128 + 128 + 128*10 + 10 parameters
    assert params([784, 256, 128, 10]) == 235_146
    assert flops_6pb([784, 256, 128, 10], 128) == 6 * 235_146 * 128
    # forward and dW for every layer, da for every layer but the first
    assert flops_executed([2, 16, 16, 1], 32) == 2 * 32 * (2 * 2 * 16 + 3 * 16 * 16 + 3 * 16)


@pytest.mark.slow
def test_report_has_every_section(report):
    assert set(report) >= {"meta", "steps", "epochs", "memory", "slider", "book", "tests",
                           "targets"}
    assert report["meta"]["quick"] is True and report["meta"]["peers"] is False
    threads = {row["threads"] for row in report["steps"]}
    assert 1 in threads
    assert {(row["config"], row["threads"]) for row in report["steps"]} == {
        (name, n) for name in CONFIGS for n in threads}
    assert report["book"]["status"].startswith("not run")


@pytest.mark.slow
def test_step_figures_are_plausible(report):
    for row in report["steps"]:
        for key in ("nnlib_ms", "train_ms", "gemm_ms", "samples_per_s", "gflops",
                    "peak_gflops", "pct_peak"):
            assert positive(row[key]), (key, row)
        assert row["samples_per_s"] == pytest.approx(row["batch"] / (row["nnlib_ms"] / 1e3))
        assert row["gflops"] == pytest.approx(row["flops_6pb"] / row["nnlib_ms"] / 1e6)
        if row["threads"] == 1:  # the step contains its GEMMs: only noise can exceed the peak
            assert row["pct_peak"] < 1.5, row
            bound = 1.5 * row["peak_gflops"] * row["flops_6pb"] / row["flops_executed"]
            assert row["gflops"] < bound, row
        assert row["torch_ms"] is None and row["ratio_torch"] is None
        assert row["torch_status"] == "skipped (--no-peers)"


@pytest.mark.slow
def test_epochs_memory_and_skipped_peers(report):
    for row in report["epochs"]:
        assert positive(row["nnlib_s"]), row
        assert row["sklearn_s"] is None and row["sklearn_status"] == "skipped (--no-peers)"
    memory = report["memory"]
    for kind in ("nnlib_fit", "nnlib_fit_rss", "nnlib_fit_rowmajor"):
        assert positive(memory[kind]["mb"]), (kind, memory[kind])
    # a training step of 784-256-128-10 holds well under 100 MB, whatever the machine
    assert memory["nnlib_fit"]["mb"] < 100
    assert memory["torch_rss"]["status"] == "skipped (--no-peers)"
    targets = {t["target"]: t for t in report["targets"]}
    assert targets["step time / PyTorch's, 784-256-128-10"]["met"] is None  # not measured
