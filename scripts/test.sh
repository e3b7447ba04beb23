#!/usr/bin/env bash
# Runs every test of attrib with the race detector. This is the README's test command.
# Tests that need Redis use 127.0.0.1:6379 (ATTRIB_TEST_REDIS overrides); they skip when none
# answers unless ATTRIB_REQUIRE_REDIS is set. Tests that read ../shared/data skip when it is
# absent unless CI is set.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go test -race -count=1 -timeout 12m "$@" ./...
