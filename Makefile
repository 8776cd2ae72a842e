# 乡村振兴项目库看板: `make run` serves the dashboard, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Only this machine by default; serve the LAN through a reverse proxy (README: 部署), or ADDRESS=0.0.0.0.
ADDRESS ?= 127.0.0.1
DB ?= $(or $(PORTFOLIO_DB),data/portfolio.duckdb)
APT_PACKAGES := chromium chromium-driver fonts-noto-cjk libreoffice-impress nginx-light
WORKERS ?= 2

.PHONY: run serve test test-fast bench demo venv dev-deps system-deps clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

dev-deps: $(VENV)/.installed-dev

# Debian packages the browser tests need; installed only when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

demo: venv
	PORTFOLIO_DB=$(DB) $(PY) -m portfolio demo --if-missing

run: demo
	PORTFOLIO_DB=$(DB) $(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

# N Streamlit workers behind nginx, reading published snapshots (docs/deploy.md); Ctrl-C stops all.
serve: demo
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { echo "nginx is missing: make system-deps (Debian's nginx-light)"; exit 1; }
	PORTFOLIO_DB=$(DB) $(PY) deploy/serve.py --db $(DB) --workers $(WORKERS) --port $(PORT) --address $(ADDRESS)

test: dev-deps system-deps
	$(PY) -m pytest -q

test-fast: dev-deps
	$(PY) -m pytest -q -m "not browser"

bench: dev-deps
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
