# The one definition of every command. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
JOBS   ?= 2
STAMP  := $(VENV)/.installed
KERNEL := $(VENV)/share/jupyter/kernels/dezhou-analysis/kernel.json

.PHONY: help setup notebook-filter report pdf test browser lab parse panel assess validate template bench lint clean

help:            ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode -e ".[dev]"
	$(PY) -m compileall -q dezhou_analysis
	touch $(STAMP)

# the project's kernel, in the environment's own kernel folder: Lab and the runner name it
$(KERNEL): $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name dezhou-analysis \
	  --display-name "Python (dezhou-analysis)" >/dev/null

setup: $(STAMP) $(KERNEL) notebook-filter  ## create .venv, install the suite (fonts included), register its kernel

# Notebooks are committed without outputs: nbstripout cleans them as git stages them
# (.gitattributes names the files). Set in a clone's own git config; a linked worktree shares its
# config with the clone it belongs to, so it is left to that clone.
notebook-filter: $(STAMP)
	@if git rev-parse --git-dir >/dev/null 2>&1 && \
	  [ "$$(git rev-parse --git-dir)" = "$$(git rev-parse --git-common-dir)" ]; then \
	  git config filter.nbstripout.clean '"$(abspath $(PY))" -m nbstripout' && \
	  git config filter.nbstripout.smudge cat && \
	  git config diff.ipynb.textconv '"$(abspath $(PY))" -m nbstripout -t'; fi

report: setup    ## set up, then run the whole suite on the shipped data; prints the index path
	$(PY) -m dezhou_analysis run --jobs $(JOBS)

pdf: setup browser  ## run the suite and print the index and each report to PDF (<run>/pdf)
	$(PY) -m dezhou_analysis run --jobs $(JOBS) --pdf

test: setup browser  ## set up, then run the test suite
	$(PY) -m pytest -q

browser:         ## install headless Chromium for the browser tests (Debian package; needs root)
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium (Debian package) for the browser tests"; \
	  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is not installed and cannot be installed here: browser tests will be skipped"; fi

lab: setup       ## open JupyterLab on the notebooks (saved without outputs: .jupyter/)
	JUPYTER_CONFIG_PATH="$(CURDIR)/.jupyter" $(VENV)/bin/jupyter lab --notebook-dir=notebooks \
	  $(if $(filter 0,$(shell id -u)),--allow-root,)

parse: setup     ## parse the documents into data/processed/plan_*.csv
	$(PY) -m dezhou_analysis parse

panel: setup     ## build data/processed/observations.csv (plan + yearbook)
	$(PY) -m dezhou_analysis panel

assess: setup    ## write data/processed/assessment.csv
	$(PY) -m dezhou_analysis assess

validate: setup  ## check the yearbook files under data/raw/yearbook
	$(PY) -m dezhou_analysis validate data/raw/yearbook

template: setup  ## write fill-in yearbook templates: every indicator, and only the data needed
	$(PY) -m dezhou_analysis template --format xlsx --out outputs/yearbook_template.xlsx
	$(PY) -m dezhou_analysis template --needed --format xlsx --out outputs/data_needed_template.xlsx

bench: setup     ## run the benchmarks in bench/ and print their figures
	$(PY) bench/run_all.py

lint: setup      ## ruff
	$(VENV)/bin/ruff check dezhou_analysis tests bench

clean:           ## remove the environment and everything the pipeline wrote
	rm -rf $(VENV) outputs/* data/processed/*.csv data/processed/*.json tests/output
	touch outputs/.gitkeep data/processed/.gitkeep
