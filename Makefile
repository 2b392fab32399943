# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo

.PHONY: demo test lint bench clean

$(BIN)/corpus: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/corpus
	$(BIN)/python scripts/make_demo_corpus.py $(DEMO)/corpus
	$(BIN)/corpus run configs/quickstart.yaml

test: $(BIN)/corpus
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(BIN)/corpus
	$(BIN)/ruff check .

bench: $(BIN)/corpus
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(DEMO) out .pytest_cache
