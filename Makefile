# make setup  - create ./.venv with the pinned stack (idempotent)
# make demo   - set up, generate synthetic data, train, test, draw pictures
# make test   - set up, run the test suite
# make data   - generate the embedded synthetic datasets under data/synthetic
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test data clean-demo

setup:
	@PYTHON=$(PYTHON) VENV=$(abspath $(VENV)) CBLSEG_WITH_TESTS=1 bash scripts/setup_env.sh

data: setup
	$(PY) tools/dataset_converters/generate_synthetic_data.py --out-dir data/synthetic

demo: setup
	@PY=$(PY) bash scripts/demo.sh

test: setup
	$(PY) -m pytest tests -q -p no:cacheprovider

clean-demo:
	rm -rf work_dirs/demo
