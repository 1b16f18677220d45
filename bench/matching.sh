#!/usr/bin/env bash
# Matching benchmark: 100,000 generated needs across 25,000 organisations
# (bench/generate/ `needs`, fixed seed): matching one need by API
# (GET /api/v1/needs/{id}/matches, signed out and with a token) and pipeline
# search (GET /api/v1/needs?q=...), with wrk; then recall@10 and MRR of the
# engine on the labelled set (the engine's `figures` test).
#   bench/matching.sh                       # SQLite, bench/out/needs-100000.db
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/concord_bench_needs bench/matching.sh
# Builds nothing: `cargo build --release --bin concord --example generate` first.
# The prefilter against a full scan (top 10 found, per budget):
#   target/release/examples/generate match-agreement --database-url sqlite://bench/out/needs-100000.db
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CONCORD_BIN:-target/release/concord}
GENERATE=${CONCORD_GENERATE:-target/release/examples/generate}
NEEDS=${BENCH_NEEDS:-100000}
ORGS=${BENCH_ORGANISATIONS:-25000}
export BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-8}
# shellcheck source=bench/lib.sh
source bench/lib.sh
[[ -x $GENERATE ]] || die "no generator at $GENERATE"

mkdir -p bench/out
url=${BENCH_DATABASE_URL:-sqlite://bench/out/needs-$NEEDS.db}
echo "bench: generating (or finding) $NEEDS needs in $url" >&2
"$GENERATE" needs --database-url "$url" --needs "$NEEDS" --organisations "$ORGS" >"$tmp/generate.log" 2>&1 || { cat "$tmp/generate.log" >&2; die "generator failed"; }
start_server "$url"
token=$(api_token lead@leeds.example)
[[ -n $token ]] || die "could not create an API token"
# Public generated needs at three places in the table; the first request builds the corpus.
ids=()
for at in 10 250 450; do
  id=$(curl -s "$base_url/api/v1/needs?per_page=100&page=$at" | grep -oE '"id":[0-9]+' | head -n 1 | cut -d: -f2)
  [[ -n $id ]] || die "no need at page $at"
  ids+=("$id")
done
start=$(date +%s.%N)
curl -s -o /dev/null "$base_url/api/v1/needs/${ids[0]}/matches"
echo "bench: first request (corpus built): $(echo "$(date +%s.%N) - $start" | bc) s" >&2

for id in "${ids[@]}"; do
  measure "matches of need $id, signed out" "/api/v1/needs/$id/matches"
done
measure "matches of need ${ids[0]}, with a token" "/api/v1/needs/${ids[0]}/matches" "Authorization: Bearer $token"
measure "pipeline search ?q=missed+bin" "/api/v1/needs?q=missed+bin"
measure "pipeline search ?q=lamp, with a token" "/api/v1/needs?q=lamp" "Authorization: Bearer $token"
print_table
echo
# RSS counts the database file's pages once for every pooled connection's
# memory map (mmap_size, up to 256 MiB each), so it is split: anonymous
# memory is the process's own; file pages are the OS page cache.
mib() { awk -v k="$1" '$1 == k ":" { printf "%.0f MiB", $2 / 1024 }' "/proc/$server_pid/status"; }
maps=$(grep -c "needs-$NEEDS.db" "/proc/$server_pid/maps" || true)
echo "Server RSS after the run: $(mib VmRSS) ($(mib RssAnon) anonymous, $(mib RssFile) file pages: the database mapped $maps times)"
if [[ ${BENCH_FIGURES:-1} == 1 ]]; then
  echo
  echo "Labelled set (cargo test --lib needs::matching::tests::figures):"
  cargo test --quiet --lib needs::matching::tests::figures -- --nocapture 2>/dev/null | grep -iE "recall|mrr|variant|\|" || true
fi
