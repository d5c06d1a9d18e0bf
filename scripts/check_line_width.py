"""Report code lines and printed output lines wider than 80 characters in notebooks.

Usage: python scripts/check_line_width.py book/*.ipynb ; exits 1 if any shown line is too
wide. The page column holds about 80 characters of code at a 1300 px wide window.
Cells tagged remove-cell are not shown on the page and are reported apart.
"""
import re
import sys

import nbformat

WIDTH = 80


def too_wide(text):
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if len(line) > WIDTH]


def main(paths):
    found = 0
    for path in paths:
        nb = nbformat.read(path, 4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":   # code blocks in the prose, e.g. solutions
                for block in re.findall(r"```python\n(.*?)```", cell.source, re.S):
                    for _, line in too_wide(block):
                        print(f"{path} cell {i} markdown code ({len(line)}): {line}")
                        found += 1
            if cell.cell_type != "code":
                continue
            hidden = "remove-cell" in cell.metadata.get("tags", [])
            where = f"{path} cell {i}" + (" (remove-cell)" if hidden else "")
            for n, line in too_wide(cell.source):
                print(f"{where} code line {n} ({len(line)}): {line}")
                found += not hidden
            for out in cell.get("outputs", []):
                text = out.get("text", "") or out.get("data", {}).get("text/plain", "")
                if "image/png" in out.get("data", {}):
                    continue
                for n, line in too_wide(text):
                    print(f"{where} output line {n} ({len(line)}): {line}")
                    found += 1
    print(f"{found} lines wider than {WIDTH} characters")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
