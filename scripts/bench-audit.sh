#!/usr/bin/env bash
# Dataset audit benchmark (issue 6): MB/s and records/s, in all and per core (user+sys CPU), of
# `attrib audit --quiet --json` on a WARC file (gzip per record, HTML responses) and a C4-style JSONL
# file against a registry of WORKS text works (scripts/benchload), then peak RSS on a SIZE_GB JSONL file
# next to the SIZE_MB one: memory must not grow with the input.
#
# Inputs come from scripts/benchaudit: page text is drawn from the vocabulary of ../shared/data/texts,
# and every PLANT_EVERY'th record quotes 100 words of a registered work, so matching is real and
# checked (found/planted). The SIZE_GB file plants no more quotes than the SIZE_MB one, so both
# reports hold the same matches and RSS compares streaming alone.
# Rates leave out startup (mostly loading the registry): MB/s and records/s are over the audit's own wall
# time, per-core figures over CPU time net of an audit of a one-record file.
#
#   scripts/bench-audit.sh                                   # WORKS=100000 SIZE_MB=256 SIZE_GB=2
#   WORKS=10000 SIZE_MB=32 SIZE_GB=0.5 scripts/bench-audit.sh   # a quick run
# Needs Go and GNU time (/usr/bin/time; installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
WORKS="${WORKS:-100000}"
SIZE_MB="${SIZE_MB:-256}"
SIZE_GB="${SIZE_GB:-2}"
PLANT_EVERY="${PLANT_EVERY:-200}"
data="${ATTRIB_SHARED_DATA:-../shared/data}/texts"
[ -d "$data" ] || { echo "bench-audit: $data not found" >&2; exit 1; }
data=$(cd "$data" && pwd)

