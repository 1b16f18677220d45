#!/usr/bin/env bash
# Import memory: peak resident memory and time of `concord import partnerships`
# for a large generated file (default 273,646 rows, about 50 MB) on a fresh
# demo database, once refused at a duplicate on its last line (nothing is
# written) and once accepted. Builds nothing: run `cargo build --release` first.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CONCORD_BIN:-target/release/concord}
ROWS=${BENCH_IMPORT_ROWS:-273646}
[[ -x $BIN ]] || { echo "bench: no executable at $BIN; build it first" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time is not installed (apt-get install -y time)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/concord-import.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Rows led by real councils, each naming two partners and three services.
python3 - "$ROWS" "$tmp/good.csv" <<'PY'
import sys, random
rows, path = int(sys.argv[1]), sys.argv[2]
random.seed(1)
codes = ["BIR", "LDS", "MAN", "LIV", "SHF", "BRD", "KIR", "WKF", "CON", "NET", "SND", "GAT"]
with open(path, "w") as f:
    f.write("name,purpose,kind,degree,stage,status,visibility,start_date,end_date,lead,partners,services,review_cadence_months\n")
    for i in range(rows):
        lead, a, b = random.sample(codes, 3)
        f.write(f"Shared revenues and benefits service number {i},"
                f"\"One revenues, benefits and council tax service, one team ({i})\","
                f"shared_service,collaborating,{1 + i % 8},active,partners,2025-04-01,,{lead},{a}|{b},1|2|3,12\n")
PY
{ cat "$tmp/good.csv"; tail -n 1 "$tmp/good.csv"; } >"$tmp/duplicate-last.csv"

run() { # run LABEL FILE
  "$BIN" demo --database-url "sqlite://$tmp/$1.db" >/dev/null 2>&1
  /usr/bin/time -f "%M %e" -o "$tmp/$1.time" "$BIN" import --database-url "sqlite://$tmp/$1.db" partnerships "$2" >"$tmp/$1.out" 2>&1 || true
  read -r kib secs < <(tail -n 1 "$tmp/$1.time")
  printf '| %-40s | %8s MB | %8s | %6d s | %s\n' "$1" "$(du -m "$2" | cut -f1)" "$((kib / 1024)) MB" "${secs%.*}" "$(tail -n 1 "$tmp/$1.out" | sed "s|$tmp/||" | cut -c1-90)"
}
echo "| import                                   | file size   | peak RSS | time     | outcome"
echo "| ----                                     | ---------:  | -------: | -------: | ----"
run "refused (duplicate on the last line)" "$tmp/duplicate-last.csv"
run "accepted" "$tmp/good.csv"
