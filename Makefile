# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHECKOV_STAMP := .venv-checkov/.installed
STAGE ?= prod

.PHONY: run test lint bench infra package clean system-packages

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# checkov pins boto3 and packaging versions that cannot live beside ours: its own environment.
$(CHECKOV_STAMP): requirements-checkov.txt
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet --upgrade pip
	.venv-checkov/bin/pip install --quiet -r requirements-checkov.txt
	touch $(CHECKOV_STAMP)

## run: the whole system on this machine (moto, API, web, timers, NCALayer stand-in, demo data)
##      options after ARGS=, e.g. make run ARGS="--timer-seconds 10 --api-port 8001"
run: $(STAMP)
	$(PY) -m infra.local.stack $(ARGS)

## test: what the tests need from the system, lint, the infrastructure template checks (cfn-lint, checkov,
##       IAM roles), the whole suite
test: system-packages $(STAMP) lint infra
	$(PY) -m pytest -n 2 --dist loadgroup tests

## system-packages: chromium, poppler-utils and fonts (installed on Debian as root; otherwise the command to run)
system-packages:
	@bash .ci/system-packages

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## infra: the CloudFormation template of STAGE (chalice package + our resources), checked
infra: $(STAMP) $(CHECKOV_STAMP)
	$(PY) -m infra.build --stage $(STAGE)

## package: the deployable artefacts of STAGE with their dependencies, in build/cfn (see docs/operations.md)
package: $(STAMP) $(CHECKOV_STAMP)
	$(PY) -m infra.build --stage $(STAGE) --with-dependencies

bench: $(STAMP)
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) .venv-checkov build .local .pytest_cache .ruff_cache
