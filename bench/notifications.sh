#!/usr/bin/env bash
# Notifications benchmark, in two parts:
#  1. The inbox of one person with 10,000 notifications (lead@birmingham.example
#     on a fresh demo database): the inbox page signed in, page 200 of it,
#     unread only, and the notifications API with a bearer token, with wrk.
#  2. The hourly reminder job over the 50,000 generated partnerships
#     (bench/out/, as bench/portfolio.sh makes them), on a copy whose review
#     dates are spread evenly over a year either side of today: one run as
#     `concord worker --once` runs it (time, peak memory, rows written, email),
#     the next hour's run (nothing new to tell), and the SQL statements each
#     sends (`generate reminders` counts them). Once with the demo accounts
#     only, once with two people in every council.
#   BENCH_NOTIFICATIONS=10000 BENCH_PARTNERSHIPS=50000 bench/notifications.sh
# Builds nothing: run `make bench` (which builds the release binary and the generator).
# Needs wrk, curl, sqlite3 and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CONCORD_BIN:-target/release/concord}
GENERATE=${CONCORD_GENERATE:-target/release/examples/generate}
NOTIFICATIONS=${BENCH_NOTIFICATIONS:-10000}
COUNT=${BENCH_PARTNERSHIPS:-50000}
# As many connections as the server's database pool: more only measures queueing.
export BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-8}
# shellcheck source=bench/lib.sh
source bench/lib.sh
[[ -x $GENERATE ]] || die "no generator at $GENERATE; build it with cargo build --release --example generate"
command -v sqlite3 >/dev/null || die "sqlite3 is not installed (apt-get install -y sqlite3)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is not installed (apt-get install -y time)"
[[ $NOTIFICATIONS =~ ^[1-9][0-9]*$ ]] || die "BENCH_NOTIFICATIONS must be a positive whole number"

# --- 1. The inbox --------------------------------------------------------------

who=lead@birmingham.example
inbox_db="$tmp/inbox.db"
echo "bench: creating demo database and $NOTIFICATIONS notifications for $who" >&2
"$BIN" demo --database-url "sqlite://$inbox_db" >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log" >&2; die "'$BIN demo' failed"; }
"$GENERATE" notifications --database-url "sqlite://$inbox_db" --email "$who" --count "$NOTIFICATIONS" >"$tmp/generate.log" 2>&1 || { cat "$tmp/generate.log" >&2; die "generator failed"; }
token=$(CONCORD_LOG=warn "$BIN" user token --database-url "sqlite://$inbox_db" --email "$who" --name bench) || die "could not create an API token"
# The page in the middle of the inbox (page 200 of 400 for 10,000).
middle=$(((NOTIFICATIONS + 24) / 25 / 2))
((middle >= 1)) || middle=1

start_server "sqlite://$inbox_db"
cookie=$(sign_in "$who")
measure "inbox page 1, $NOTIFICATIONS notifications" "/notifications" "$cookie"
measure "inbox page $middle" "/notifications?page=$middle" "$cookie"
measure "inbox, unread only" "/notifications?unread=1" "$cookie"
measure "notifications API, 20 a page" "/api/v1/notifications" "Authorization: Bearer $token"
measure "notifications API, page $((NOTIFICATIONS / 20 / 2)) of 20" "/api/v1/notifications?page=$((NOTIFICATIONS / 20 / 2))" "Authorization: Bearer $token"
print_table
echo
echo "Server RSS after the run: $(ps -o rss= -p "$server_pid" | awk '{ printf "%.0f MiB", $1 / 1024 }')"
# Stop it: the reminder runs below should have the machine to themselves.
kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
server_pid=

# --- 2. The reminder job over $COUNT partnerships --------------------------------

mkdir -p bench/out
db="bench/out/portfolio-$COUNT.db"
if [[ ! -f $db ]]; then
  echo "bench: generating $COUNT partnerships into $db" >&2
  "$GENERATE" --database-url "sqlite://$db" --partnerships "$COUNT" >"$tmp/generate.log" 2>&1 || { cat "$tmp/generate.log" >&2; die "generator failed"; }
fi

# prepare COPY PEOPLE: a copy of the generated database with review dates a
# year either side of today (evenly, by id) and, if PEOPLE > 0, that many
# extra people in every council (same password hash as a demo account).
prepare() {
  local copy=$1 people=$2
  rm -f "$copy" "$copy-wal" "$copy-shm"
  sqlite3 "$db" ".backup '$copy'"
  sqlite3 "$copy" "UPDATE partnerships SET next_review_due = date('now', printf('%+d days', (id * 7919) % 731 - 365));"
  local i
  for ((i = 1; i <= people; i++)); do
    sqlite3 "$copy" "INSERT INTO users (email, display_name, password_hash, organisation_id, role, is_active, created_at, updated_at)
      SELECT 'bench$i@' || lower(o.code) || '.example', 'Bench person $i', u.password_hash, o.id, 'member', 1, u.created_at, u.updated_at
      FROM organisations o, (SELECT * FROM users WHERE email = '$who') u
      WHERE o.is_current = 1 AND o.tier IS NOT NULL;"
  done
}