if [ ! -x /usr/bin/time ]; then
	echo "bench-audit: installing GNU time" >&2
	{ apt-get install -y -qq time || { apt-get update -qq && apt-get install -y -qq time; }; } >/dev/null ||
		{ echo "bench-audit: /usr/bin/time (GNU time) is needed" >&2; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-audit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Disk: the registry (~11 KB a work), both SIZE_MB files and the SIZE_GB file (each deleted after use).
need_mb=$(awk -v w="$WORKS" -v m="$SIZE_MB" -v g="$SIZE_GB" 'BEGIN { printf "%d", (w * 11 / 1000 + 2 * m + g * 1024) * 1.2 + 100 }')
free_mb=$(df -Pm "$tmp" | awk 'NR == 2 { print $4 }')
if [ "$free_mb" -lt "$need_mb" ]; then
	echo "bench-audit: $tmp has $free_mb MB free, needs about $need_mb MB (lower WORKS, SIZE_MB or SIZE_GB)" >&2
	exit 1
fi

go build -o "$tmp/attrib" ./cmd/attrib
go build -o "$tmp/benchaudit" ./scripts/benchaudit
go build -o "$tmp/benchload" ./scripts/benchload
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load:$(uptime | sed 's/.*load average://')"
echo "disk: $free_mb MB free in $tmp, about $need_mb MB needed"

echo "== registry: $WORKS works of 6000 B (scripts/benchload)"
mkdir -p "$tmp/reg"
"$tmp/benchload" -n "$WORKS" -data "$data" -dir "$tmp/reg"
db="$tmp/reg/load.db"
echo "registry: $(du -m "$db" | cut -f1) MB"

# measure FILE: audits FILE, leaves "wall user sys maxrss_kb" of the command in $tmp/time, its progress
# lines in $tmp/progress (not --quiet: the last line's records/s is over the audit alone, without the
# registry load) and the report in $tmp/report.json.
measure() {
	/usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$tmp/attrib" --db "$db" audit --json "$1" >"$tmp/report.json" 2>"$tmp/progress" ||
		{ tail -n 5 "$tmp/progress" >&2; return 1; }
}

gen() { # gen FORMAT FILE MB [extra flags]
	local format=$1 file=$2 mb=$3
	shift 3
	"$tmp/benchaudit" gen -format "$format" -o "$file" -manifest "$file.manifest" -data "$data" -works "$WORKS" \
		-plant-every "$PLANT_EVERY" -bytes "$(awk -v m="$mb" 'BEGIN { printf "%d", m * 1048576 }')" "$@" >/dev/null
}

# Startup: an audit of one record (loading the registry dominates).
gen jsonl "$tmp/one.jsonl" 0.001
head -n 1 "$tmp/one.jsonl" >"$tmp/one1.jsonl"
measure "$tmp/one1.jsonl"
read -r base_wall base_user base_sys base_rss <"$tmp/time"
base_cpu=$(awk -v u="$base_user" -v s="$base_sys" 'BEGIN { print u + s }')
printf '\n== startup (1-record audit): wall %.1f s, CPU %.1f s, peak RSS %d MB\n' "$base_wall" "$base_cpu" $((base_rss / 1024))

printf '\n%-16s %7s %8s %6s %7s %7s %7s %7s %8s %9s %6s %9s\n' input MB records cmd_s audit_s MB/s rec/s cpu_s MB/s/core rec/s/core RSS_MB found/pl
# report NAME FILE: one line from $tmp/time, $tmp/progress and the report. cmd_s: the whole command's
# wall time; audit_s: the audit's own (records / the rate of its last progress line), on which MB/s and
# rec/s are; cpu_s: user+sys net of startup, on which the per-core figures are.
report() {
	local name=$1 file=$2 wall user sys rss check rate
	read -r wall user sys rss <"$tmp/time"
	rate=$(grep '^audit: ' "$tmp/progress" | tail -n 1 | sed -E 's/.* records \(([0-9.]+)\/s\).*/\1/')
	check=$("$tmp/benchaudit" check -manifest "$file.manifest" -report "$tmp/report.json")
	echo "$check" >"$tmp/check.$name"
	awk -v name="$name" -v bytes="$(stat -c %s "$file")" -v wall="$wall" -v cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
		-v rss="$rss" -v bc="$base_cpu" -v rate="${rate:-0}" -v check="$check" 'BEGIN {
		n = split(check, kv, /[ =]/); for (i = 1; i < n; i += 2) c[kv[i]] = kv[i + 1]
		mb = bytes / 1048576; r = c["records"]; aw = rate > 0 ? r / rate : wall; nc = cpu - bc
		if (nc <= 0) nc = cpu
		printf "%-16s %7.1f %8d %6.1f %7.1f %7.2f %7.0f %7.1f %8.2f %9.0f %6d %9s\n", name, mb, r, wall, aw, mb / aw, r / aw, nc,
			mb / nc, r / nc, rss / 1024, sprintf("%d/%d", c["found"], c["planted"])
	}'
}

gen warc "$tmp/bench.warc.gz" "$SIZE_MB"
measure "$tmp/bench.warc.gz"
report "warc.gz ${SIZE_MB}MB" "$tmp/bench.warc.gz"
rm -f "$tmp/bench.warc.gz"

gen jsonl "$tmp/bench.jsonl" "$SIZE_MB"
measure "$tmp/bench.jsonl"
report "jsonl ${SIZE_MB}MB" "$tmp/bench.jsonl"
small_rss=$(awk '{ print $4 }' "$tmp/time")
planted=$(wc -l <"$tmp/bench.jsonl.manifest")
rm -f "$tmp/bench.jsonl"

gen jsonl "$tmp/big.jsonl" "$(awk -v g="$SIZE_GB" 'BEGIN { print g * 1024 }')" -plant-max "$planted"
measure "$tmp/big.jsonl"
report "jsonl ${SIZE_GB}GB" "$tmp/big.jsonl"
big_rss=$(awk '{ print $4 }' "$tmp/time")
rm -f "$tmp/big.jsonl"

echo
for f in "$tmp"/check.*; do echo "${f#"$tmp"/check.}: $(cat "$f")"; done
awk -v s="$small_rss" -v b="$big_rss" -v sm="$SIZE_MB" -v bg="$SIZE_GB" 'BEGIN {
	printf "peak RSS: %d MB at %s MB, %d MB at %s GB (x%.2f for x%.0f the input)\n", s / 1024, sm, b / 1024, bg, b / s, bg * 1024 / sm }'
