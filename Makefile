# Two commands: `make book` builds the website, `make test` runs every test.
# Each creates .venv with Python 3.11+ and installs requirements.txt into it first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader runs `alembic` (and jupyter-book runs `sphinx-build`) from PATH.
export PATH := $(BIN):$(PATH)

.PHONY: book test release venv clean

# The chapters' pages are executed only when their source changed; Jupyter Book executes nothing and treats
# warnings as errors; the leak checker then makes sure no page or download gives an answer away.
book: $(VENV)/.installed
	$(BIN)/python -m autograder helpers
	$(BIN)/python -m autograder pages
	$(BIN)/jupyter-book build . -W --keep-going
	$(BIN)/python -m autograder leaks _build/html
	@echo
	@echo "The website is built. Open: $(CURDIR)/_build/html/index.html"

test: $(VENV)/.installed
	$(BIN)/python -m pytest tests

release: $(VENV)/.installed
	$(BIN)/python -m autograder release

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

clean:
	rm -rf _build release book/chapters .pytest_cache test-artifacts
