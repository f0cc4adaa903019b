# The two set-up commands of the README: `make demo` and `make test`.
.PHONY: deps build demo test lint typecheck bench

deps:
	@scripts/install-deps.sh

build: deps
	@npm run --silent build

demo: build
	@node bin/genautoml.js demo

test: deps
	@npm test

lint: deps
	@npm run --silent lint

typecheck: deps
	@npm run --silent typecheck

bench: build
	@scripts/install-deps.sh --bench
	@node dist/bench/run.js
