"""Point the book at a repository: python scripts/set_repository.py https://github.com/you/repo

The launch buttons and the repository button read ``repository.url`` in _config.yml; the
first cell of every chapter installs nnlib from the same address when the notebook runs on
Colab or Binder. This rewrites both, so that they cannot drift apart
(tests/test_book.py checks that they agree).
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL_LINE = re.compile(r"^(  url: )(\S+)$", re.MULTILINE)  # repository.url in _config.yml


def current_url():
    """The repository URL that _config.yml names."""
    return URL_LINE.search((ROOT / "_config.yml").read_text()).group(2)


def main(new_url):
    if not re.fullmatch(r"https://\S+", new_url):
        sys.exit(f"expected a URL such as https://github.com/you/repo, got {new_url!r}")
    old_url = current_url()
    config = ROOT / "_config.yml"
    config.write_text(URL_LINE.sub(rf"\g<1>{new_url}", config.read_text(), count=1))
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        text = notebook.read_text()
        if f"git+{old_url}" in text:
            notebook.write_text(text.replace(f"git+{old_url}", f"git+{new_url}"))
            print(f"updated {notebook.relative_to(ROOT)}")
    print(f"repository.url: {old_url} -> {new_url}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
