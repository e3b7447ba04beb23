#!/usr/bin/env bash
# Image hashing benchmark, one core: attrib's whole fingerprint (decode, pHash, PDQ) against a plain
# full decode of the same file and against decode + goimagehash pHash, by image size; then the hash
# steps alone on decoded images (PDQ vs goimagehash PerceptionHash) and the 256-bit index query time.
# Prints images/s per core next to Go's ns/op. Needs ../shared/data (images, pdq).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
rate() { awk '/^Benchmark/ { for (i = 1; i <= NF; i++) if ($i == "ns/op") printf "%-45s %12.0f ns/op %8.1f images/s\n", $1, $(i-1), 1e9/$(i-1) }'; }
GOMAXPROCS=1 go test -run '^$' -bench 'Compute|Reference|DecodeOnly' -benchtime 20x ./matcher/imagefp | rate
GOMAXPROCS=1 go test -run '^$' -bench 'HashImage|Dihedral|GoimagehashPerceptionHash' -benchtime 50x ./matcher/pdq | rate
go test -run '^$' -bench 'Search256/.*/(near|random)' -benchtime 2000x ./matcher/hamming | grep -E '^Benchmark' || true
