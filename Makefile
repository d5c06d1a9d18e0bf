# Two commands do everything, from a fresh clone with only python3 (3.10+) installed:
#
#   make book   build the HTML book into _build/html, executing every notebook (any warning fails)
#   make test   ruff; then, at the same time: pytest over tests/ and the book's notebooks (nbval
#               re-executes each one and compares every output with the committed one,
#               strictly); and the book built from those committed outputs into _build/html
#               (execution off, so no notebook runs twice), then the browser suite on it
#               (tests/browser/: every page in headless Chromium; skipped without Chromium,
#               except under CI=true, where that fails)
#
# Both create .venv and install requirements-dev.txt (a reader's requirements.txt plus the
# book build and the tests) on first use, and again only when requirements.txt,
# requirements-dev.txt, pyproject.toml or this Makefile change (the stamp .venv/.installed).

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
# Bytecode is kept (.pyc files in __pycache__ folders, in .venv and in the checkout, ignored by
# git). pytest rewrites the assert statements of the tests and of its plugins' packages
# (hypothesis, anyio, xdist, nbval: 145 modules) and can keep the result only as bytecode; with
# PYTHONDONTWRITEBYTECODE=1 in the caller's shell (as on these machines) every pytest process
# rewrites and compiles them from source again, 2 s each, and every kernel compiles nnlib.
unexport PYTHONDONTWRITEBYTECODE
# One BLAS thread per process: the book's networks are small, pytest already runs two workers,
# and on these 2-core machines two-thread OpenBLAS stalls for milliseconds per call under load
# (a chapter ran 25-30% faster single-threaded; benchmarks/run.py sets its own thread counts).
export OPENBLAS_NUM_THREADS ?= 1
# One BLAS kernel on every x86-64 machine: OpenBLAS picks its kernel by processor (AVX2 or
# AVX-512), the last bits of a product differ between kernels, and the explorers' pictures
# (stored in the notebooks, compared by nbval) change a pixel. Haswell's runs on any x86-64
# processor with AVX2; make execute makes the committed outputs with it.
ifeq ($(shell uname -m),x86_64)
export OPENBLAS_CORETYPE ?= Haswell
endif

# pytest over tests/ and book/ (testpaths in pyproject.toml), two workers. tests/conftest.py
# shares the tests out: a notebook's cells stay on one worker (one kernel runs them in order),
# the longest notebooks start first. The notebooks are compared strictly (--nbval, not
# --nbval-lax) after tests/nbval_sanitize.cfg masks memory addresses and ids.
PYTEST      := $(BIN)/python -m pytest
PYTEST_ARGS ?= -n 2
NBVAL_ARGS  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
               --nbval-cell-timeout 300
BUILD_FLAGS := -W -n --keep-going --all

.PHONY: help book execute test lint venv browser test-notebooks-and-units book-no-execute \
        test-browser clean distclean

help:
	@echo "make book       build the HTML book into _build/html, executing every notebook"
	@echo "make test       ruff, pytest (tests/ and every notebook, nbval), and the browser tests"
	@echo "                on the book built from the committed outputs"
	@echo "make execute    re-execute the chapters in place (NOTEBOOKS=book/02_forward_pass.ipynb)"
	@echo "make lint       ruff only"
	@echo "make venv       create .venv and install requirements-dev.txt"
	@echo "make clean      remove the build output and caches (keeps .venv)"
	@echo "make distclean  clean, and remove .venv too"
	@echo "make test's parts: test-notebooks-and-units, test-browser (on book-no-execute's build)"

