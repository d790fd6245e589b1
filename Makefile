# make setup  - create ./.venv with the pinned stack (idempotent)
# make demo   - set up, generate synthetic data, train, test, draw pictures
# make test   - set up, run the test suite
# make lint   - set up, check style (flake8, isort, yapf, codespell;
#               settings in setup.cfg); changes nothing
# make format - set up, rewrite files with isort, yapf and codespell, then
#               check (flake8 findings are fixed by hand)
# make test-fast - set up, run the tests not marked slow (the inner loop)
# make data   - generate the embedded synthetic datasets under data/synthetic
# make cbl-vs-baseline - the controlled experiment (3 seeds x 2 variants,
#               about an hour on 2 CPU cores; docs/model_zoo.md)
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test test-fast lint format data clean-demo cbl-vs-baseline

setup:
	@PYTHON=$(PYTHON) VENV=$(abspath $(VENV)) CBLSEG_WITH_TESTS=1 bash scripts/setup_env.sh

data: setup
	$(PY) tools/dataset_converters/generate_synthetic_data.py --out-dir data/synthetic

demo: setup
	@PY=$(PY) bash scripts/demo.sh

# Two pytest workers, each taking whole test files (module fixtures are built
# once): 5.5 instead of 9 minutes on 2 cores. PYTEST_ARGS= runs in one process.
PYTEST_ARGS ?= -n 2 --dist loadfile

test: setup
	$(PY) -m pytest tests -q -p no:cacheprovider $(PYTEST_ARGS)

# One script for make, CI (.ci/run) and pre-commit: scripts/lint.sh.
lint: setup
	@PY=$(PY) bash scripts/lint.sh check

format: setup
	@PY=$(PY) bash scripts/lint.sh fix

# The inner loop (docs/testing.md): every test but those marked slow
# (training, several processes, end to end); same workers as make test.
test-fast: setup
	$(PY) -m pytest tests -q -p no:cacheprovider -m "not slow" $(PYTEST_ARGS)

cbl-vs-baseline: data
	$(PY) tools/benchmarks/cbl_vs_baseline.py

clean-demo:
	rm -rf work_dirs/demo
