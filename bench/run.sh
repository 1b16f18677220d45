#!/usr/bin/env bash
# HTTP benchmark for Concord: starts a release binary on a fresh demo database
# and runs wrk against four representative URLs, then prints one summary table.
#
# Builds nothing: run `cargo build --release` first (or `make bench`).
#
# Environment:
#   CONCORD_BIN     binary to benchmark (default target/release/concord)
#   BENCH_SECONDS   duration of each wrk run in seconds (default 10)
#   BENCH_THREADS   wrk threads (default 2)
#   BENCH_CONNECTIONS  wrk connections (default 32)
set -euo pipefail

cd "$(dirname "$0")/.."

BIN=${CONCORD_BIN:-target/release/concord}
DURATION=${BENCH_SECONDS:-10}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
STARTUP_TIMEOUT=30

URLS=(
  "/organisations?q=bir"               # directory search page
  "/organisations/BIR"                 # organisation page
  "/api/v1/organisations?per_page=50"  # organisations API
  "/assets/concord.css"                # static asset
)

die() {
  echo "bench: $*" >&2
  exit 1
}

[[ -x $BIN ]] || die "no executable at $BIN; build it first (cargo build --release) or set CONCORD_BIN"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install -y wrk)"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive whole number, got '$DURATION'"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/concord-bench.XXXXXX")
server_pid=

cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

database_url="sqlite://$tmp/bench.db"

echo "bench: creating demo database" >&2
if ! "$BIN" demo --database-url "$database_url" >"$tmp/demo.log" 2>&1; then
  cat "$tmp/demo.log" >&2
  die "'$BIN demo' failed"
fi

"$BIN" serve --addr 127.0.0.1:0 --database-url "$database_url" >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!

base_url=
deadline=$((SECONDS + STARTUP_TIMEOUT))
while [[ -z $base_url ]]; do
  # Strip ANSI colours, find the ready line, take its URL without the final slash.
  base_url=$(sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$tmp/server.out" |
    grep 'Concord is ready at' |
    grep -oE 'http://127\.0\.0\.1:[0-9]+/' |
    head -n 1 | sed 's#/$##' || true)
  [[ -n $base_url ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$tmp/server.err" >&2
    die "the server exited before it was ready"
  fi
  if ((SECONDS >= deadline)); then
    echo "--- stdout ---" >&2
    cat "$tmp/server.out" >&2
    echo "--- stderr ---" >&2
    cat "$tmp/server.err" >&2
    die "no 'Concord is ready at http://127.0.0.1:PORT/' line within ${STARTUP_TIMEOUT}s"
  fi
  sleep 0.1
done
echo "bench: server ready at $base_url/" >&2

# Refuse to benchmark error pages: every URL must answer 200 first.
if command -v curl >/dev/null; then
  for url in "${URLS[@]}"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' "$base_url$url" || true)
    [[ $status == 200 ]] || die "GET $url answered $status, not 200; not benchmarking it"
  done
else
  echo "bench: curl not found; skipping the 200 check (watch the errors column)" >&2
fi

rows=()
for url in "${URLS[@]}"; do
  echo "bench: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency $url" >&2
  out="$tmp/wrk.out"
  if ! wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$base_url$url" >"$out" 2>&1; then
    cat "$out" >&2
    die "wrk failed on $url"
  fi
  # wrk --latency prints e.g.
  #   Latency Distribution
  #      50%    1.02ms
  #      99%    4.87ms
  #   ...
  #   Socket errors: connect 0, read 0, write 0, timeout 0
  #   Non-2xx or 3xx responses: 12
  #   Requests/sec:  31234.56
  row=$(awk -v url="$url" '
    $1 == "Requests/sec:" { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    /Socket errors:/ {
      for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { n = $i; sub(/,/, "", n); errors += n }
    }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    END {
      if (rps == "" || p50 == "" || p99 == "") exit 1
      printf "%s\t%s\t%s\t%s\t%d\n", url, rps, p50, p99, errors
    }' "$out") || {
    cat "$out" >&2
    die "could not read wrk's output for $url"
  }
  rows+=("$row")
done

echo
echo "Concord benchmark: $(basename "$BIN") ($BIN), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $(nproc) CPU(s), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
fmt='| %-36s | %12s | %9s | %9s | %7s |\n'
# shellcheck disable=SC2059
printf "$fmt" "URL" "requests/s" "p50" "p99" "errors"
# shellcheck disable=SC2059
printf "$fmt" "$(printf '%.0s-' {1..36})" "$(printf '%.0s-' {1..11}):" "$(printf '%.0s-' {1..8}):" "$(printf '%.0s-' {1..8}):" "$(printf '%.0s-' {1..6}):"
for row in "${rows[@]}"; do
  IFS=$'\t' read -r url rps p50 p99 errors <<<"$row"
  # shellcheck disable=SC2059
  printf "$fmt" "\`$url\`" "$rps" "$p50" "$p99" "$errors"
done

if printf '%s\n' "${rows[@]}" | awk -F'\t' '$5 > 0 { found = 1 } END { exit !found }'; then
  echo
  echo "bench: some requests failed (socket errors or non-2xx/3xx responses); see the errors column" >&2
fi
