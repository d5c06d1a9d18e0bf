"""Tests for the repository's own set-up: the nbval sanitizer, kernel start-up, the browser
finder, the book's TOC, and the configuration `make test` builds the book with.

These guard the promises the test command makes: the sanitizer masks what cannot repeat and
nothing else, a kernel that dies at start-up is started again, the browser tests find Chromium
where they say they do, every page in the table of contents exists, and the book the browser
tests check is built from the committed outputs, not by executing the notebooks again.
"""

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import nbval.kernel
import pytest
import yaml
from conftest import (
    CHROMIUM_ARGS,
    KERNEL_START_ATTEMPTS,
    find_chromium,
    in_ci,
    retry_kernel_start,
    work_unit,
)
from nbval.plugin import get_sanitize_patterns

ROOT = Path(__file__).resolve().parent.parent


def sanitize(text: str) -> str:
    """Apply tests/nbval_sanitize.cfg exactly as nbval does."""
    patterns = get_sanitize_patterns((ROOT / "tests" / "nbval_sanitize.cfg").read_text())
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


def test_sanitize_file_has_patterns():
    patterns = get_sanitize_patterns((ROOT / "tests" / "nbval_sanitize.cfg").read_text())
    assert len(patterns) >= 3


@pytest.mark.parametrize(
    ("run_a", "run_b"),
    [
        (
            "<nnlib.layers.Layer object at 0x7f3a2c1b4d90>",
            "<nnlib.layers.Layer object at 0x55d0c0ffee12>",
        ),
        (
            "model 5f0c8e9a-1b2c-4d3e-8f9a-0b1c2d3e4f5a",
            "model 0b129c18-fa09-4e69-82c2-7da8e1009cb8",
        ),
        ("model 0b129c18fa094e6982c27da8e1009cb8", "model 5f0c8e9a1b2c4d3e8f9a0b1c2d3e4f5a"),
        (
            "/work/main/.venv/lib/python3.11/site-packages/numpy/core.py:3: UserWarning",
            "/tmp/ci/.venv/lib/python3.11/site-packages/numpy/core.py:3: UserWarning",
        ),
        (
            'File "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/x.py", line 3',
            'File "/home/reader/nn-book/.venv/lib/python3.11/site-packages/x.py", line 3',
        ),
        ("(/usr/lib/python3/site-packages/ipywidgets)", "(/opt/py/site-packages/ipywidgets)"),
    ],
)
def test_sanitize_masks_what_cannot_repeat(run_a, run_b):
    """Two runs that differ only in an address or an id compare equal after sanitizing."""
    assert run_a != run_b
    assert sanitize(run_a) == sanitize(run_b)


@pytest.mark.parametrize(
    "text",
    [
        "loss 0.564874",
        "accuracy: 97.50%",
        "<Figure size 640x480 with 1 Axes>",
        "lr = 1e-04, W.shape = (4, 2)",
        "0xff",
        "tensor([[ 0.1257, -0.1321,  0.6404]])",
        "12345678901234567890123456789012",  # 32 digits: a number, not a hex id
        'src="data:image/png;base64,iVBORw0KGgo/AAAN+SUhEUg/AAAB9AAAAfQ/CAYAAAC"',
    ],
)
def test_sanitize_leaves_numbers_alone(text):
    assert sanitize(text) == text


def test_find_chromium_honours_override(tmp_path, monkeypatch):
    fake = tmp_path / "my-chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("NNLIB_CHROMIUM", str(fake))
    assert find_chromium() == str(fake)


