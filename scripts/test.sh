#!/usr/bin/env bash
# Runs every test of attrib with the race detector. This is the README's test command.
# Tests that need Redis use 127.0.0.1:6379 (ATTRIB_TEST_REDIS overrides); they skip when none
# answers unless ATTRIB_REQUIRE_REDIS is set. Tests that read ../shared/data skip when it is
# absent unless CI is set. Browser tests skip without Chromium unless ATTRIB_REQUIRE_BROWSER is set.
#
# Under -race a few heavy single-goroutine loops (image decoding and hashing, index property
# tests) check a fixed subset of their cases (each package's race_on_test.go); the second run
# checks the full sets without the race detector, where they are ten times cheaper.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -race -count=1 -timeout 12m "$@" ./...
go test -count=1 -timeout 6m "$@" ./matcher/imagefp/... ./matcher/hamming/ ./matcher/textmatch/ ./matcher/pdq/
