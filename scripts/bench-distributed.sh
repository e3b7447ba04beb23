#!/usr/bin/env bash
# Distributed-mode benchmark (needs Go and a Redis at $ATTRIB_TEST_REDIS, default 127.0.0.1:6379):
#  a. pages/s of a distributed crawl of ../shared/data/site-pydoc served on loopback, with 1 and with
#     2 worker processes (plus one matcher), --rate 0, FETCHERS fetchers per worker process, all 497
#     page sources registered; pages/s is what `attrib status --json` reports (pages / (scan finished -
#     scan started), the scan starting at enqueue and finishing when the matcher closes it), and the
#     CPU our processes and the whole machine used meanwhile (to tell whether the run was CPU-bound);
#  b. frontier claim+ack throughput: PopN(100)+Ack (pipelined) and Pop+Done (one at a time);
#  c. Redis memory per seen and per queued URL at 1M URLs.
# The site is served COPIES times (default 4) on separate ports and crawled as one scan with one seed
# per copy: one copy (526 pages) lasts a few seconds, of which ~1.5 s are the 1 s polls of workers
# (finding the scan) and of the matcher (closing it). RUNS=N repeats each measurement (default 3).
# Keys live under a namespace of their own, deleted at the end with SCAN + UNLINK (single server).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${ATTRIB_SHARED_DATA:-../shared/data}"
site="$data/site-pydoc"; sources="$data/site-pydoc-sources"
[ -d "$site" ] || { echo "bench-distributed: $site not found" >&2; exit 1; }
addr="${ATTRIB_TEST_REDIS:-127.0.0.1:6379}"
rhost="${addr%:*}"; rport="${addr##*:}"
runs="${RUNS:-3}"; copies="${COPIES:-4}"; fetchers="${FETCHERS:-8}"
ns="bench-dist-$$-$RANDOM"
export ATTRIB_REDIS="redis://$addr/0" ATTRIB_DISTRIBUTED_NAMESPACE="$ns" ATTRIB_QUIET=true
# Two workers' fetchers may all be on one copy: the per-host limit must not be what binds.
export ATTRIB_CRAWL_HOST_CONCURRENCY=$((2 * fetchers))

tmp=$(mktemp -d)
pids=()

# resp CMD ARG...: sends one command to Redis on fd 3 (RESP; lengths in bytes).
resp() {
  local LC_ALL=C a
  printf '*%d\r\n' $# >&3
  for a in "$@"; do printf '$%d\r\n%s\r\n' "${#a}" "$a" >&3; done
}
# line: reads one reply line from fd 3 into $line, without its \r.
line() { IFS= read -r line <&3; line="${line%$'\r'}"; }

