# Two entry points (see README): `make run` and `make test`. Both create ./.venv on first use.
# The interpreter .venv is made from: the distribution's /usr/bin/python3 when it is 3.11 or newer
# and can make venvs, else python3 from PATH. Debian's is a static, optimized build; the default
# pyenv build here loads libpython as a shared library and costs cloudlet 10-20 % more CPU per
# request (bench/README.md, "Which interpreter").
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Real engines and clients some tests use when present: AWS CLI v2 (Debian's awscli), redis-server
# and memcached for ElastiCache. Installed when we may (root with apt); otherwise those tests skip
# and say why.
SYSTEM_PACKAGES := awscli:/usr/bin/aws redis-server:redis-server memcached:memcached

system-deps:
	@missing=""; for entry in $(SYSTEM_PACKAGES); do \
		command -v "$${entry#*:}" >/dev/null 2>&1 || missing="$$missing $${entry%%:*}"; \
	done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

run: $(STAMP)
	$(BIN)/cloudlet start

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: $(STAMP) system-deps lint
	$(BIN)/pytest -n auto

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