def test_find_chromium_override_must_be_executable(tmp_path, monkeypatch):
    monkeypatch.setenv("NNLIB_CHROMIUM", str(tmp_path / "missing"))
    assert find_chromium() is None
    not_executable = tmp_path / "plain-file"
    not_executable.write_text("")
    monkeypatch.setenv("NNLIB_CHROMIUM", str(not_executable))
    assert find_chromium() is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("TRUE", True), ("", False), ("false", False), ("0", False)],
)
def test_in_ci(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_chromium_args_keep_the_machine_quiet():
    # Without these Chromium phones home at start-up and the closed network refuses it.
    for flag in ("--headless", "--no-sandbox", "--disable-background-networking"):
        assert flag in CHROMIUM_ARGS


def test_every_toc_entry_exists():
    entries = re.findall(r"^\s*(?:root|- file):\s*(\S+)\s*$", (ROOT / "_toc.yml").read_text(), re.M)
    assert "book/intro" in entries
    missing = [
        entry
        for entry in entries
        if not any((ROOT / f"{entry}{suffix}").is_file() for suffix in (".md", ".ipynb"))
    ]
    assert missing == []


def test_bench_extra_pins_torch():
    # An unpinned torch makes pip fetch a multi-GB CUDA build; 2.13.0 is the CPU build on disk.
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    torch = [dep for dep in project["optional-dependencies"]["bench"] if dep.startswith("torch")]
    assert torch == ["torch==2.13.0"]


def test_ci_script_is_strict_and_runs_make_test():
    script = (ROOT / ".ci" / "run").read_text()
    assert script.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in script
    assert re.search(r"^make test$", script, re.M)
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def test_reading_a_notebook_builds_no_iri_parser():
    """nbformat validates notebooks with jsonschema, in pytest's workers, every book build and
    JupyterLab. With rfc3987-syntax installed, jsonschema's import builds an Earley parser of
    RFC 3987's grammar first, 1.4 s per process; make venv leaves that package out."""
    code = ("import sys, nbformat; nbformat.validate(nbformat.v4.new_notebook()); "
            "print(sorted(name for name in sys.modules if name.startswith('rfc3987')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", (
        f"loading nbformat imported {result.stdout.strip()}: make venv removes rfc3987-syntax "
        f"(UNWANTED in the Makefile); uninstall it from this environment")


def flaky_start(failures):
    """A kernel start function that dies `failures` times, then starts; it counts its calls."""
    calls = []

    def start(kernel_name, **kwargs):
        calls.append(kernel_name)
        if len(calls) <= failures:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return f"kernel {kernel_name}"

    return start, calls


def test_a_kernel_that_dies_at_start_up_is_started_again():
    start, calls = flaky_start(failures=KERNEL_START_ATTEMPTS - 1)
    with pytest.warns(UserWarning, match="Kernel died before replying"):
        assert retry_kernel_start(start)("python3", cwd="book") == "kernel python3"
    assert len(calls) == KERNEL_START_ATTEMPTS


def test_a_kernel_that_never_starts_fails_the_notebook():
    start, calls = flaky_start(failures=KERNEL_START_ATTEMPTS)
    with pytest.raises(RuntimeError, match="Kernel died"), pytest.warns(UserWarning):
        retry_kernel_start(start)("python3")
    assert len(calls) == KERNEL_START_ATTEMPTS


def test_nbval_starts_its_kernels_through_the_retry():
    # nbval's RunningKernel looks start_new_kernel up in nbval.kernel at each start, which is
    # where tests/conftest.py puts the retrying version.
    assert "start_new_kernel(" in inspect.getsource(nbval.kernel.RunningKernel.__init__)
    assert hasattr(nbval.kernel.start_new_kernel, "__wrapped__")


def test_the_tested_book_is_built_without_executing(tmp_path):
    out = tmp_path / "config.yml"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "book_config.py"), str(out)],
                   check=True)
    ours, book = yaml.safe_load(out.read_text()), yaml.safe_load((ROOT / "_config.yml").read_text())
    assert book["execute"]["execute_notebooks"] == "force"  # make book runs every notebook
    assert ours["execute"]["execute_notebooks"] == "off"
    for name, path in ours["sphinx"]["local_extensions"].items():
        assert Path(path).is_absolute()
        assert Path(path) == (ROOT / book["sphinx"]["local_extensions"][name]).resolve()
    ours["execute"]["execute_notebooks"] = "force"
    ours["sphinx"]["local_extensions"] = book["sphinx"]["local_extensions"]
    assert ours == book  # nothing else differs


@pytest.mark.parametrize(
    ("nodeid", "unit"),
    [
        ("book/03_layers.ipynb::Cell 12", "book/03_layers.ipynb"),
        ("tests/test_layers.py::test_shapes[2-3]", "tests/test_layers.py"),
        ("tests/test_explore.py::test_page_grid_values", "tests/test_explore.py"),
        ("tests/browser/test_pages.py::test_page_loads[book/03_layers.html]",
         "tests/browser/test_pages.py::book/03_layers.html"),
        ("tests/browser/test_pages.py::test_no_console_errors[search.html]",
         "tests/browser/test_pages.py::search.html"),
        ("tests/browser/test_pages.py::test_search_works_offline", "tests/browser/test_pages.py"),
    ],
)
def test_work_units_keep_notebooks_and_modules_together_and_split_pages(nodeid, unit):
    assert work_unit(nodeid) == unit


def test_no_test_reads_a_clock():
    # A test never asserts a timing, a rate or the load: on a shared machine any bound on them
    # fails some day for no reason. Benchmarks (benchmarks/) print such figures instead.
    clocks = re.compile(r"perf_counter|time\.time\(|monotonic\(|process_time|getloadavg|timeit")
    readers = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if clocks.search(line) and path.name != "test_repo_setup.py"
    ]
    assert readers == []
