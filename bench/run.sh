#!/usr/bin/env bash
# HTTP benchmark: the directory, an organisation page, the organisations API
# and a static asset, on a fresh demo database. Builds nothing: run
# `cargo build --release` first (or `make bench`).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CONCORD_BIN:-target/release/concord}
# shellcheck source=bench/lib.sh
source bench/lib.sh

echo "bench: creating demo database" >&2
"$BIN" demo --database-url "sqlite://$tmp/bench.db" >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log" >&2; die "'$BIN demo' failed"; }
start_server "sqlite://$tmp/bench.db"

measure "directory search page /organisations?q=bir" "/organisations?q=bir"
measure "organisation page /organisations/BIR" "/organisations/BIR"
measure "organisations API ?per_page=50" "/api/v1/organisations?per_page=50"
measure "static asset /assets/concord.css" "/assets/concord.css"
print_table
