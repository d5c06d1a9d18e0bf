"""The book's own promises, checked on the committed notebooks (no kernel needed).

Every chapter installs nnlib on Colab from the repository that _config.yml names, imports
nnlib, is committed executed (so nbval compares every cell), writes nothing to stderr, gives
every figure alt text, and ends with exercises whose solutions are collapsed. The cells that
nbval may not compare are few, named here, and may not quietly grow in number.
"""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from set_repository import current_url  # noqa: E402

TOC = (ROOT / "_toc.yml").read_text()
CHAPTERS = sorted(ROOT / f"{page}.ipynb" for page in re.findall(r"file: (book/\d\d_\w+)", TOC))
APPENDICES = [ROOT / f"{page}.ipynb" for page in re.findall(r"file: (book/appendix_\w+)", TOC)]
PAGES = CHAPTERS + APPENDICES  # every executed page: the promises below hold for all of them

# Cells whose output truly cannot repeat, by notebook. Adding one needs a reason here.
IGNORED_OUTPUTS = {}

INSTALL_CELL = "\n".join([
    "# On Colab, or wherever nnlib is missing: install it from the book's repository,",
    "# with myst-nb, which puts the numbers that cells compute into the text.",
    "import importlib.util, subprocess, sys",
    'if importlib.util.find_spec("nnlib") is None:',
    '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "myst-nb",',
    f'                    "git+{current_url()}"], check=True)',
])


def cells(notebook, kind="code"):
    return [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == kind]


def source(cell):
    return "".join(cell["source"])


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def test_the_toc_lists_eleven_chapters():
    assert [p.stem[:2] for p in CHAPTERS] == [f"{i:02d}" for i in range(1, 12)]


def test_appendices_sit_in_an_unnumbered_part_after_the_chapters():
    parts = re.split(r"\n  - caption: ", TOC)[1:]
    numbered = [part for part in parts if re.search(r"\n    numbered: true\n", part)]
    appendix = [part for part in parts if "book/appendix_" in part]
    assert APPENDICES and len(appendix) == 1
    assert re.search(r"\n    numbered: false\n", appendix[0])
    assert not any("book/appendix_" in part for part in numbered)
    assert parts.index(appendix[0]) > parts.index(numbered[-1])


@pytest.mark.parametrize("notebook", PAGES, ids=lambda p: p.stem)
def test_first_cell_installs_nnlib_from_the_configured_repository(notebook):
    first = cells(notebook)[0]
    assert source(first) == INSTALL_CELL
    assert "remove-cell" in tags(first)


@pytest.mark.parametrize("notebook", PAGES, ids=lambda p: p.stem)
def test_chapter_imports_nnlib(notebook):
    assert re.search(r"^import nnlib$", source(cells(notebook)[1]), re.MULTILINE)


@pytest.mark.parametrize("notebook", PAGES, ids=lambda p: p.stem)
def test_committed_executed_and_quiet(notebook):
    """nbval skips a cell that never ran; a warning on stderr would fail the book build."""
    for i, cell in enumerate(cells(notebook)):
        assert cell["execution_count"] is not None, f"cell {i} was never executed"
        streams = [o for o in cell["outputs"] if o["output_type"] == "stream"]
        assert all(o["name"] == "stdout" for o in streams), f"cell {i} wrote to stderr"


@pytest.mark.parametrize("notebook", PAGES, ids=lambda p: p.stem)
def test_every_figure_has_alt_text(notebook):
    for i, cell in enumerate(cells(notebook)):
        if any("image/png" in o.get("data", {}) for o in cell["outputs"]):
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt.split()) >= 4, f"cell {i} shows a figure without alt text"


@pytest.mark.parametrize("notebook", PAGES, ids=lambda p: p.stem)
def test_exercises_with_collapsed_solutions(notebook):
    text = "\n".join(source(c) for c in cells(notebook, "markdown"))
    exercises = re.findall(r"\{exercise\}\s*\n:label: (\S+)", text)
    solutions = re.findall(r"\{solution\} (\S+)\s*\n:class: dropdown", text)
    assert len(exercises) >= 2
    assert sorted(exercises) == sorted(solutions)


def test_only_the_named_cells_skip_output_comparison():
    ignored = {nb.stem: sum("nbval-ignore-output" in tags(c) for c in cells(nb))
               for nb in PAGES}
    assert {k: v for k, v in ignored.items() if v} == IGNORED_OUTPUTS


def test_exercise_labels_are_unique_across_the_book():
    labels = [label for nb in PAGES for c in cells(nb, "markdown")
              for label in re.findall(r":label: (ex-\S+)", source(c))]
    assert len(labels) == len(set(labels))
