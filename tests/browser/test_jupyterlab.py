"""The live explorers in JupyterLab, as a reader uses them: run the cells, move a control, see
the picture change.

One JupyterLab server for the module, from this environment, on 127.0.0.1 (a port the system
picks), serving book/ with a token. Its configuration, runtime files, settings, workspaces,
IPython folder and trust database live in a temporary folder, so it reads and writes nothing of
the user's; autosave is off, and the test checks at the end that the notebooks on disk are
unchanged. Headless Chromium (the ``browser`` fixture) loads JupyterLab once, in one tab, and
opens each chapter there (the second from the file browser), runs only the cells the explorer
needs (the import cell and the explorer's own, with the keyboard as a reader does), waits for
the ipywidgets view, then moves its controls. After each move the <img> of the Image widget
must get a new src, its bytes (the PNG) must be the picture expected (a new one, or the same
one again when a setting is undone), and the status line under it must say the new setting;
no cell that ran may show an error. Each test shuts its notebook's kernel down when it ends,
so one kernel runs at a time. Most of the cost is Chromium loading JupyterLab, then each
kernel's imports and the explorer's first display (which also draws its page version's frames).

Every wait is for a condition, with a generous bound: no sleeps, no timing asserted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT, leaves_the_machine

BOOK = ROOT / "book"
NOTEBOOKS = ["06_backpropagation.ipynb", "10_explorers.ipynb"]
SAVE_FOLDERS = [".ipynb_checkpoints", ".virtual_documents"]   # what saving or LSP would add

# Bounds, in seconds, for conditions that hold within a few seconds on an idle machine. CI's two
# cores are shared with the notebook tests, so they are generous: a slow machine passes, a
# hung server or kernel fails instead of stopping the run.
SERVER_START, SERVER_STOP, REQUEST = 120, 30, 10
# Playwright's waits (ms; every expect() names its own: expect's default is 5 s).
KERNEL, UI = 180_000, 60_000         # a kernel's work; the page's answer

# The reader's JupyterLab, less what would write to book/ or reach another machine: no
# autosave (running a cell changes the notebook in memory), no news or update checks.
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}
# No build check: it only asks whether the installed extensions need a rebuild (seconds of CPU).
PAGE_CONFIG = {"buildCheck": False, "buildAvailable": False}

# The image's bytes, as the browser holds them (a blob: URL), by their SHA-256.
IMAGE_DIGEST = """async img => {
  const bytes = await (await fetch(img.src)).arrayBuffer();
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, "0")).join("");
}"""


# --------------------------------------------------------------------------------------------
# The server


@dataclass
class JupyterLab:
    url: str                 # "http://127.0.0.1:<port>/"
    token: str
    log: Path

    def api(self, path: str, method: str = "GET"):
        """Call the server's REST API; return the decoded JSON (None for an empty answer)."""
        request = urllib.request.Request(self.url + path.lstrip("/"), method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=REQUEST) as response:
            body = response.read()
        return json.loads(body) if body else None



def _private_jupyter(folder: Path) -> dict:
    """Environment variables and files that give the server its own, empty, user folders."""
    env = dict(os.environ)
    for variable, name in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                           ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                           ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                           ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")]:
        env[variable] = str(folder / name)
        (folder / name).mkdir(parents=True, exist_ok=True)
    for plugin, values in SETTINGS.items():
        path = folder / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    (folder / "config" / "labconfig").mkdir()
    (folder / "config" / "labconfig" / "page_config.json").write_text(json.dumps(PAGE_CONFIG))
    # As in the Makefile: one BLAS thread, tools from this environment, the kernel's own
    # figure backend (a stray MPLBACKEND=Agg would stop figures from showing).
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("MPLBACKEND", None)
    return env


