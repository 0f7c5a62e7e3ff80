# Two commands for a fresh clone: `make run` (the whole runbook offline) and `make test` (every test).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck imports notebooks tidy pictures lab learn clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $(STAMP)

$(VENV): $(STAMP)

## run: run every notebook in order against one shared lab; results in runs/<time>/index.html
run: $(STAMP)
	$(BIN)/python -m sesbook run

## test: lint, types, import contracts, unit and lab tests, nbval over the committed notebooks, papermill runs
test: $(STAMP)
	$(BIN)/ruff check sesbook tests notebooks benchmarks img
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n auto --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check sesbook tests notebooks benchmarks img

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

## notebooks: execute every notebook in place against a seeded lab (what gets committed)
notebooks: $(STAMP)
	$(BIN)/python -m sesbook notebooks

## tidy: regenerate params.example.yaml, the notebooks' Next links and attached pictures (executes nothing)
tidy: $(STAMP)
	$(BIN)/python -m sesbook tidy

## pictures: re-draw every img/*.png from its img/*.py (needs a CJK font: fonts-noto-cjk) and attach them
pictures: $(STAMP)
	$(BIN)/python -m sesbook pictures --all

## learn: one lab and JupyterLab on the notebooks; every kernel shares the lab (quit JupyterLab to stop both)
learn: $(STAMP)
	$(BIN)/python -m sesbook learn

## lab: start a lab in the foreground (Ctrl-C stops it)
lab: $(STAMP)
	$(BIN)/python -m sesbook lab

clean:
	rm -rf runs .pytest_cache
