"""The Sphinx extension book/_ext/book_html.py, on a one-page book built in a temporary folder.

The real book's pages are checked in test_pages.py; here a tiny book shows that the extension
does each of its jobs on its own (MathJax copied, Thebe gone, ARIA roles fixed) and that its
guard fails the build when a page would load a script from the network.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

CONFIG = """\
title: One page
only_build_toc_files: true
execute:
  execute_notebooks: "off"
bibtex_bibfiles:
  - refs.bib
sphinx:
  local_extensions:
    book_html: {ext}
  config:
    mathjax_path: mathjax/tex-mml-chtml.js
{extra}"""

PAGE = """\
# One page

An equation, $a = g(Wx + b)$, and a citation {cite:p}`knuth1984`.

```{bibliography}
```
"""

BIB = (
    "@book{knuth1984, author={Donald Knuth}, title={The TeXbook}, "
    "publisher={Addison-Wesley}, year={1984}}\n"
)


def build(folder: Path, extra: str = "") -> tuple[int, str]:
    folder.mkdir()
    (folder / "_config.yml").write_text(CONFIG.format(ext=ROOT / "book" / "_ext", extra=extra))
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (folder / "index.md").write_text(PAGE)
    (folder / "refs.bib").write_text(BIB)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    run = subprocess.run(
        [str(jupyter_book), "build", str(folder), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    return run.returncode, run.stdout + run.stderr


def test_extension_serves_mathjax_drops_thebe_and_fixes_roles(tmp_path):
    code, log = build(tmp_path / "book")
    assert code == 0, log[-3000:]
    site = tmp_path / "book" / "_build" / "html"
    page = (site / "index.html").read_text()
    assert '<script defer="defer" src="_static/mathjax/tex-mml-chtml.js' in page
    assert (site / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert (site / "_static" / "mathjax" / "input" / "tex" / "extensions").is_dir()
    assert "thebe" not in page.lower()
    assert not (site / "_static" / "sphinx-thebe.js").exists()
    assert 'role="listitem"' in page and "doc-biblioentry" not in page


def test_extension_fails_the_build_on_a_remote_script(tmp_path):
    extra = "    html_js_files:\n      - https://cdn.example.org/lib.js\n"
    code, log = build(tmp_path / "book", extra)
    assert code != 0
    assert "loads https://cdn.example.org/lib.js from the network" in log
