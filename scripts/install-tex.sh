#!/usr/bin/env bash
# Make the TeX that `make pdf` needs available: Debian's packages, a lean set.
#
# Jupyter Book 1's LaTeX builder writes LaTeX and runs latexmk with XeLaTeX (_config.yml,
# latex_engine), which reads the book's Unicode (α, ∂, →) as it is. The set below is about
# 85 MB to download (390 MB on disk) and has every package the LaTeX uses, except bbm.sty,
# which book/_latex/bbm.sty stands in for. texlive-fonts-extra would add it, at 500+ MB:
# not needed. poppler-utils (pdftotext, pdfimages) lets tests/test_publish.py read the PDF.
#
# As root with apt-get, this installs the missing packages; otherwise it prints the
# command for an administrator and fails, since `make pdf` cannot work without them.
set -uo pipefail

packages=(latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended
          texlive-xetex fonts-freefont-otf tex-gyre poppler-utils)

missing() {
    # Every tool the build calls, and the fonts and styles it loads.
    command -v latexmk >/dev/null && command -v xelatex >/dev/null \
        && command -v pdftotext >/dev/null && command -v pdfimages >/dev/null \
        && kpsewhich fncychap.sty tgtermes.sty >/dev/null 2>&1 \
        && [[ "$(fc-list : family 2>/dev/null)" == *FreeSerif* ]] && return 1
    return 0
}

if ! missing; then
    echo "pdf: using $(xelatex --version | head -n 1)"
    exit 0
fi

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "pdf: installing Debian's TeX packages (apt-get, about 85 MB): ${packages[*]} ..."
    export DEBIAN_FRONTEND=noninteractive
    # Only the packages, no documentation or recommended extras (those double the download).
    if apt-get update -qq \
        && apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null \
        && ! missing; then
        echo "pdf: using $(xelatex --version | head -n 1)"
        exit 0
    fi
    echo "pdf: installing the TeX packages FAILED; make pdf cannot run." >&2
    exit 1
fi

cat >&2 <<MSG
pdf: TeX (latexmk, xelatex) or poppler-utils is missing, and this user cannot install them.
  Ask an administrator to run:
    sudo apt-get install --no-install-recommends ${packages[*]}
  (on another system: a TeX Live with latexmk and XeLaTeX, the FreeSerif and TeX Gyre fonts,
  and poppler's pdftotext/pdfimages), then run make pdf again.
MSG
exit 1
