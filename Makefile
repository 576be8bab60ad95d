# PawsHub: two commands do all set-up on Debian 12 with Swift 6.3 —
#   make run    install build deps, build the release binary, run `pawshub serve`
#   make test   install build + test deps, build once, run the Swift and Python suites
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
SWIFT ?= swift
ARGS ?=

.PHONY: run test deps test-deps release build bench help
.NOTPARALLEL:

help:
	@sed -n '1,3p' Makefile | sed 's/^# \{0,1\}//'

run: deps release
	scripts/run.sh $(ARGS)

test:
	scripts/test.sh

deps:
	scripts/install-deps.sh

test-deps:
	scripts/install-deps.sh --test

release:
	$(SWIFT) build -c release --product pawshub --static-swift-stdlib

build:
	$(SWIFT) build --build-tests

# Proxy benchmark: direct vs nginx vs `pawshub proxy` in one run (BENCH_QUICK=1 for 3 s cells).
bench: test-deps release
	bench/proxy/run.sh
