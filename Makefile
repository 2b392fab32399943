# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo
CHROMIUM := /usr/bin/chromium

.PHONY: demo test lint bench eval-pii eval-quality clean chromium

$(BIN)/corpus: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,ray]'
	touch $@

demo: $(BIN)/corpus
	$(BIN)/python scripts/make_demo_corpus.py $(DEMO)/corpus --tokenizer $(DEMO)/tokenizer.json
	$(BIN)/corpus run configs/quickstart.yaml --set tokenizer=$(DEMO)/tokenizer.json
	$(BIN)/corpus export out/quickstart --to hf --repo quickstart --dry-run

# The browser test drives Debian's Chromium through playwright (never `playwright install`).
# CI runs as root on Debian; without apt (or root) the browser test skips instead.
chromium:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "chromium: not installed; tests/test_report_browser.py will skip"

test: $(BIN)/corpus chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(BIN)/corpus
	$(BIN)/ruff check .

bench: $(BIN)/corpus
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python scripts/bench.py

# The PII evaluation reads Debian's translated manual pages (Korean ones come with man-db,
# passwd, login, psmisc and xz-utils) and the changelogs under /usr/share/doc.
MANPAGES := manpages-ja manpages-zh manpages-de manpages-fr manpages-es manpages-ru
eval-pii: $(BIN)/corpus
	@dpkg -s $(MANPAGES) >/dev/null 2>&1 || { command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(MANPAGES); } \
		|| echo "eval-pii: could not install $(MANPAGES); scripts/eval_pii.py will say what is missing"
	$(BIN)/python scripts/eval_pii.py

# The quality evaluation reads machine noise and manual pages Debian installs: xxd, binutils
# (nm), ncurses-term (terminfo), figlet and toilet-fonts (ASCII art), jQuery and underscore
# (minified code and source maps), and the translated manual pages (ko, it, pl, pt, nl, sv
# and uk ones come with dpkg, apt, man-db and the other base packages; the README's table
# was measured with exactly this set).
QUALITY_DEBS := xxd binutils ncurses-bin ncurses-term figlet toilet-fonts libjs-jquery libjs-underscore \
	manpages manpages-ja manpages-zh manpages-de manpages-fr manpages-es manpages-ru
eval-quality: $(BIN)/corpus
	@dpkg -s $(QUALITY_DEBS) >/dev/null 2>&1 || { command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(QUALITY_DEBS); } \
		|| echo "eval-quality: could not install $(QUALITY_DEBS); scripts/eval_quality.py will say what is missing"
	$(BIN)/python scripts/eval_quality.py

clean:
	rm -rf $(DEMO) out .pytest_cache
