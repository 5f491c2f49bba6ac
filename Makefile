# Everything runs from a repo-local virtualenv created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CI_TOOLS := build/tools
GITLAB_CI_LOCAL := $(CI_TOOLS)/node_modules/.bin/gitlab-ci-local

.PHONY: install test test-fast lint browser ci-tools demo lab bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

lint: install
	$(BIN)/ruff check zdlib tests bench notebooks
	$(BIN)/ruff format --check zdlib tests bench notebooks
	$(BIN)/lint-imports --no-cache --no-logo

test: lint browser ci-tools
	$(BIN)/python -m pytest -q

# The inner loop: every test but the e2e ones (notebook runs, kernels, the browser; tests/e2e.py says which).
test-fast: lint
	$(BIN)/python -m pytest -q -m "not e2e"

# tests/lab/ drives JupyterLab in Debian's Chromium (Playwright); installed here, never by `make install`.
browser:
	@command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# tests/ci/ runs .gitlab-ci.yml with gitlab-ci-local (npm). 4.56.0 runs on Node 20 (newer ones need 22), so a
# Node 20 comes from npm's `node` package, whatever Node the machine has; rsync copies the job's files.
ci-tools: $(GITLAB_CI_LOCAL)

$(GITLAB_CI_LOCAL):
	@command -v rsync >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y rsync)
	@command -v npm >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm)
	npm install --prefix $(CI_TOOLS) --no-audit --no-fund --loglevel=error node@20 gitlab-ci-local@4.56.0

demo: install
	$(BIN)/zdlib demo

lab: install
	$(BIN)/zdlib lab

bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
