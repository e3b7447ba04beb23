#!/usr/bin/env bash
# Runs every dataset reader's fuzz target for a few seconds (FUZZTIME, default 3s): CI calls it after
# the tests. The seed corpora in each package's testdata/fuzz are also replayed by plain `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${FUZZTIME:-3s}"
for target in \
  "FuzzWARC ./crawler/dataset/warc" \
  "FuzzReader ./crawler/dataset/jsonl" \
  "FuzzReader ./crawler/dataset/parquet" \
  "FuzzReader ./crawler/dataset/webdataset"; do
  set -- $target
  echo "fuzz: $1 in $2 for $t"
  go test -run '^$' -fuzz "^$1\$" -fuzztime "$t" "$2"
done
