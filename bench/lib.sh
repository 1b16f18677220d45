# Shared by the benchmark scripts: start a Concord server, run wrk, print a table.
# Source it after setting BIN; it sets up a temp dir and cleanup on exit.

DURATION=${BENCH_SECONDS:-10}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
STARTUP_TIMEOUT=30

die() {
  echo "bench: $*" >&2
  exit 1
}

[[ -x $BIN ]] || die "no executable at $BIN; build it first (cargo build --release) or set CONCORD_BIN"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install -y wrk)"
command -v curl >/dev/null || die "curl is not installed"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive whole number, got '$DURATION'"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/concord-bench.XXXXXX")
server_pid=
base_url=
rows=()

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

# start_server DATABASE_URL: starts the server and sets base_url.
start_server() {
  CONCORD_LOG=warn "$BIN" serve --addr 127.0.0.1:0 --database-url "$1" >"$tmp/server.out" 2>"$tmp/server.err" &
  server_pid=$!
  local deadline=$((SECONDS + STARTUP_TIMEOUT))
  while [[ -z $base_url ]]; do
    base_url=$(grep -oE 'Concord is ready at http://127\.0\.0\.1:[0-9]+/' "$tmp/server.out" | grep -oE 'http://[^/]+' | head -n 1 || true)
    [[ -n $base_url ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.err" >&2; die "the server exited before it was ready"; }
    ((SECONDS < deadline)) || { cat "$tmp/server.err" >&2; die "no ready line within ${STARTUP_TIMEOUT}s"; }
    sleep 0.1
  done
  echo "bench: server ready at $base_url/" >&2
}

# measure LABEL PATH [HEADER]: checks PATH answers 200, then runs wrk on it.
measure() {
  local label=$1 path=$2 header=${3:-}
  local args=()
  [[ -n $header ]] && args=(-H "$header")
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' "${args[@]}" "$base_url$path" || true)
  [[ $status == 200 ]] || die "GET $path answered $status, not 200; not benchmarking it"
  echo "bench: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency $label" >&2
  local out="$tmp/wrk.out"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "${args[@]}" "$base_url$path" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed on $path"; }
  local row
  row=$(awk -v label="$label" '
    $1 == "Requests/sec:" { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    /Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { n = $i; sub(/,/, "", n); errors += n } }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    END { if (rps == "" || p50 == "" || p99 == "") exit 1; printf "%s\t%s\t%s\t%s\t%d\n", label, rps, p50, p99, errors }' "$out") || { cat "$out" >&2; die "could not read wrk's output for $path"; }
  rows+=("$row")
}

print_table() {
  echo
  echo "Concord benchmark: $BIN, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $(nproc) CPU(s), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  local fmt='| %-52s | %10s | %8s | %8s | %6s |\n'
  # shellcheck disable=SC2059
  printf "$fmt" "What" "requests/s" "p50" "p99" "errors"
  # shellcheck disable=SC2059
  printf "$fmt" "----" "---------:" "-------:" "-------:" "-----:"
  local row label rps p50 p99 errors
  for row in "${rows[@]}"; do
    IFS=$'\t' read -r label rps p50 p99 errors <<<"$row"
    # shellcheck disable=SC2059
    printf "$fmt" "$label" "$rps" "$p50" "$p99" "$errors"
  done
}

# sign_in EMAIL: signs in with the demo password; prints the session cookie header.
sign_in() {
  local jar="$tmp/cookies-$1"
  local token
  token=$(curl -s -c "$jar" -b "$jar" "$base_url/sign-in" | grep -oE 'name="csrf_token" value="[^"]+"' | head -n 1 | sed -E 's/.*value="([^"]+)"/\1/')
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "email=$1" --data-urlencode "password=concord-demo-password" --data-urlencode "csrf_token=$token" "$base_url/sign-in"
  local session
  session=$(awk '$6 == "concord_session" { print $7 }' "$jar")
  [[ -n $session ]] || die "could not sign in as $1"
  echo "Cookie: concord_session=$session"
}

# api_token EMAIL: creates an API token for a demo account; prints it.
api_token() {
  local jar="$tmp/cookies-$1"
  sign_in "$1" >/dev/null
  local csrf
  csrf=$(curl -s -b "$jar" "$base_url/account" | grep -oE 'name="csrf_token" value="[^"]+"' | head -n 1 | sed -E 's/.*value="([^"]+)"/\1/')
  curl -s -b "$jar" --data-urlencode "name=bench" --data-urlencode "csrf_token=$csrf" "$base_url/account/tokens" | grep -oE 'id="new-token">[^<]+' | sed 's/id="new-token">//'
}