def _start(folder: Path) -> tuple[subprocess.Popen, JupyterLab]:
    env, token, log = _private_jupyter(folder), secrets.token_hex(24), folder / "server.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={BOOK}",
               "--NotebookNotary.db_file=:memory:", "--LabApp.news_url=None",
               # Opening a notebook makes a checkpoint of it: in our folder, not in book/.
               f"--FileCheckpoints.checkpoint_dir={folder / 'checkpoints'}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly"]
    with log.open("w") as stream:
        process = subprocess.Popen(command, env=env, cwd=folder, stdin=subprocess.DEVNULL,
                                   stdout=stream, stderr=subprocess.STDOUT,
                                   start_new_session=True)   # its own group: stopped as one
    # The server writes its address to runtime/jpserver-<pid>.json once it listens.
    info_file = folder / "runtime" / f"jpserver-{process.pid}.json"
    # A bounded number of looks, a fifth of a second apart: no clock is read in a test.
    for _ in range(int(SERVER_START / 0.2)):
        if process.poll() is not None:
            break
        try:
            info = json.loads(info_file.read_text())
            lab = JupyterLab(f"http://127.0.0.1:{info['port']}/", token, log)
            lab.api("api/status")
            return process, lab
        except (OSError, ValueError, KeyError):   # not written, half written, not answering
            time.sleep(0.2)
    _stop(process)
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
    raise RuntimeError(f"JupyterLab did not start (exit code {process.returncode}):\n{tail}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM: the server shuts its kernels down and exits; SIGKILL if it does not."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(SERVER_STOP)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(SERVER_STOP)


def _book_state() -> dict:
    """The notebooks' digests, and whether the folders a save would make exist."""
    state = {name: hashlib.sha256((BOOK / name).read_bytes()).hexdigest() for name in NOTEBOOKS}
    return state | {name: (BOOK / name).exists() for name in SAVE_FOLDERS}


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving book/ (see the module docstring)."""
    before = _book_state()
    for attempt in (1, 2):   # a port the system gave can be taken before the server binds it
        try:
            process, lab = _start(tmp_path_factory.mktemp("jupyterlab"))
            break
        except RuntimeError:
            if attempt == 2:
                raise
    try:
        yield lab
    finally:
        _stop(process)
    assert _book_state() == before, "JupyterLab changed book/"


# --------------------------------------------------------------------------------------------
# A notebook in the reader's browser


class LabPage:
    """JupyterLab in a browser tab (one per module: it loads once), opening notebooks of book/.

    Every request to anything but 127.0.0.1 is recorded (and fails: the browser's proxy, see
    OFFLINE_PROXY in tests/conftest.py), and so are uncaught exceptions: ``assert_clean()``
    fails on either.
    """

    def __init__(self, browser, lab: JupyterLab):
        self.lab, self.loaded = lab, False
        self.remote_requests: list[str] = []
        self.page_errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.on("request", self._request)
        self.context.set_default_timeout(UI)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        # the notebook on show: the others' panels are hidden
        self.notebook = self.page.locator(".jp-NotebookPanel:visible")

    def _request(self, request):
        if leaves_the_machine(request.url):
            self.remote_requests.append(request.url)

    def open(self, notebook: str):
        """Open book/<notebook> and wait until its kernel is idle: the first time with JupyterLab
        itself (a fresh workspace), then from the file browser, as a reader opens a chapter."""
        from playwright.sync_api import expect

        if not self.loaded:
            self.page.goto(f"{self.lab.url}lab/tree/{notebook}?reset&token={self.lab.token}")
            self.loaded = True
        else:
            self.page.locator(".jp-DirListing-item").filter(
                has=self.page.get_by_text(notebook, exact=True)).dblclick()
        expect(self.page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
               ).to_contain_text(notebook, timeout=UI)
        # The kernel of the notebook on show (the last one's was shut down: "No Kernel").
        expect(self.page.locator("#jp-main-statusbar")).to_contain_text(
            "Python 3 (ipykernel) | Idle", timeout=KERNEL)

    def code_cell(self, text: str):
        """The one code cell of the notebook on show whose source holds text."""
        from playwright.sync_api import expect

        cell = self.notebook.locator(".jp-CodeCell").filter(
            has=self.page.locator(".jp-InputArea-editor", has_text=text))
        expect(cell).to_have_count(1, timeout=UI)
        return cell

    def run(self, cell):
        """Select the cell and run it with Ctrl+Enter, as a reader does (no wait)."""
        cell.locator(".jp-InputPrompt").click()
        self.page.keyboard.press("Control+Enter")

    def shut_down_kernels(self):
        """Shut every kernel down (through the server's API), so one runs at a time."""
        for session in self.lab.api("api/sessions"):
            self.lab.api(f"api/sessions/{session['id']}", method="DELETE")

    def assert_clean(self):
        problems = ([f"requested off-machine: {url}" for url in self.remote_requests]
                    + [f"uncaught: {text}" for text in self.page_errors])
        dialogs = self.page.locator(".jp-Dialog")   # e.g. "Kernel Restarting", "Kernel died"
        if dialogs.count():
            problems += [f"dialog: {text}" for text in dialogs.all_inner_texts()]
        assert not problems, "\n".join(problems)

    def screenshot_pages(self):   # for tests/browser/conftest.py's screenshots of failures
        return [("", self)]

    def screenshot(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))


@pytest.fixture(scope="module")
def jupyter_lab_page(browser, jupyter_lab):
    page = LabPage(browser, jupyter_lab)
    yield page
    page.context.close()


@pytest.fixture
def lab_page(jupyter_lab_page):
    """The module's JupyterLab tab; the test's kernel is shut down when the test ends."""
    yield jupyter_lab_page
    jupyter_lab_page.shut_down_kernels()


class Explorer:
    """The ipywidgets view of an explorer in a cell's output: its picture and status line."""

    def __init__(self, cell):
        from playwright.sync_api import expect

        self.cell = cell
        self.view = cell.locator(".jp-OutputArea-output .jupyter-widgets.widget-vbox").first
        self.image = self.view.locator("img.widget-image")
        self.status = self.view.locator(":scope > .widget-label")
        expect(self.image).to_have_attribute("src", re.compile(r"^blob:"), timeout=KERNEL)
        self.src, self.digest = self.picture()

    def picture(self) -> tuple[str, str]:
        """The image's src and the SHA-256 of its bytes."""
        handle = self.image.element_handle()
        return handle.get_attribute("src"), handle.evaluate(IMAGE_DIGEST)

    def wait_for_new_picture(self, status: str) -> str:
        """Wait until the image has a new src and the status line says status; return the
        new picture's digest."""
        from playwright.sync_api import expect

        # The kernel sends the picture, then the status line: wait for both.
        expect(self.image).not_to_have_attribute("src", self.src, timeout=UI)
        expect(self.status).to_contain_text(status, timeout=UI)
        self.src, self.digest = self.picture()
        return self.digest


def assert_no_error(cell):
    """No traceback or warning in the cell's output, and no widget that failed to show."""
    errors = cell.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.all_inner_texts()
    assert "Error displaying widget" not in cell.locator(".jp-OutputArea").inner_text()


def open_and_run(lab_page: LabPage, notebook: str, explorer_line: str) -> Explorer:
    """Open the chapter, run its import cell and the explorer's cell; return the explorer."""
    from playwright.sync_api import expect

    lab_page.open(notebook)
    imports = lab_page.code_cell("import nnlib.explore")
    cell = lab_page.code_cell(explorer_line)
    lab_page.run(imports)
    lab_page.run(cell)                       # queued behind the imports
    expect(imports.locator(".jp-InputPrompt")).to_have_text("[1]:", timeout=KERNEL)
    expect(cell.locator(".jp-InputPrompt")).to_have_text("[2]:", timeout=KERNEL)
    explorer = Explorer(cell)
    assert_no_error(imports)
    assert_no_error(cell)
    return explorer


# --------------------------------------------------------------------------------------------
# The tests


@pytest.mark.browser
def test_backprop_explorer_steps_and_bugs(lab_page):
    """Chapter 6: next and the keyboard move the step; the bug menu changes what it shows."""
    from playwright.sync_api import expect

    explorer = open_and_run(lab_page, "06_backpropagation.ipynb",
                            "explorer = nnlib.explore.BackpropExplorer()")
    view, first = explorer.view, explorer.digest
    expect(explorer.status).to_contain_text("Step 1 of 14", timeout=UI)

    view.get_by_role("button", name="next").click()
    second = explorer.wait_for_new_picture("Step 2 of 14")
    assert second != first

    view.locator(".widget-slider .noUi-handle").press("End")   # the slider, from the keyboard
    last = explorer.wait_for_new_picture("Step 14 of 14")
    assert last not in (first, second)

    # The draft's first bug changes the backward pass, so the last step's numbers: the picture
    # marks them wrong. Back to no bug, the picture is the first one of this step again.
    view.locator(".widget-dropdown select").select_option("f instead of f'")
    buggy = explorer.wait_for_new_picture("Wrong so far")
    assert buggy != last
    view.locator(".widget-dropdown select").select_option("none")
    assert explorer.wait_for_new_picture("Step 14 of 14") == last
    expect(explorer.status).not_to_contain_text("Wrong", timeout=UI)

    assert_no_error(explorer.cell)
    lab_page.assert_clean()


@pytest.mark.browser
def test_learning_rate_explorer_slider(lab_page):
    """Chapter 10: one keyboard step of the learning-rate slider retrains and redraws."""
    from playwright.sync_api import expect

    explorer = open_and_run(lab_page, "10_explorers.ipynb",
                            "nnlib.explore.LearningRateExplorer()")
    first = explorer.digest
    expect(explorer.status).to_contain_text("Learning rate 0.1:", timeout=UI)

    explorer.view.locator(".widget-slider .noUi-handle").press("ArrowRight")   # 10**-0.9
    assert explorer.wait_for_new_picture("Learning rate 0.126:") != first

    assert_no_error(explorer.cell)
    lab_page.assert_clean()
