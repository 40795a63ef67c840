# gongkai — the two commands: `make site` and `make test`. Everything else is set up
# on demand in a local virtualenv (.venv); nothing is installed system-wide except
# Debian's chromium for the browser tests.

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
GONGKAI := $(VENV)/bin/gongkai
STAMP   := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
AXE     := tests/browser/node_modules/axe-core/axe.min.js
PAGEFIND := tools/pagefind/node_modules/.installed
DECAP   := tools/decap/node_modules/.installed

.PHONY: site serve check lint test test-fast test-build durations browser-deps bench clean constraints

# constraints.txt pins every dependency to the version the suite passed with: a new machine
# installs what was tested, not what PyPI resolves today (PyYAML 6.0.4 changed an error).
# `make site` installs only what a build needs; the test tools come with `make test`.
$(STAMP): pyproject.toml constraints.txt
	@echo "Installing gongkai into $(VENV) (what a build needs) …"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e .
	touch $(STAMP)

$(TESTSTAMP): $(STAMP)
	@echo "Installing the test tools into $(VENV) (pytest, hypothesis, playwright …) …"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(TESTSTAMP)

## Pin the versions of a .venv whose `make test` passed (after upgrading a dependency)
constraints:
	{ sed -n '/^#/p' constraints.txt; $(PY) -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

# Pagefind 1.6 from the npm registry (full Chinese recall); without npm, gongkai falls
# back to the 1.5 binary from PyPI.
$(PAGEFIND): tools/pagefind/package-lock.json
	@if command -v npm >/dev/null 2>&1 && npm ci --prefix tools/pagefind --no-audit --no-fund --silent; then touch $@; \
	else echo "Pagefind 1.6 not installed (needs npm, Linux x64): search uses Pagefind 1.5 from PyPI, lower Chinese recall"; fi

# Decap CMS (the web editor, copied into /admin/ of a site whose site_config.yml has `cms:`)
# and decap-server (its local backend: previews, the browser test), pinned by the lock.
$(DECAP): tools/decap/package-lock.json
	npm ci --prefix tools/decap --no-audit --no-fund --silent --ignore-scripts && touch $@

## Build the demo site into site/
site: $(STAMP) $(PAGEFIND) $(DECAP)
	$(GONGKAI) build -s . -o site

## Preview with live reload (drafts shown) on http://127.0.0.1:8000/
serve: $(STAMP) $(PAGEFIND) $(DECAP)
	$(GONGKAI) serve -s .

## Check the demo content only
check: $(STAMP)
	$(GONGKAI) check -s .

## Debian's chromium (browser tests), poppler-utils (pdftotext: print tests), a Chinese
## font (a new machine has none: pages print as empty boxes and pdftotext loses characters)
## and axe-core (accessibility), when missing
browser-deps:
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 && [ -n "$$(fc-list :lang=zh 2>/dev/null)" ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends chromium poppler-utils fonts-wqy-microhei fontconfig; }
	@[ -f $(AXE) ] || npm ci --prefix tests/browser --no-audit --no-fund --silent

## Lint: ruff, configured in pyproject.toml ([tool.ruff])
lint: $(TESTSTAMP)
	$(VENV)/bin/ruff check .

## Lint, then the whole suite: unit, build, packaging (a wheel in a fresh venv, slow) and browser tests
## in one worker per CPU (pytest-xdist; a file's tests stay in one worker, the longest files
## first: tests/durations.json; JUnit report in test-artifacts/junit.xml). gongkai's
## modules are compiled first: the suite starts gongkai in many subprocesses, and with
## PYTHONDONTWRITEBYTECODE set each would compile them again.
test: lint $(TESTSTAMP) $(PAGEFIND) $(DECAP) browser-deps
	$(PY) -m compileall -q generator
	$(PY) -m pytest -q -n auto --dist loadfile --no-loadscope-reorder --junitxml=test-artifacts/junit.xml

## The seconds of each test file in the last `make test` (tests/durations.json): the
## suite hands the longest files out first
durations:
	$(PY) tests/durations.py test-artifacts/junit.xml > tests/durations.json

## Unit tests only: no browser, no test that builds a site (marker `build`)
test-fast: $(TESTSTAMP)
	$(PY) -m pytest -q -m "not browser and not build"

## Unit and build tests without a browser
test-build: $(TESTSTAMP) $(PAGEFIND) $(DECAP)
	$(PY) -m pytest -q -n auto --dist loadfile --no-loadscope-reorder -m "not browser"

## Benchmarks against mkdocs-material and Hugo + Pagefind (see benchmarks/README.md); installs
## Debian's hugo when missing and apt-get exists (else the Hugo row says skipped)
bench: $(TESTSTAMP) $(PAGEFIND)
	@command -v hugo >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends hugo; } || echo "hugo not installed: the Hugo row is skipped"
	$(PY) benchmarks/run.py --items 10000

clean:
	rm -rf site .pytest_cache test-artifacts
