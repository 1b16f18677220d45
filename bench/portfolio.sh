#!/usr/bin/env bash
# Portfolio benchmark: the partnership register with 50,000 generated
# partnerships (bench/generate/), by page and API, signed out and in.
#   BENCH_PARTNERSHIPS=50000 bench/portfolio.sh
# Builds nothing: run `make bench` (which builds the release binary and the generator).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CONCORD_BIN:-target/release/concord}
GENERATE=${CONCORD_GENERATE:-target/release/examples/generate}
COUNT=${BENCH_PARTNERSHIPS:-50000}
# As many connections as the server's database pool: more only measures queueing.
export BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-8}
# shellcheck source=bench/lib.sh
source bench/lib.sh
[[ -x $GENERATE ]] || die "no generator at $GENERATE; build it with cargo build --release --example generate"

# The generated database is kept between runs: generating is not what we measure.
mkdir -p bench/out
db="bench/out/portfolio-$COUNT.db"
if [[ ! -f $db ]]; then
  echo "bench: generating $COUNT partnerships into $db" >&2
  "$GENERATE" --database-url "sqlite://$db" --partnerships "$COUNT" >"$tmp/generate.log" 2>&1 || { cat "$tmp/generate.log" >&2; die "generator failed"; }
fi
start_server "sqlite://$db"
cookie=$(sign_in lead@birmingham.example)
token=$(api_token lead@leeds.example)
[[ -n $token ]] || die "could not create an API token"

measure "portfolio page, signed out (public only)" "/partnerships"
measure "portfolio page, Birmingham's own" "/partnerships" "$cookie"
measure "portfolio page, all visible, filtered by type" "/partnerships?scope=all&kind=shared_service" "$cookie"
measure "portfolio API, all visible, 50 a page" "/api/v1/partnerships?scope=all&per_page=50" "Authorization: Bearer $token"
measure "register CSV export, Birmingham's own" "/partnerships.csv" "$cookie"
print_table
echo
echo "Database: $db ($(du -h "$db" | cut -f1)); RSS of the server after the run: $(ps -o rss= -p "$server_pid" | awk '{ printf "%.0f MiB", $1 / 1024 }')"
