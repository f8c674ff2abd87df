# Tandem's everyday commands. `make help` lists them.

# The services the full test suite uses (the PostgreSQL + Redis half of every test, the
# adapters' contract suites). Override them to point at your own.
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379
export TEST_DATABASE_URL TEST_REDIS_URL

# Tests that need PostgreSQL or Redis, for `make test-embedded` to leave out.
SERVICE_TESTS := test(/(^|::)postgres::/) | (package(tandem-redis) & kind(test))

.PHONY: help run test test-embedded lint openapi fmt nextest s3s-fs web web-check fuzz-api

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

run: web ## Build and start Tandem on the embedded default: SQLite and files under ./data, http://127.0.0.1:8080
	cargo run --release -p tandem-server -- serve

# The web app's packages come first: the OpenID Connect tests run its test provider (Node).
test: nextest s3s-fs web/node_modules/.package-lock.json ## Run the whole test suite (needs PostgreSQL and Redis at TEST_DATABASE_URL / TEST_REDIS_URL), then the web app's checks and the API fuzzing
	cargo nextest run --workspace --no-tests=fail
	$(MAKE) web-check
	$(MAKE) fuzz-api

test-embedded: nextest s3s-fs web/node_modules/.package-lock.json ## Run every test that needs neither PostgreSQL nor Redis
	cargo nextest run --workspace --no-tests=fail -E 'not ($(SERVICE_TESTS))'

lint: ## Formatting and clippy, as CI runs them
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt: ## Format the code
	cargo fmt --all

openapi: ## Regenerate the committed OpenAPI document, real-time schemas and permissions table after changing them
	cargo run -q -p tandem-server -- openapi > openapi/openapi.json
	cargo run -q -p tandem-server -- openapi --realtime > openapi/realtime.json
	cargo run -q -p tandem-server -- openapi --asyncapi > openapi/asyncapi.json
	TANDEM_BLESS=1 cargo test -q -p tandem-domain permissions_doc
	@if [ -d web/node_modules ]; then cd web && npm run -s gen:types; else echo "web/node_modules missing: run make web, then make openapi again, to regenerate the web app's API types"; fi

web: web/node_modules/.package-lock.json ## Build the web app into web/dist (Node 20 and npm)
	cd web && npm run build

web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	cd web && npm ci --no-audit --no-fund

web-check: web ## The web app's checks: lint, types, generated types up to date, unit tests, end-to-end tests in Chromium
	cd web && npm run lint && npm run typecheck && npm run check:types-fresh && npm test
	cargo build -p tandem-server
	cd web && npm run e2e

# Schemathesis, pinned, in a virtual environment of its own (from PyPI).
SCHEMATHESIS := target/schemathesis/bin/schemathesis

fuzz-api: $(SCHEMATHESIS) ## Fuzz the HTTP API with Schemathesis against a running server, embedded and on PostgreSQL + Redis
	cargo build -p tandem-server
	target/schemathesis/bin/python tests/schemathesis/run.py --schemathesis $(SCHEMATHESIS) -- --checks all

$(SCHEMATHESIS): tests/schemathesis/requirements.txt
	python3 -m venv target/schemathesis
	target/schemathesis/bin/pip install -q --disable-pip-version-check -r $<
	touch $@

nextest:
	@command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked

# The S3-compatible server the storage tests start (tests/src/s3.rs); it checks signatures.
s3s-fs:
	@command -v s3s-fs >/dev/null || cargo install s3s-fs@0.14.1 --features binary --locked
