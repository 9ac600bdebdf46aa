# The two set-up commands of the README: `make run` and `make test`.
.PHONY: run test lint package

VENV := .venv
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e .
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/behind-the-feed serve $(ARGS)

test:
	bash tests/run.sh

lint:
	bash tests/run.sh --lint-only

# The uploadable zips for the Chrome Web Store and addons.mozilla.org, versioned from pyproject.toml.
package:
	npm ci --prefix tests/extension --no-audit --no-fund --loglevel=error
	node extension/tools/package.mjs
