#!/usr/bin/env bash
# Text engine benchmark: fingerprinting MB/s on one core, then for registries of 10k, 100k and 1M works
# (real passages of 1-20 KB of ../shared/data/texts, re-skinned per group so that groups share only
# function-word phrases; see scripts/benchtext/reskin.go): index build time, heap per indexed work,
# rebuild time from stored fingerprints (up to 100k works) and pages/s on one core (pages of real
# text in no work, half with an excerpt of a registered work, half of those 10% edited).
# SIZES=10000,100000 limits the registries (1M needs ~5 GB RAM, ~7 GB of /tmp and a few minutes);
# extra arguments go to benchtext (-w N, -query-all, -verify-all, -pages N, -cpuprofile f).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${ATTRIB_SHARED_DATA:-../shared/data}"
[ -d "$data/texts" ] || { echo "bench-text: $data/texts not found" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/benchtext" ./scripts/benchtext
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$tmp/benchtext" -data "$data/texts" -sizes "${SIZES:-10000,100000,1000000}" "$@"