# delete_keys: SCAN MATCH and UNLINK, batch by batch, of the namespace's keys; prints how many it
# deleted. crawler/polite's keys are "<ns>polite:…" and "<ns>robots:…" as cmd/attrib names them.
delete_keys() {
  local cursor pattern n i deleted=0 keys
  exec 3<>"/dev/tcp/$rhost/$rport"
  for pattern in "$ns:*" "${ns}polite:*" "${ns}robots:*"; do
    cursor=0
    while :; do
      resp SCAN "$cursor" MATCH "$pattern" COUNT 1000
      line; line; line; cursor=$line # *2, $len, cursor
      line; n=${line#\*}
      keys=()
      for ((i = 0; i < n; i++)); do line; line; keys+=("$line"); done
      if ((n > 0)); then resp UNLINK "${keys[@]}"; line; deleted=$((deleted + ${line#:})); fi
      [ "$cursor" = 0 ] && break
    done
  done
  exec 3>&-
  echo "$deleted"
}

# redis_pid: the server's pid when it runs on this machine (for its CPU time), else empty.
redis_pid() {
  local pid
  exec 3<>"/dev/tcp/$rhost/$rport"
  resp INFO server
  line; local left=${line#\$}
  while ((left > 0)); do line; left=$((left - ${#line} - 2)); case $line in process_id:*) pid=${line#process_id:} ;; esac; done
  line
  exec 3>&-
  [ -r "/proc/${pid:-0}/stat" ] && grep -q redis "/proc/$pid/comm" && echo "$pid" || true
}

cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "cleanup: deleted $(delete_keys) keys of namespace $ns"
  rm -rf "$tmp"
}
trap cleanup EXIT

# ticks PID...: CPU time (user+system, clock ticks) of processes; /proc/stat's busy ticks for "all".
ticks() {
  local p total=0
  for p in "$@"; do
    if [ "$p" = all ]; then
      total=$((total + $(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat)))
    elif [ -r "/proc/$p/stat" ]; then
      total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12+$13}')))
    fi
  done
  echo "$total"
}

json_field() { grep -o "\"$1\":[^,}]*" | head -n 1 | cut -d: -f2 | tr -d '"'; }

go build -o "$tmp/attrib" ./cmd/attrib
go build -o "$tmp/benchcolly" ./scripts/benchcolly
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3); redis $addr"
echo "load at start: $(uptime | sed 's/.*load/load/')"

seeds=(); servers=()
for i in $(seq 1 "$copies"); do
  "$tmp/benchcolly" serve "$site" > "$tmp/url$i" & pids+=($!); servers+=($!)
  for _ in $(seq 1 50); do [ -s "$tmp/url$i" ] && break; sleep 0.1; done
  seeds+=("$(cat "$tmp/url$i")/index.html")
done
"$tmp/attrib" register --quiet --creator PSF "$sources"
rpid=$(redis_pid)
hz=$(getconf CLK_TCK)

echo
echo "a. distributed crawl: site-pydoc x $copies copies (one scan, $copies seeds), --rate 0, $fetchers fetchers per worker, 1 matcher"
declare -A best median
for w in 1 2; do
  workers=()
  "$tmp/attrib" matcher > "$tmp/matcher-$w.log" 2>&1 & pids+=($!); matcher=$!
  for _ in $(seq 1 "$w"); do
    "$tmp/attrib" worker --workers "$fetchers" >> "$tmp/worker-$w.log" 2>&1 & pids+=($!); workers+=($!)
  done
  sleep 2 # the registry is loaded, the workers are idle
  rates=()
  for r in $(seq 1 "$runs"); do
    scan="w$w-r$r"
    c0=("$(ticks "${workers[@]}")" "$(ticks "$matcher")" "$(ticks $rpid)" "$(ticks "${servers[@]}")" "$(ticks all)")
    t0=$(date +%s.%N)
    "$tmp/attrib" enqueue --scan "$scan" --rate 0 --depth 100 "${seeds[@]}" > /dev/null
    for _ in $(seq 1 1200); do
      s=$("$tmp/attrib" status --scan "$scan" --json)
      [ "$(echo "$s" | json_field state)" = finished ] && break
      sleep 0.5
    done
    t1=$(date +%s.%N)
    c1=("$(ticks "${workers[@]}")" "$(ticks "$matcher")" "$(ticks $rpid)" "$(ticks "${servers[@]}")" "$(ticks all)")
    [ "$(echo "$s" | json_field state)" = finished ] || { echo "scan $scan did not finish: $s" >&2; exit 1; }
    rate=$(echo "$s" | json_field pages_per_second); pages=$(echo "$s" | json_field pages)
    rates+=("$rate")
    # CPU in cores over the run: workers, matcher, Redis (all its clients), site servers, whole machine.
    awk -v w="$w" -v r="$r" -v p="$pages" -v rate="$rate" -v dead="$(echo "$s" | json_field dead)" \
      -v el="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" -v hz="$hz" -v cores="$(nproc)" \
      -v cw=$((c1[0] - c0[0])) -v cm=$((c1[1] - c0[1])) -v cr=$((c1[2] - c0[2])) -v cs=$((c1[3] - c0[3])) -v ca=$((c1[4] - c0[4])) 'BEGIN{
        k = hz * el
        printf "  %d worker(s) run %d: %d pages, %d dead, %.1f pages/s in %.1f s; CPU cores: worker(s) %.2f, matcher %.2f, redis %.2f, site %.2f; machine %.2f of %d (%.0f%% busy)\n",
          w, r, p, dead, rate, el, cw/k, cm/k, cr/k, cs/k, ca/k, cores, 100*ca/k/cores }'
  done
  for p in "$matcher" "${workers[@]}"; do kill "$p"; done
  for p in "$matcher" "${workers[@]}"; do wait "$p" || true; done
  sorted=($(printf '%s\n' "${rates[@]}" | sort -g))
  best[$w]=${sorted[-1]}; median[$w]=${sorted[$(( ${#sorted[@]} / 2 ))]}
  printf '  %d worker(s): best %.1f, median %.1f pages/s\n' "$w" "${best[$w]}" "${median[$w]}"
done
awk -v b1="${best[1]}" -v b2="${best[2]}" -v m1="${median[1]}" -v m2="${median[2]}" \
  'BEGIN{printf "  ratio 2 workers / 1 worker: %.2f best, %.2f median (target >= 1.7 on 2 cores when CPU-bound)\n", b2/b1, m2/m1}'

echo
echo "b. frontier claim+ack (go test -bench, one partition, $runs runs)"
go test ./crawler/frontier/redisfrontier -run '^$' -bench 'PopNAck|PopDone/partitions=1' -benchtime 200000x -count "$runs" \
  | awk '/^Benchmark/{name = $1; sub(/-[0-9]+$/, "", name); print name, $5}' > "$tmp/ops"
for b in BenchmarkPopNAck BenchmarkPopDone/partitions=1; do
  sorted=($(awk -v b="$b" '$1 == b {print $2}' "$tmp/ops" | sort -g))
  printf '  %-30s best %.0f, median %.0f jobs/s (runs: %s)\n' "$b" "${sorted[-1]}" "${sorted[$(( ${#sorted[@]} / 2 ))]}" "$(echo "${sorted[@]}" | sed 's/\.[0-9]*//g')"
done
echo "  PopNAck: PopN(100) + Ack from 4 goroutines (target >= 100000 jobs/s); PopDone: Pop + Done from 32 goroutines"

echo
echo "c. Redis memory per URL at 1M URLs (MEMORY USAGE of every key)"
go test ./crawler/frontier/redisfrontier -run MemoryPerURL -measure -v -count 1 \
  | sed -nE 's/.*bench_test.go:[0-9]+: /  /p'
echo "load at end: $(uptime | sed 's/.*load/load/')"
