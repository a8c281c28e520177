# Every install step lives here: a fresh clone needs only Python >= 3.10 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VERSIONS := 3.10 3.11 3.12 3.13

.PHONY: demo test test-all lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/goldstein.py

test: $(STAMP)
	$(BIN)/ruff check srcgrad tests examples benchmarks
	$(BIN)/python -m pytest

# The suite on every Python 3.10-3.13 that pyenv provides (missing ones are skipped).
test-all:
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

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .venv-3.* .pytest_cache .hypothesis build *.egg-info
