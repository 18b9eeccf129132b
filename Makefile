# The two set-up commands: `make train` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: train test bench results clean-venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

train: $(STAMP)  ## the default run: captioning on synthetic shapes, on the CPU
	$(BIN)/suite-train $(ARGS)

PYTEST_ARGS ?= -n 2 --dist loadfile  # two worker processes, one per core; a test file stays in one worker

test: $(STAMP)  ## the whole test suite (CPU, a few minutes)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)  ## performance harness -> benchmarks/results.{json,md}
	$(BIN)/python -m benchmarks.run $(ARGS)

results: $(STAMP)  ## train every task's result runs -> results/<task>.json + README tables (TASK=name for one)
	$(BIN)/python -m results.run $(if $(TASK),--task $(TASK)) $(ARGS)

clean-venv:
	rm -rf $(VENV)
