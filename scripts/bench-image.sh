#!/usr/bin/env bash
# Image hashing benchmark, one core: attrib's whole fingerprint (decode, pHash, PDQ) against a plain
# full decode of the same file and against decode + goimagehash pHash, by image size; then the hash
# steps alone on decoded images (PDQ vs goimagehash PerceptionHash) and the 256-bit index query time.
# Prints images/s per core next to Go's ns/op, and for the shared photos grouped by size, photos/s per
# core with the ratio to image/jpeg's full decode. Needs ../shared/data (images, pdq).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
rate() { awk '/^Benchmark/ { for (i = 1; i <= NF; i++) if ($i == "ns/op") printf "%-45s %12.0f ns/op %8.1f images/s\n", $1, $(i-1), 1e9/$(i-1) }'; }
# photos: name, photos/s and, per size group, the ratio to the group's "decode" line.
photos() {
	awk '/^BenchmarkPhotos/ {
		for (i = 1; i <= NF; i++) if ($i == "photos/s") r = $(i-1)
		split($1, p, "/"); g = p[2]; op = p[3]; sub(/-[0-9]+$/, "", op)
		if (op == "decode") base[g] = r
		printf "%-12s %-12s %8.1f photos/s  %5.2fx full decode\n", g, op, r, (g in base) ? r / base[g] : 0
	}'
}
GOMAXPROCS=1 go test -run '^$' -bench 'Compute|Reference|DecodeOnly' -benchtime 20x ./matcher/imagefp | rate
GOMAXPROCS=1 go test -run '^$' -bench 'Photos' -benchtime 5x ./matcher/imagefp | photos
GOMAXPROCS=1 go test -run '^$' -bench 'HashImage|Dihedral|GoimagehashPerceptionHash' -benchtime 50x ./matcher/pdq | rate
go test -run '^$' -bench 'Search256/.*/(near|random)' -benchtime 2000x ./matcher/hamming | grep -E '^Benchmark' || true
