# Every install step lives here: a fresh clone needs only Python >= 3.10 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VERSIONS := 3.10 3.11 3.12 3.13

.PHONY: demo test test-all lint bench clean graphviz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/goldstein.py

# Graphviz's 'dot' renders 'srcgrad graph' pictures; the tests render .svg/.png for real.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

graphviz:
	@command -v dot >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq graphviz)

# The suite runs twice: as users get it, and with every optimization of generated code
# off (SRCGRAD_OPTIMIZE=0), which must not change a single result.
test: $(STAMP) graphviz
	$(BIN)/ruff check srcgrad tests examples benchmarks
	$(BIN)/python -m pytest
	SRCGRAD_OPTIMIZE=0 $(BIN)/python -m pytest

# The suite on every Python 3.10-3.13 that pyenv provides (missing ones are skipped).
test-all: graphviz
	@root=$$(pyenv root 2>/dev/null); \
	for v in $(VERSIONS); do \
	  py=$$(ls -d $$root/versions/$$v.*/bin/python 2>/dev/null | sort -V | tail -n 1); \
	  if [ -z "$$py" ]; then echo "== Python $$v: not provided by pyenv, skipped"; continue; fi; \
	  echo "== Python $$v ($$py)"; \
	  env=.venv-$$v; \
	  if [ ! -f $$env/.installed ] || [ pyproject.toml -nt $$env/.installed ]; then \
	    $$py -m venv $$env && $$env/bin/python -m pip install --quiet -e '.[dev]' \
	      && touch $$env/.installed || exit 1; \
	  fi; \
	  $$env/bin/python -m pytest || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check srcgrad tests examples benchmarks

# The comparison with other AD systems has its own venv (Python 3.11: the CPU wheel of torch
# 2.13.0 is found through PIP_FIND_LINKS; the '+cpu' pin keeps pip off any CUDA build). A
# backend that cannot be installed is skipped by compare.py with a note.
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	@py=$$(ls -d $$(pyenv root 2>/dev/null)/versions/3.11.*/bin/python 2>/dev/null \
	  | sort -V | tail -n 1); py=$${py:-$(PYTHON)}; echo "$(BENCH_VENV): $$py"; \
	  $$py -m venv $(BENCH_VENV) && echo '*' > $(BENCH_VENV)/.gitignore
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e .
	-$(BENCH_VENV)/bin/python -m pip install --quiet autograd
	-$(BENCH_VENV)/bin/python -m pip install --quiet jax jaxlib
	-$(BENCH_VENV)/bin/python -m pip install --quiet --only-binary torch 'torch==2.13.0+cpu'
	touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py
	$(BENCH_VENV)/bin/python benchmarks/compare.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) .venv-3.* .pytest_cache .hypothesis build *.egg-info
