# Two commands do everything, from a fresh clone with only python3 (3.10+) installed:
#
#   make book   build the HTML book into _build/html (executes every notebook; any warning fails)
#   make test   ruff; the book build (as make book); then every test: tests/, the book's
#               notebooks (nbval, strict) and the browser suite (tests/browser/: every page of
#               that build in headless Chromium; skipped without Chromium, except under
#               CI=true, where that fails)
#
# Both create .venv and install requirements-dev.txt (a reader's requirements.txt plus the
# book build and the tests) on first use, and again only when requirements.txt,
# requirements-dev.txt or pyproject.toml change (the stamp file .venv/.installed).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Tools, and the Jupyter kernels they start, come from .venv even when it is not activated.
export PATH := $(CURDIR)/$(BIN):$(PATH)
# ipykernel only selects its inline figure backend when MPLBACKEND is unset; a stray
# MPLBACKEND=Agg in the caller's shell would silently drop every figure from the notebooks.
unexport MPLBACKEND
# One BLAS thread per process: the book's networks are small, pytest already runs two workers,
# and on these 2-core machines two-thread OpenBLAS stalls for milliseconds per call under load
# (a chapter ran 25-30% faster single-threaded; benchmarks/run.py sets its own thread counts).
export OPENBLAS_NUM_THREADS ?= 1

# pytest over tests/ and book/ (testpaths in pyproject.toml). The notebooks are compared
# strictly (--nbval, not --nbval-lax) after tests/nbval_sanitize.cfg masks memory addresses
# and ids. --dist loadfile keeps every notebook (one kernel, cells in order) in one worker.
PYTEST_ARGS ?= -n 2 --dist loadfile
NBVAL_ARGS  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
               --nbval-cell-timeout 300

.PHONY: help book test lint venv browser clean distclean

help:
	@echo "make book       build the HTML book into _build/html (zero warnings allowed)"
	@echo "make test       ruff + pytest over tests/, the book's notebooks (nbval) and the built book (browser)"
	@echo "make lint       ruff only"
	@echo "make venv       create .venv and install requirements-dev.txt"
	@echo "make clean      remove the build output and caches (keeps .venv)"
	@echo "make distclean  clean, and remove .venv too"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
	  || { echo "error: '$(PYTHON)' is $$($(PYTHON) --version 2>&1); Python 3.10 or newer is needed." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt
	@touch $@

venv: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going --all
	@echo "The book is in _build/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check .

browser:
	bash scripts/install-browser.sh

# The test command builds the book first, exactly as `make book` does (a warning or a cell
# error fails it), and the browser tests then check that build: its notebook kernels never
# start alongside nbval's.
test: $(STAMP)
	$(BIN)/ruff check .
	bash scripts/install-browser.sh
	$(BIN)/jupyter-book build . -W -n --keep-going --all
	NNLIB_BOOK_HTML=_build/html $(BIN)/python -m pytest $(PYTEST_ARGS) $(NBVAL_ARGS)

clean:
	rm -rf _build .pytest_cache .hypothesis .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info

# ---- PDF ---------------------------------------------------------------------------------
# make pdf: the whole book as one PDF, _build/latex/nn-from-scratch.pdf, through Jupyter Book's
# LaTeX builder and XeLaTeX (_config.yml, `latex:` and sphinx.config's PDF block). Like `make
# book` it executes every notebook and any warning fails it; the explorers print their still
# (nnlib.static); then tests/test_publish.py checks the PDF (pages, chapter titles, pictures,
# no leaked repr or raw TeX). make tex installs the TeX it needs: Debian packages, as root with
# apt-get (scripts/install-tex.sh says what to install otherwise).
.PHONY: pdf tex

tex:
	bash scripts/install-tex.sh

pdf: $(STAMP) tex
	$(BIN)/jupyter-book build . --builder pdflatex -W -n --keep-going --all
	NNLIB_BOOK_PDF=_build/latex/nn-from-scratch.pdf $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/test_publish.py -k test_pdf_
	@echo "The PDF is _build/latex/nn-from-scratch.pdf"
