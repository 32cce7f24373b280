# Every target sets up .venv on first use, so on a fresh machine these are the only commands to type.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test run lint format i18n lock clean

# The versions installed are the ones in uv.lock (`make lock` after changing pyproject.toml's
# dependencies); `--locked` stops with an error when the lock no longer matches pyproject.toml.
# `--inexact` keeps uv itself, which lives in the same virtualenv and is not in the lock.
UV_VERSION := 0.13.9

$(STAMP): pyproject.toml uv.lock
	test -x $(BIN)/uv || { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet uv==$(UV_VERSION); }
	$(BIN)/uv sync --locked --extra dev --inexact --quiet
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/handoff demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/pytest -q

run: $(STAMP)
	$(BIN)/handoff run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rebuild the message catalogs after changing user-facing text.
i18n: $(STAMP)
	$(BIN)/python tools/i18n.py

# Re-resolve uv.lock after a change to pyproject.toml's dependencies.
lock: $(STAMP)
	$(BIN)/uv lock

clean:
	rm -rf $(VENV) handoff-demo
