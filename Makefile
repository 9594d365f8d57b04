# Two commands do everything on a fresh clone: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
CORES ?= 2
STAMP := $(VENV)/.installed

.PHONY: setup run test test-fast test-cluster lint format report clean

setup: $(STAMP) ## create .venv and install the pinned dependencies and the package (idempotent)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev,slurm]"
	touch $(STAMP)

run: setup ## run the default workflow (the lecture) with CORES cores
	$(BIN)/snakemake --cores $(CORES) --workflow-profile profiles/default

test: setup ## the whole test suite, a test file per worker on CORES workers (pytest-xdist), the files of workflow runs first
	$(BIN)/python -m pytest -n $(CORES) --dist loadfile --no-loadscope-reorder

test-fast: setup ## unit tests only (no workflow runs)
	$(BIN)/python -m pytest -m "not workflow and not cluster"

test-cluster: setup ## only the SLURM end-to-end test
	$(BIN)/python -m pytest -m cluster

report: setup ## run what is missing, then write the HTML report results/report.html
	$(BIN)/snakemake --cores $(CORES) --report results/report.html --report-after-run

lint: setup ## ruff, snakefmt and snakemake --lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/snakefmt Snakefile workflow/rules

clean: ## remove results (keeps .venv)
	rm -rf results .snakemake
