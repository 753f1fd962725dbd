# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench infra clean system-packages

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## run: the whole system on this machine (moto, API, web, timers, NCALayer stand-in, demo data)
##      options after ARGS=, e.g. make run ARGS="--timer-seconds 10 --api-port 8001"
run: $(STAMP)
	$(PY) -m infra.local.stack $(ARGS)

## test: what the tests need from the system, lint, the infrastructure template check, the whole suite
test: system-packages $(STAMP) lint infra
	$(PY) -m pytest -n 2 --dist loadgroup tests

## system-packages: chromium, poppler-utils and fonts (installed on Debian as root; otherwise the command to run)
system-packages:
	@bash .ci/system-packages

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## infra: the CloudFormation template (chalice package + our resources), checked by cfn-lint
infra: $(STAMP)
	$(PY) -m infra.build

bench: $(STAMP)
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) build .local .pytest_cache .ruff_cache
