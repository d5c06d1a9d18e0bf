"""Shared pytest set-up: the browser tests' Chromium, and hypothesis profiles.

Browser tests (tests/browser/) are marked ``@pytest.mark.browser`` and drive Debian's
Chromium through Playwright's sync API. They get everything they need from fixtures::

    @pytest.mark.browser
    def test_page_loads(chromium_launch_options):
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            browser = p.chromium.launch(**chromium_launch_options)
            ...

Where no Chromium is found (or Playwright is not installed) a browser test is skipped
with the reason and the fix, except under ``CI=true``, where it fails: CI must never
pass by skipping the browser suite. ``NNLIB_CHROMIUM=/path/to/chromium`` overrides the
search. Never ``playwright install``: browser downloads are impossible on the project's
machines; ``make test`` installs Debian's ``chromium`` (scripts/install-browser.sh).

Notebook kernels (nbval) that die before their first reply are started again: see
``retry_kernel_start``. Under pytest-xdist (``make test`` runs ``pytest -n 2``) the tests are
shared out in the units of ``work_unit``, longest first: see ``pytest_xdist_make_scheduler``.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import warnings
from pathlib import Path

import pytest

# Flags the project's machines need: headless as root in a sandbox-less container, and no
# background connections (the machine's closed network refuses them, noisily and slowly).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Nothing a page asks for leaves 127.0.0.1: every other host is reached through a proxy at
# 127.0.0.1:1, a closed port, so each such request fails at once (WebSockets too, hosts
# written as IP addresses, and this machine's other names: "<-loopback>" takes back
# Chromium's rule that loopback addresses never go through a proxy). The tests see those
# requests with Playwright's "request" event. (Intercepting every request with route()
# instead cost half a second of CPU per page.)
OFFLINE_PROXY = {"server": "http://127.0.0.1:1", "bypass": "<-loopback>, 127.0.0.1"}

ENABLE_HINT = (
    "install Debian's Chromium (`sudo apt-get install chromium`; `make test` does it when "
    "run as root) or set NNLIB_CHROMIUM=/path/to/chromium"
)


def in_ci() -> bool:
    """True when the CI environment variable says so (CI=true, as CI sets it)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def find_chromium() -> str | None:
    """Return the path of a Chromium executable, or None.

    NNLIB_CHROMIUM wins when set (and must then point at an executable); otherwise
    Debian's /usr/bin/chromium, then `chromium` or `chromium-browser` on PATH.
    """
    override = os.environ.get("NNLIB_CHROMIUM")
    if override:
        path = Path(override)
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_unavailable_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    if find_chromium() is None:
        where = os.environ.get("NNLIB_CHROMIUM") or "/usr/bin/chromium"
        return f"Chromium not found at {where}: {ENABLE_HINT}"
    return None


SKIP_PREFIX = "browser test skipped: "


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is None:
        return
    reason = browser_unavailable_reason()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"CI=true and the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(SKIP_PREFIX + reason)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say plainly, once, at the end of the run, that the browser suite did not run.

    Reads the skip reports rather than a module-level list, so it also works under
    pytest-xdist, where the tests run in worker processes.
    """
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and SKIP_PREFIX in str(report.longrepr[2])
    ]
    if skipped:
        terminalreporter.write_sep("=", "browser tests skipped", yellow=True)
        terminalreporter.write_line(
            f"{len(skipped)} browser test(s) did not run: {browser_unavailable_reason()}."
        )


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Path of the Chromium the browser tests drive (skips or fails as above if missing)."""
    path = find_chromium()
    if path is None:  # only reached by a test that forgot the `browser` marker
        message = f"no Chromium: {ENABLE_HINT}"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def chromium_launch_options(chromium_executable: str) -> dict:
    """Keyword arguments for Playwright's ``p.chromium.launch(**options)``."""
    return {"executable_path": chromium_executable, "args": list(CHROMIUM_ARGS),
            "proxy": dict(OFFLINE_PROXY)}


# --------------------------------------------------------------------------------------------
# Notebook kernels

KERNEL_START_ATTEMPTS = 3


def retry_kernel_start(start, attempts=KERNEL_START_ATTEMPTS):
    """Wrap a kernel start function so that a kernel which fails to start is started again.

    When two pytest-xdist workers start kernels at the same moment, a kernel can die before it
    answers its first request ("Kernel died before replying to kernel_info"): each process
    picks free ports for its kernel by briefly binding them, and the other process's kernel
    can take one in between. jupyter_client reports this, and a kernel that does not answer
    within the start-up timeout, as RuntimeError, after shutting that kernel down; a fresh
    kernel with fresh ports then starts cleanly. Nothing has run in it yet, so a retry cannot
    hide an error in a notebook.
    """

    @functools.wraps(start)
    def start_with_retries(*args, **kwargs):
        for attempt in range(1, attempts + 1):
            try:
                return start(*args, **kwargs)
            except RuntimeError as error:
                if attempt == attempts:
                    raise
                # said in the warnings summary, so that a machine where it happens often shows
                warnings.warn(f"kernel start {attempt} of {attempts} failed ({error}); "
                              "starting a fresh kernel", stacklevel=2)

    return start_with_retries


def pytest_configure(config):
    """nbval starts each notebook's kernel with nbval.kernel.start_new_kernel: retry it."""
    if config.pluginmanager.hasplugin("nbval"):
        import nbval.kernel

        if not hasattr(nbval.kernel.start_new_kernel, "__wrapped__"):
            nbval.kernel.start_new_kernel = retry_kernel_start(nbval.kernel.start_new_kernel)


# --------------------------------------------------------------------------------------------
# Sharing the tests between pytest-xdist workers


def work_unit(nodeid: str) -> str:
    """The tests one worker runs together: a notebook, a test module, or one page's tests.

    A notebook's cells run in order in one kernel, and a module's module-scoped fixtures are
    made once, so each stays on one worker. The exception is a browser test parametrized by a
    page of the book ("...[book/03_layers.html]"): each page is a unit of its own (its tests
    share one visit to the page), so the pages spread over the workers instead of one module
    keeping one worker busy for most of the run.
    """
    path, _, test = nodeid.partition("::")
    page = re.search(r"\[([\w./-]+\.html)\]$", test)
    return f"{path}::{page.group(1)}" if page else path


def pytest_xdist_make_scheduler(config, log):
    """With ``-n N`` (xdist's default ``--dist load``), share out ``work_unit``s in the order of
    the collection (pytest_collection_modifyitems puts the longest first)."""
    if config.getvalue("dist") != "load":
        return None  # an explicit --dist loadfile, each, ... keeps xdist's own scheduler
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)

    config.option.loadscopereorder = False  # keep our order, not the number of tests per unit
    return WorkUnitScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """Notebooks first, the largest first: a notebook's stored outputs grow with what it
    computes, a fair guess at its running time; the short tests then fill the workers' ends."""

    def notebooks_first(item):
        path = Path(str(item.path))
        return (0, -path.stat().st_size) if path.suffix == ".ipynb" else (1, 0)

    items.sort(key=notebooks_first)  # stable: a notebook's cells keep their order


# Hypothesis: no per-example deadline (two xdist workers share two cores, so timings jitter);
# under CI, a fixed derandomised search so that two runs of the suite do the same thing.
try:
    from hypothesis import settings
except ImportError:  # hypothesis is in requirements-dev.txt; stay importable without it
    pass
else:
    settings.register_profile("dev", deadline=None)
    settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
    settings.load_profile("ci" if in_ci() else "dev")
