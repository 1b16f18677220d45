#!/usr/bin/env bash
# Health portfolio benchmark: Birmingham's partnerships side by side, each
# with its latest closed health check, at 5,000 partnerships (six
# stakeholders a round, one in five with an earlier round for the trend;
# bench/generate/health.rs), by page and API, sorted two ways.
#   BENCH_PARTNERSHIPS=5000 bench/health_portfolio.sh
# Builds nothing: cargo build --release --bin concord --example generate.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CONCORD_BIN:-target/release/concord}
GENERATE=${CONCORD_GENERATE:-target/release/examples/generate}
COUNT=${BENCH_PARTNERSHIPS:-5000}
export BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-8}
# shellcheck source=bench/lib.sh
source bench/lib.sh
[[ -x $GENERATE ]] || die "no generator at $GENERATE; build it with cargo build --release --example generate"

# The generated database is kept between runs: generating is not what we measure.
mkdir -p bench/out
db="bench/out/health-portfolio-$COUNT.db"
if [[ ! -f $db ]]; then
  echo "bench: generating $COUNT partnerships with health checks into $db" >&2
  start=$(date +%s.%N)
  "$GENERATE" health-portfolio --database-url "sqlite://$db" --partnerships "$COUNT" >"$tmp/generate.log" 2>&1 || { cat "$tmp/generate.log" >&2; die "generator failed"; }
  echo "bench: generated in $(echo "$(date +%s.%N) - $start" | bc | cut -c1-6) s" >&2
fi
start_server "sqlite://$db"
cookie=$(sign_in lead@birmingham.example)
token=$(api_token lead@birmingham.example)
[[ -n $token ]] || die "could not create an API token"

measure "portfolio page, by name, first page" "/health-checks/portfolio" "$cookie"
measure "portfolio page, by health" "/health-checks/portfolio?sort=health" "$cookie"
measure "portfolio API, by divergences" "/api/v1/health-checks/portfolio?sort=divergences" "Authorization: Bearer $token"
print_table
echo
echo "Database: $db ($(du -h "$db" | cut -f1)); RSS of the server after the run: $(ps -o rss= -p "$server_pid" | awk '{ printf "%.0f MiB", $1 / 1024 }')"
