# Regie — the two commands: `make run` (the portal with demo data) and `make test` (the suite).
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test setup lint bench clean

run: setup
	@scripts/run

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

setup: $(STAMP)
	@REGIE_DEBUG=true $(PY) manage.py compilemessages --ignore=.venv --verbosity=0

$(STAMP):
	@[ -x $(PY) ] || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) data staticfiles test-artifacts
