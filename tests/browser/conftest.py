"""Fixtures for the browser tests: the built book, served on 127.0.0.1, seen by Chromium.

    book_site   (session)  Path of the built HTML site. `make test` builds the book first
                           and names it: NNLIB_BOOK_HTML=path/to/_build/html tests an existing
                           build (say, after `make book`). Without it the book is built ONCE
                           per test run, as `make test` builds it: from the committed outputs,
                           execution off (scripts/book_config.py); under pytest-xdist the first
                           worker that asks builds it under a file lock, the others reuse it.
    book_url    (session)  "http://127.0.0.1:<port>/", an http.server over book_site.
    browser     (module)   A headless Playwright Browser: Debian's Chromium with the flags of
                           tests/conftest.py. Module-scoped, so a module that starts its own
                           sync_playwright() still can (two sync Playwrights clash in a thread).
    book_page   (function) A BookPage: a visit in light mode (one tab per module, its storage and
                           records cleared for each test), whose every request to anything
                           but 127.0.0.1 fails and is recorded, and whose console errors,
                           uncaught exceptions and failed loads are recorded. Use
                           ``book_page.goto("book/10_explorers.html")``, drive
                           ``book_page.page`` (a Playwright Page), end with
                           ``book_page.assert_clean()``. A failing test's page is saved as a
                           screenshot in _build/browser-failures/.

A test that needs Chromium carries ``@pytest.mark.browser``: without Chromium it is skipped
locally and fails under CI=true (tests/conftest.py). The build needs no browser, so the tests
of the built HTML itself (links, alt text, remote assets) run everywhere.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAILURES = ROOT / "_build" / "browser-failures"

# The same flags as `make book`: warnings are errors, nit-picky cross-references, every page.
BUILD_FLAGS = ["-W", "-n", "--keep-going", "--all"]
# Writes _config.yml with notebook execution off (the build `make test` checks).
BOOK_CONFIG = ROOT / "scripts" / "book_config.py"

# Hosts a page may load from. A request anywhere else fails (the browser's proxy) and fails
# the test.
LOCAL_HOSTS = {"127.0.0.1"}


def leaves_the_machine(url: str) -> bool:
    """Whether loading url asks another machine: not for 127.0.0.1, nor for the data: and
    blob: URLs that a page makes from what it already holds."""
    parts = urlparse(url)
    return parts.scheme not in ("data", "blob", "about") and parts.hostname not in LOCAL_HOSTS


# --------------------------------------------------------------------------------------------
# The table of contents


def toc_docnames(toc_file: Path = ROOT / "_toc.yml") -> list[str]:
    """Every page of the book, in reading order: the root, then each part's chapters and their
    sections (jb-book format). Entries that are external URLs are not pages of ours."""
    import yaml

    toc = yaml.safe_load(toc_file.read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            elif "glob" in entry:
                raise ValueError(f"_toc.yml: glob entries are not supported by the tests: {entry}")
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return [re.sub(r"\.(md|ipynb)$", "", name) for name in names]


def toc_pages() -> list[str]:
    """The HTML file of every page in the table of contents, relative to the site root."""
    return [f"{name}.html" for name in toc_docnames()]


# --------------------------------------------------------------------------------------------
# Building the book once


def _shared_dir(tmp_path_factory) -> Path:
    """A folder that every pytest-xdist worker of this run shares (the basetemp's parent is the
    run's own temporary folder under xdist; without xdist, basetemp itself)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _log_tail(log: Path, lines: int = 60) -> str:
    noise = ("[IPKernelApp] WARNING", "Kernel is running over TCP")
    text = log.read_text(errors="replace")
    kept = [line for line in text.splitlines() if not line.startswith(noise)]
    return "\n".join(kept[-lines:])


def build_book(out: Path, log: Path) -> int:
    """Build the book into out/_build/html as `make test` does (from the committed outputs,
    execution off); return jupyter-book's exit code."""
    config = out / "config-no-execute.yml"
    subprocess.run([sys.executable, str(BOOK_CONFIG), str(config)], check=True)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book) if jupyter_book.exists() else "jupyter-book", "build", str(ROOT),
               "--config", str(config), "--path-output", str(out), *BUILD_FLAGS]
    env = dict(os.environ)
    # As in the Makefile: tools come from this environment, and a stray MPLBACKEND=Agg would
    # change how ipykernel shows figures.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("MPLBACKEND", None)
    with log.open("w") as stream:
        stream.write("$ " + " ".join(command) + "\n")
        stream.flush()
        code = subprocess.run(command, stdout=stream, stderr=subprocess.STDOUT, env=env,
                              cwd=ROOT, stdin=subprocess.DEVNULL).returncode
        stream.write(f"\n[tests/browser] jupyter-book exit code {code}\n")
    return code


