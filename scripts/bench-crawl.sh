#!/usr/bin/env bash
# Crawl benchmark: serves ../shared/data/site-pydoc on loopback and prints, in one run, the pages/s
# of a bare colly crawl of it and of `attrib crawl --rate 0` with all 497 page sources registered,
# and their ratio (target: attrib >= 0.8x bare colly). RUNS=N repeats each crawl (best run counts).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${ATTRIB_SHARED_DATA:-../shared/data}"
site="$data/site-pydoc"; sources="$data/site-pydoc-sources"
[ -d "$site" ] || { echo "bench-crawl: $site not found" >&2; exit 1; }
runs="${RUNS:-3}"
tmp=$(mktemp -d); trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/attrib" ./cmd/attrib
go build -o "$tmp/benchcolly" ./scripts/benchcolly
"$tmp/benchcolly" serve "$site" > "$tmp/url" & server=$!
for _ in $(seq 1 50); do [ -s "$tmp/url" ] && break; sleep 0.1; done
base=$(cat "$tmp/url")
export ATTRIB_DB="$tmp/bench.db"
"$tmp/attrib" register --quiet --creator PSF "$sources"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
echo "works registered: $("$tmp/attrib" works --json | grep -c '"id"')"

best_colly=0; best_attrib=0
for i in $(seq 1 "$runs"); do
  line=$("$tmp/benchcolly" crawl "$base/index.html" 8)
  echo "run $i $line"
  rate=$(echo "$line" | sed -E 's/.*= ([0-9.]+) pages\/s/\1/')
  best_colly=$(awk -v a="$best_colly" -v b="$rate" 'BEGIN{print (b>a)?b:a}')

  start=$(date +%s.%N)
  "$tmp/attrib" crawl --quiet --rate 0 --depth 100 --json -o "$tmp/report.json" "$base/index.html" > /dev/null
  end=$(date +%s.%N)
  pages=$(grep -m1 '"pages"' "$tmp/report.json" | tr -dc '0-9')
  matches=$(grep -c '"method"' "$tmp/report.json" || true)
  rate=$(awk -v p="$pages" -v s="$start" -v e="$end" 'BEGIN{printf "%.1f", p/(e-s)}')
  echo "run $i attrib: $pages pages, $matches matches in $(awk -v s="$start" -v e="$end" 'BEGIN{printf "%.2f", e-s}')s = $rate pages/s (whole command: store open, index load, crawl, report)"
  best_attrib=$(awk -v a="$best_attrib" -v b="$rate" 'BEGIN{print (b>a)?b:a}')
done
echo "best: colly $best_colly pages/s, attrib $best_attrib pages/s, ratio $(awk -v a="$best_attrib" -v c="$best_colly" 'BEGIN{printf "%.2f", a/c}') (target >= 0.80)"