# --- the environment ---------------------------------------------------------------------
# uv creates and fills .venv in seconds where pip takes about a minute (with empty caches on
# these machines: 11 s against 54 s). A uv on PATH is used; otherwise pip puts uv into .venv
# first, and if even that fails, pip installs everything.
# --compile-bytecode: pip writes every module's .pyc when it installs, uv only when asked.
# Without them, the processes that make test starts at once (kernels, workers, the build) each
# compile NumPy, matplotlib and IPython from source until one has written them, and a Python
# started with PYTHONDONTWRITEBYTECODE=1 never writes them: a kernel took 3.5 s to start and
# import them, 1.2 s with them.
# UNWANTED is removed again after the install. rfc3987-syntax comes in through jupyter-events
# (jsonschema's format-nongpl extra), only to check strings declared as IRIs, which neither
# notebooks nor event schemas here contain. Importing it builds an Earley parser of RFC 3987's
# grammar: 1.4 s in every process that loads nbformat (pytest and its workers, every book
# build, JupyterLab, some kernels), seventeen times in one make test. jsonschema works
# without it (that one format goes unchecked).
UNWANTED := rfc3987-syntax

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
	  || { echo "error: '$(PYTHON)' is $$($(PYTHON) --version 2>&1); Python 3.10 or newer is needed." >&2; exit 1; }
	if command -v uv >/dev/null; then uv venv --seed --python $(PYTHON) $(VENV); \
	else $(PYTHON) -m venv $(VENV); fi

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml Makefile | $(BIN)/python
	@command -v uv >/dev/null || $(BIN)/python -m pip install --quiet uv \
	  || echo "uv could not be installed: pip installs everything instead (slower)"
	if command -v uv >/dev/null; then uv pip install --compile-bytecode --python $(BIN)/python \
	  -r requirements-dev.txt && uv pip uninstall --python $(BIN)/python $(UNWANTED); \
	else $(BIN)/python -m pip install --disable-pip-version-check --progress-bar off \
	  -r requirements-dev.txt && $(BIN)/python -m pip uninstall --yes $(UNWANTED); fi
	@touch $@

venv: $(STAMP)

# --- the book ------------------------------------------------------------------------------

book: $(STAMP)
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)
	@echo "The book is in _build/html/index.html"

# After an intended change to what the book prints: re-execute the chapters in place, in the
# environment make test checks them in (one BLAS thread, the same BLAS kernel), then commit them.
# One chapter: make execute NOTEBOOKS=book/02_forward_pass.ipynb
NOTEBOOKS ?= $(wildcard book/*.ipynb)
execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace $(NOTEBOOKS)

# The same book from the committed outputs, execution off (scripts/book_config.py): what make
# test checks in the browser, while its nbval run re-executes every notebook and proves them.
book-no-execute: $(STAMP)
	$(BIN)/python scripts/book_config.py _build/config-no-execute.yml
	@echo "Building the book from the committed outputs (log: _build/book-build.log)"
	@$(BIN)/jupyter-book build . --config _build/config-no-execute.yml $(BUILD_FLAGS) \
	  > _build/book-build.log 2>&1 || { tail -n 40 _build/book-build.log; exit 1; }

# --- the tests -----------------------------------------------------------------------------

lint: $(STAMP)
	$(BIN)/ruff check .

browser:
	bash scripts/install-browser.sh

# make test: after ruff, two pytest runs at the same time, so that the two cores stay busy to
# the end: tests/ and the notebooks; and, as soon as the book is built from the committed
# outputs, the browser tests on it. Each prints its report when it ends (--output-sync).
test: $(STAMP)
	$(BIN)/ruff check .
	@echo "pytest over tests/ and every notebook, beside the book build and then the browser tests"
	$(MAKE) --no-print-directory --jobs=3 --output-sync=target test-notebooks-and-units test-browser

test-notebooks-and-units: $(STAMP)
	$(PYTEST) $(PYTEST_ARGS) $(NBVAL_ARGS) --ignore=tests/browser

# The browser suite on the book as make test builds it. To check another build, say make
# book's: NNLIB_BOOK_HTML=_build/html .venv/bin/pytest tests/browser
test-browser: book-no-execute browser
	NNLIB_BOOK_HTML=_build/html $(PYTEST) $(PYTEST_ARGS) tests/browser

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
