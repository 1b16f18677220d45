#!/usr/bin/env bash
# Health check report benchmark: one round with 1,000 responses (every
# statement of Concord's questionnaire answered, a fixed pseudo-random
# pattern, one in ten "don't know", a comment from one in five) across three
# partner organisations and four roles, made through the real API (a
# partnership led by Birmingham with Leeds and Cornwall accepted, 1,000
# invitations, 1,000 answers by link); then wrk on the report by API and
# page, the CSV and the portfolio, printing p50 and p99.
#   bench/health_report.sh                  # SQLite, a fresh bench/out/health-report.db
#   BENCH_RESPONSES=200 bench/health_report.sh
# Builds nothing: `cargo build --release --bin concord` first.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CONCORD_BIN:-target/release/concord}
RESPONSES=${BENCH_RESPONSES:-1000}
export BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-8}
# shellcheck source=bench/lib.sh
source bench/lib.sh
command -v python3 >/dev/null || die "python3 is needed to make the round"

mkdir -p bench/out
db="bench/out/health-report.db"
rm -f "$db" "$db-wal" "$db-shm"
echo "bench: loading the demo data into $db" >&2
"$BIN" --database-url "sqlite://$db" demo >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log" >&2; die "demo load failed"; }
start_server "sqlite://$db"
bir=$(api_token lead@birmingham.example)
lds=$(api_token lead@leeds.example)
[[ -n $bir && -n $lds ]] || die "could not create API tokens"

start=$(date +%s.%N)
round=$(BASE="$base_url" BIR="$bir" LDS="$lds" N="$RESPONSES" python3 - <<'PY'
import json, os, urllib.request

base, bir, lds, n = os.environ["BASE"], os.environ["BIR"], os.environ["LDS"], int(os.environ["N"])

def call(method, path, token, body=None):
    req = urllib.request.Request(base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")

p = call("POST", "/api/v1/partnerships", bir, {"name": "Benchmark health partnership", "kind": "shared_service",
    "degree": "collaborating", "stage": 5, "status": "active", "visibility": "partners", "services": [524],
    "start_date": "2026-01-01", "review_cadence_months": 12})
pid = p["id"]
call("POST", f"/api/v1/partnerships/{pid}/members", bir, {"organisation": "LDS", "role": "partner"})
call("POST", f"/api/v1/partnerships/{pid}/respond", lds, {"answer": "accept"})
import datetime
today = datetime.date.today()
r = call("POST", f"/api/v1/partnerships/{pid}/health-checks", bir, {"title": "Benchmark round",
    "opens_on": today.isoformat(), "closes_on": (today + datetime.timedelta(days=14)).isoformat()})
round_id = r["id"]
questionnaire = call("GET", "/api/v1/questionnaires", bir)[0]
statements = [s["id"] for f in questionnaire["factors"] for s in f["statements"]]
factors = [f["id"] for f in questionnaire["factors"]]
orgs = ["BIR", "LDS"]
roles = ["leadership", "management", "operational", "external"]
links = []
for start in range(0, n, 200):
    batch = [{"email": f"person{i}@bench.example", "organisation": orgs[i % 2], "role": roles[(i // 2) % 4]}
             for i in range(start, min(n, start + 200))]
    links += [x["answer_url"] for x in call("POST", f"/api/v1/health-checks/{round_id}/invitations", bir, {"invitations": batch})]
seed = 12345
def rand():
    global seed
    seed = (seed * 1103515245 + 12345) % (2 ** 31)
    return seed
for i, link in enumerate(links):
    token = link.rsplit("/", 1)[1]
    answers = []
    for s in statements:
        x = rand() % 10
        answers.append({"statement_id": s, "dont_know": True} if x == 0 else {"statement_id": s, "score": 1 + (x + i % 2) % 5})
    comments = [{"factor_id": factors[i % len(factors)], "text": f"Comment {i} on how the partnership works."}] if i % 5 == 0 else []
    call("PUT", f"/api/v1/health-responses/{token}", None, {"answers": answers, "comments": comments})
print(round_id)
PY
) || die "could not make the round"
echo "bench: round $round with $RESPONSES responses made in $(echo "$(date +%s.%N) - $start" | bc) s" >&2

got=$(curl -s -H "Authorization: Bearer $bir" "$base_url/api/v1/health-checks/$round/report" | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["respondents"], r["scores"], r["dont_know"])')
echo "bench: the report counts respondents, scores, don't know: $got" >&2
serial=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $bir" "$base_url/api/v1/health-checks/$round/report")
echo "bench: one report by API on its own: ${serial}s" >&2
cookie=$(sign_in lead@birmingham.example)
measure "report API, $RESPONSES responses" "/api/v1/health-checks/$round/report" "Authorization: Bearer $bir"
measure "report page, $RESPONSES responses" "/health-checks/$round/report" "$cookie"
measure "anonymised responses CSV, $RESPONSES responses" "/health-checks/$round/responses.csv" "$cookie"
measure "portfolio API, Birmingham's partnerships" "/api/v1/health-checks/portfolio" "Authorization: Bearer $bir"
print_table
echo
echo "Database: $db ($(du -h "$db" | cut -f1)); RSS of the server after the run: $(ps -o rss= -p "$server_pid" | awk '{ printf "%.0f MiB", $1 / 1024 }')"
