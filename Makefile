# Concord: `make run` to try it, `make test` to test everything.
CARGO ?= cargo
CONCORD_DATABASE_URL ?= sqlite://concord.db
CONCORD_MAIL_DIR ?= mail
export CONCORD_DATABASE_URL CONCORD_MAIL_DIR

BIN := target/debug/concord
ASSETS := assets/dist/concord.css assets/dist/govuk-frontend.min.js assets/dist/favicon.svg assets/dist/js-enabled.js assets/dist/init.mjs

.PHONY: run build assets test test-sqlite test-postgres test-e2e test-api bench screenshots fmt lint clean

## run: build, load the demo data into $(CONCORD_DATABASE_URL) and start the server
run: build
	$(BIN) demo
	@echo
	$(BIN) serve

build: assets
	$(CARGO) build --locked

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## assets: compile the GOV.UK Frontend stylesheet with Concord's settings
assets: $(ASSETS)

assets/dist/concord.css: assets/src/concord.scss node_modules/.package-lock.json
	@mkdir -p assets/dist
	npx sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps --silence-deprecation=import $< $@

assets/dist/govuk-frontend.min.js: node_modules/.package-lock.json
	@mkdir -p assets/dist
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

assets/dist/%: assets/src/%
	@mkdir -p assets/dist
	cp $< $@

## test: every test: unit and integration on SQLite, the same on PostgreSQL, the browser tests, then the API against its OpenAPI document
test: test-sqlite test-postgres test-e2e test-api

NEXTEST := $(shell cargo nextest --version >/dev/null 2>&1 && echo "nextest run --no-fail-fast" || echo "test --no-fail-fast")

test-sqlite: assets
	CONCORD_TEST_DATABASE=sqlite $(CARGO) $(NEXTEST) --locked

test-postgres: assets
	CONCORD_TEST_DATABASE=postgres $(CARGO) $(NEXTEST) --locked

test-e2e: build
	CONCORD_BIN=$(BIN) node --test e2e/

## screenshots: the README's pictures (home, portfolio, a partnership at 1280 and 390 px) into docs/screenshots/
screenshots: build
	CONCORD_BIN=$(BIN) node e2e/screenshots.mjs

.venv/bin/schemathesis: tests/api/requirements.txt
	python3 -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check -r tests/api/requirements.txt
	@touch $@

## test-api: schemathesis against the running server's OpenAPI document (ST_MAX_EXAMPLES=200 for a longer run)
test-api: build .venv/bin/schemathesis
	CONCORD_BIN=$(BIN) tests/api/run.sh

## bench: release build, then load figures for the main pages and API, the 50,000-partnership portfolio, import memory, notifications (inbox and reminders), matching at 100,000 needs, a health report of 1,000 responses and the health portfolio at 5,000 partnerships
bench: assets
	$(CARGO) build --release --locked --bin concord --example generate
	CONCORD_BIN=target/release/concord bench/run.sh
	CONCORD_BIN=target/release/concord bench/portfolio.sh
	CONCORD_BIN=target/release/concord bench/import_memory.sh
	CONCORD_BIN=target/release/concord bench/notifications.sh
	CONCORD_BIN=target/release/concord bench/matching.sh
	CONCORD_BIN=target/release/concord bench/health_report.sh
	CONCORD_BIN=target/release/concord bench/health_portfolio.sh

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	rm -rf target assets/dist node_modules