counts() { # counts DB: notifications reminders_sent outbox
  sqlite3 -separator ' ' "$1" "SELECT (SELECT count(*) FROM notifications), (SELECT count(*) FROM reminders_sent), (SELECT count(*) FROM outbox);"
}

reminder_rows=()
# worker_run LABEL DB: one `concord worker --once`, timed; adds a table row.
# The first run needs no `concord queue`: worker --once queues this hour's
# scheduled run itself (queueing one more would run the job twice).
worker_run() {
  local label=$1 copy=$2
  local before after
  before=$(counts "$copy")
  echo "bench: concord worker --once ($label)" >&2
  CONCORD_LOG=warn /usr/bin/time -f "%e %M" -o "$tmp/worker.time" "$BIN" worker --once --database-url "sqlite://$copy" >"$tmp/worker.out" 2>"$tmp/worker.err" || { cat "$tmp/worker.err" >&2; die "worker failed"; }
  after=$(counts "$copy")
  local secs kib n0 r0 o0 n1 r1 o1
  read -r secs kib <"$tmp/worker.time"
  read -r n0 r0 o0 <<<"$before"
  read -r n1 r1 o1 <<<"$after"
  reminder_rows+=("$(printf '| %-56s | %8s s | %6s MB | %13d | %14d | %6d | %s' "$label" "$secs" "$((kib / 1024))" "$((n1 - n0))" "$((r1 - r0))" "$((o1 - o0))" "$(tail -n 1 "$tmp/worker.out")")")
}

statement_rows=()
# counted_run LABEL DB: the job's work once through the generator, which counts statements.
counted_run() {
  local label=$1 copy=$2
  echo "bench: generate reminders ($label)" >&2
  CONCORD_LOG=warn "$GENERATE" reminders --database-url "sqlite://$copy" >"$tmp/counted.out" 2>&1 || { cat "$tmp/counted.out" >&2; die "generate reminders failed"; }
  local told secs statements
  told=$(awk '/people reminded/ { print $4 }' "$tmp/counted.out")
  secs=$(awk '/people reminded/ { print $(NF-1) }' "$tmp/counted.out")
  statements=$(awk '/^SQL statements:/ { print $3 }' "$tmp/counted.out")
  statement_rows+=("$(printf '| %-56s | %8s | %8s s | %10s |' "$label" "$told" "$secs" "$statements")")
  sed -n '/^SQL statements:/,$p' "$tmp/counted.out" | sed "s/^/    $label: /" | cut -c1-160 >>"$tmp/statements.txt"
}

open_reviews=$(sqlite3 "$db" "SELECT count(*) FROM partnerships WHERE status IN ('proposed', 'active', 'under_review', 'exiting');")
for people in 0 2; do
  if ((people == 0)); then what="demo accounts only"; else what="$people people in every council"; fi
  prepare "$tmp/counted.db" "$people"
  counted_run "$what, first run" "$tmp/counted.db"
  counted_run "$what, next hour" "$tmp/counted.db"
  prepare "$tmp/worker.db" "$people"
  users_now=$(sqlite3 "$tmp/worker.db" "SELECT count(*) FROM users WHERE is_active = 1;")
  worker_run "$what ($users_now people), first run" "$tmp/worker.db"
  CONCORD_LOG=warn "$BIN" queue partnerships.reminders --database-url "sqlite://$tmp/worker.db" >/dev/null
  worker_run "$what, next hour (queued again)" "$tmp/worker.db"
done
due=$(sqlite3 "$tmp/worker.db" "SELECT count(*) FROM partnerships WHERE status IN ('proposed', 'active', 'under_review', 'exiting') AND next_review_due <= date('now', '+30 days');")

echo
echo "Reminder job: $COUNT partnerships ($open_reviews open; $due with a review due within 30 days or overdue), review dates a year either side of $(date -u +%Y-%m-%d), $(nproc) CPU(s)"
echo
printf '| %-56s | %10s | %9s | %13s | %14s | %6s | %s\n' "concord worker --once (the job, then its email)" "time" "peak RSS" "notifications" "reminders_sent" "outbox" "worker's summary"
printf '| %-56s | %10s | %9s | %13s | %14s | %6s | %s\n' "----" "-------:" "-------:" "------------:" "-------------:" "-----:" "----"
printf '%s\n' "${reminder_rows[@]}"
echo
printf '| %-56s | %8s | %10s | %10s |\n' "reminders::send alone (generate reminders)" "told" "time" "statements"
printf '| %-56s | %8s | %10s | %10s |\n' "----" "-------:" "-------:" "---------:"
printf '%s\n' "${statement_rows[@]}"
echo
echo "Most frequent statements:"
cat "$tmp/statements.txt"
