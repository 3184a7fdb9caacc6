# The two set-up commands of the README: `make demo` and `make test`. Each installs what it
# needs first (uv into .tools/, then the locked environment into .venv/ with this machine's
# Python 3.11; uv never downloads a Python).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: install demo test lint format bench

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

# Bytecode compiled at install: every process Concord starts (each `concord run`, each dbt
# build) would otherwise compile its imports again wherever PYTHONDONTWRITEBYTECODE is set.
install: $(UV)
	$(UV) sync --frozen --python $(PYTHON) --quiet --compile-bytecode

demo: install
	.venv/bin/concord demo

test: install
	.venv/bin/pytest

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: install
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: install
	.venv/bin/python bench/generate.py