@pytest.fixture(scope="session")
def book_site(tmp_path_factory) -> Path:
    """The built book's HTML folder; built once per run (see the module docstring)."""
    override = os.environ.get("NNLIB_BOOK_HTML")
    if override:
        site = Path(override).resolve()
        if not (site / "index.html").is_file():
            pytest.fail(f"NNLIB_BOOK_HTML={override} has no index.html", pytrace=False)
        return site

    from filelock import FileLock

    shared = _shared_dir(tmp_path_factory)
    out, log, status = shared / "book", shared / "book-build.log", shared / "book-build.json"
    with FileLock(str(shared / "book-build.lock")):
        if not status.exists():  # the first process here builds; the others reuse its result
            shutil.rmtree(FAILURES, ignore_errors=True)
            code = build_book(out, log)
            status.write_text(json.dumps({"returncode": code}))
        code = json.loads(status.read_text())["returncode"]
    if code != 0:
        FAILURES.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, FAILURES / "book-build.log")
        pytest.fail(
            f"the book did not build (jupyter-book exit code {code}; full log: "
            f"{FAILURES / 'book-build.log'}):\n{_log_tail(log)}",
            pytrace=False,
        )
    return out / "_build" / "html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".svg": "image/svg+xml",
    }

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="session")
def book_url(book_site: Path):
    """Base URL of the built book, served by http.server on 127.0.0.1 (a free port)."""
    handler = functools.partial(_QuietHandler, directory=str(book_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------------------------
# Chromium


@pytest.fixture(scope="module")
def browser(chromium_launch_options):
    """Headless Chromium through Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(**chromium_launch_options)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


# Wait until MathJax (if the page loads it) has typeset the page; say what happened.
WAIT_FOR_MATHJAX = """async () => {
  if (!document.querySelector('script[src*="mathjax"]')) return 'absent';
  const start = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - start > 30000) return 'not started';
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  await MathJax.startup.promise;
  return 'typeset';
}"""


# Of the elements that repeat by the thousand, each styled by its kind alone (highlighted code
# tokens, inline code, equations), one of each kind keeps its element: the first whose text
# axe can judge (two characters or more), a kind being the element's tag and class within
# the same ancestors'. The others become plain text of their parent. An equation's text is
# what a screen reader reads of it (the assistive MathML's); with equationsAsText, the kept
# equations are reduced to it too. See BookPage.axe().
SAMPLE = """equationsAsText => {
  const kind = el => {
    const path = [];
    for (; el && el !== document.body; el = el.parentElement) {
      path.push(el.tagName + '.' + (el.getAttribute('class') || ''));
    }
    return path.join(' < ');
  };
  const sample = (selector, textOf, keep = () => {}, wrapperOf = el => el) => {
    const items = [...document.querySelectorAll(selector)]
      .map(el => ({el, kind: kind(el), text: textOf(el)}));
    const samples = new Map();
    for (const item of items) {
      const sample = samples.get(item.kind);
      if (!sample || (sample.text.length < 2 && item.text.length >= 2)) {
        samples.set(item.kind, item);
      }
    }
    const kept = new Set(samples.values());
    for (const item of items) {
      if (kept.has(item)) keep(item);
      else wrapperOf(item.el).replaceWith(document.createTextNode(item.text));
    }
    return kept.size;
  };
  const kept = {
    tokens: sample('div.highlight pre span:not(:has(span))', el => el.textContent),
    code: sample('code.literal', el => el.textContent),
    equations: sample(
      'mjx-container',
      el => (el.querySelector('mjx-assistive-mml') || el).textContent.trim(),
      item => equationsAsText && item.el.replaceChildren(document.createTextNode(item.text)),
      el => el.parentElement.closest('.math') || el),   // Sphinx's span or div around it
  };
  document.querySelectorAll('div.highlight pre').forEach(pre => pre.normalize());
  return kept;
}"""


class BookPage:
    """A Playwright page on the served book that records what a test must not see.

    remote_requests   URLs the page asked for anywhere but 127.0.0.1 (none can leave the
                      machine: see OFFLINE_PROXY in tests/conftest.py)
    console_errors    console.error messages and uncaught exceptions
    failed_requests   local resources that failed to load or answered 4xx/5xx
    """

    # A reader's window: at 1300 px the page column holds about 80 characters of code.
    WINDOW = {"width": 1300, "height": 900}

    def __init__(self, browser, base_url: str, dark: bool = False):
        self.base_url, self.dark = base_url, dark
        self.remote_requests: list[str] = []
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.recording = True
        self.mathjax = "not loaded"
        self.context = browser.new_context(
            viewport=self.WINDOW,
            color_scheme="dark" if dark else "light",
        )
        if dark:
            # The reader chose dark mode: the theme keeps that choice in localStorage and
            # applies it before painting. (Light mode is a first visit: nothing stored, the
            # theme follows the system's light colour scheme.)
            self.context.add_init_script(
                "try { localStorage.setItem('mode', 'dark'); "
                "localStorage.setItem('theme', 'dark'); } catch (e) {}"
            )
        self.context.on("request", self._request)
        # Generous: CI's two cores are shared with the notebook tests running beside these.
        self.context.set_default_timeout(60_000)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    # -- event handlers
    def _request(self, request):
        if leaves_the_machine(request.url):
            self.remote_requests.append(request.url)  # recorded even while a checker runs

    def _console(self, message):
        if message.type == "error" and self.recording:
            location = message.location or {}
            where = location.get("url", "")
            self.console_errors.append(f"{message.text}" + (f" ({where})" if where else ""))

    def _request_failed(self, request):
        # A request the page itself gave up (ERR_ABORTED: the front page sends the browser on
        # before its icon has arrived) is not a resource that failed to load.
        if (urlparse(request.url).hostname in LOCAL_HOSTS and self.recording
                and request.failure != "net::ERR_ABORTED"):
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def _response(self, response):
        if response.status >= 400 and self.recording:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")

    # -- use
    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def goto(self, path: str):
        """Open a page of the book (a path relative to the site root); wait for MathJax."""
        response = self.page.goto(self.url(path), wait_until="load")
        self.mathjax = self.page.evaluate(WAIT_FOR_MATHJAX)
        return response

    def forget(self):
        """Start afresh in this tab: nothing stored by the pages (such as a dark mode a test
        chose) and nothing recorded yet. The browser's cache stays, as for a reader who goes on
        to the next chapter; a new context for every page would cost a second of CPU each."""
        if self.page.url.startswith(self.base_url):
            self.page.evaluate("() => localStorage.clear()")
        self.remote_requests.clear()
        self.console_errors.clear()
        self.failed_requests.clear()
        self.mathjax = "not loaded"

    def axe(self, options: dict | None = None, equations_as_text: bool = False) -> dict:
        """Run axe-core on the page; return its results (a dict with "violations").

        axe's cost grows with the number of elements, its colour-contrast rule's most of all
        (~1 ms per element with text). Syntax highlighting makes one element per token (5,000
        on one chapter), MathJax a tree of elements per equation (10,000 of a chapter's
        15,000), Sphinx one or two per piece of inline code. Elements of one kind within the
        same ancestors share their colours, their background and their markup, so axe sees one
        of each kind as it is and the others as plain text (SAMPLE): a tenth of the elements.
        This changes the page: run axe last.

        equations_as_text, for the colour rules: MathJax's glyphs are CSS-generated content,
        which the colour-contrast rule cannot see, drawn in one colour, the container's. With
        each kept equation reduced to its own text, the rule checks the colour of the
        equations on each background they sit on. The other rules need MathJax's markup.

        axe re-fetches the page's stylesheets to inspect them and resolves the theme's
        ``@import "../basic.css"`` against the page instead of the stylesheet: a 404 that no
        reader sees. So failed loads and console errors are not recorded while axe runs.
        """
        from axe_playwright_python.sync_playwright import Axe

        self.page.evaluate(SAMPLE, equations_as_text)
        self.recording = False
        try:
            options = options or {"resultTypes": ["violations"]}
            return Axe().run(self.page, options=options).response
        finally:
            self.recording = True

    def problems(self) -> list[str]:
        return (
            [f"requested off-machine: {url}" for url in self.remote_requests]
            + [f"console error: {text}" for text in self.console_errors]
            + [f"failed to load: {text}" for text in self.failed_requests]
        )

    def assert_clean(self):
        """No off-machine request, console error or failed load so far."""
        problems = self.problems()
        assert not problems, "\n".join(problems)

    def screenshot(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def book_tab(browser, book_url):
    """One guarded, light-mode BookPage for a module's tests (see book_page)."""
    page = BookPage(browser, book_url)
    yield page
    page.close()


@pytest.fixture
def book_page(book_tab):
    """A guarded, light-mode BookPage on the served book: the module's tab, with what the
    last test stored and recorded forgotten."""
    book_tab.forget()
    return book_tab


# --------------------------------------------------------------------------------------------
# Screenshots of failures


def failure_path(nodeid: str, suffix: str = "") -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.removeprefix("tests/browser/")).strip("_")
    return FAILURES / f"{name}{suffix}.png"


def _screenshot_targets(value) -> list:
    """(file-name suffix, function(path)) for each page a fixture value holds."""
    if isinstance(value, BookPage):
        return [("", value.screenshot)]
    if callable(getattr(value, "screenshot_pages", None)):  # e.g. a report with light and dark
        return [(suffix, page.screenshot) for suffix, page in value.screenshot_pages()]
    try:
        from playwright.sync_api import Page
    except ImportError:
        return []
    if isinstance(value, Page):
        return [("", lambda path: value.screenshot(path=str(path), full_page=True))]
    return []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, save what its pages showed in _build/browser-failures/."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    saved = []
    for value in getattr(item, "funcargs", {}).values():
        for suffix, take in _screenshot_targets(value):
            path = failure_path(item.nodeid, suffix)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                take(path)
            except Exception as error:  # a crashed page must not hide the real failure
                saved.append(f"(no screenshot{suffix}: {error})")
            else:
                saved.append(str(path))
    if saved:
        report.sections.append(("screenshots of the failing page", "\n".join(saved)))
