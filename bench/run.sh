#!/usr/bin/env bash
# Throughput of the public API on loopback, side by side with a bare Flask app and with nginx
# serving the static index. Results and the machine go in docs/benchmarks.md.
#
#   bash bench/run.sh                       # 32 and 64 connections, 10 s each, 3 rounds
#   BENCH_DURATION=5s BENCH_ROUNDS=1 BENCH_CONNECTIONS="64" BENCH_WORKER_CLASS=gthread \
#     BENCH_THREADS=4 bash bench/run.sh
#
# The service runs under gunicorn (2 workers) on the seeded SQLite database in a temporary
# BTF_DATA_DIR, in production mode; the bare app (bench/bare_app.py) under the same gunicorn
# settings; nginx with the configuration of docs/deployment.md. wrk drives each endpoint in turn
# from the same machine, so the load generator takes its share of the 2 cores too. The endpoints
# take turns, round after round, and the medians are reported, so that a burst of other work on
# the machine skews one sample rather than one endpoint.
# Targets: lookup and the index's 304 at >= 80% of the bare endpoint; the static index at nginx speed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-"32 64"}
ROUNDS=${BENCH_ROUNDS:-3}
WORKER_CLASS=${BENCH_WORKER_CLASS:-sync}
THREADS=${BENCH_THREADS:-1}
WORKERS=${BENCH_WORKERS:-2}
PY=${BENCH_PYTHON:-$ROOT/.venv/bin/python}
BIN=$(dirname "$PY")

step() { printf '\n== %s\n' "$*" >&2; }

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  step "Installing ${missing[*]} (Debian's packages)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d /tmp/btf-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {
  "$PY" - "$1" <<'EOF'
import sys, time, urllib.request, urllib.error
deadline = time.monotonic() + 60
while True:
    try:
        urllib.request.urlopen(sys.argv[1], timeout=5).read()
        break
    except urllib.error.HTTPError:
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"{sys.argv[1]} did not answer")
        time.sleep(0.2)
EOF
}
etag_of() { "$PY" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).headers["ETag"])' "$1"; }
status_of() {  # status_of URL [If-None-Match]
  "$PY" - "$@" <<'EOF'
import sys, urllib.error, urllib.request
etag = sys.argv[2] if len(sys.argv) > 2 else ""
request = urllib.request.Request(sys.argv[1], headers={"If-None-Match": etag} if etag else {})
try:
    print(urllib.request.urlopen(request).status)
except urllib.error.HTTPError as error:
    print(error.code)
EOF
}

step "The machine"
{
  echo "nproc: $(nproc)"
  echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "memory: $(free -h | awk '/^Mem:/ {print $2}')"
  echo "kernel: $(uname -sr)"
  echo "python: $("$PY" -c 'import sys; print(sys.version.split()[0])'), gunicorn $("$PY" -c 'import gunicorn; print(gunicorn.__version__)'), $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
} | tee "$WORK/machine.txt" >&2

step "A seeded SQLite database in $WORK/data"
export BTF_DATA_DIR=$WORK/data BTF_ENV=production
BTF_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_hex(32))')
export BTF_SECRET_KEY
unset BTF_DATABASE_URL BTF_PUBLIC_DIR BTF_RATELIMIT_STORAGE
"$BIN/behind-the-feed" seed | tail -1 >&2

APP_PORT=$(free_port); BARE_PORT=$(free_port); NGINX_PORT=$(free_port)
GUNICORN_ARGS=(--workers "$WORKERS" --worker-class "$WORKER_CLASS" --threads "$THREADS"
               --backlog 2048 --log-level warning)
step "gunicorn ${GUNICORN_ARGS[*]}: service on :$APP_PORT, bare app on :$BARE_PORT"
"$BIN/gunicorn" "${GUNICORN_ARGS[@]}" --bind "127.0.0.1:$APP_PORT" server.wsgi:app \
  >"$WORK/service.log" 2>&1 &
PIDS+=($!)
"$BIN/gunicorn" "${GUNICORN_ARGS[@]}" --bind "127.0.0.1:$BARE_PORT" bench.bare_app:app \
  >"$WORK/bare.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$APP_PORT/api/v1/index"
wait_for "http://127.0.0.1:$BARE_PORT/bare"

step "nginx (docs/deployment.md) on :$NGINX_PORT, root $BTF_DATA_DIR/public"
"$PY" bench/nginx_conf.py "$BTF_DATA_DIR/public" "127.0.0.1:$APP_PORT" "127.0.0.1:$NGINX_PORT" \
  "$WORK/nginx" "$WORKERS" >"$WORK/nginx.conf"
"$NGINX" -c "$WORK/nginx.conf" -g 'daemon off;' >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$NGINX_PORT/api/v1/index"

APP=http://127.0.0.1:$APP_PORT
FRONT=http://127.0.0.1:$NGINX_PORT
APP_ETAG=$(etag_of "$APP/api/v1/index")
NGINX_ETAG=$(etag_of "$FRONT/api/v1/index")

# name|url|If-None-Match|expected status
TARGETS=(
  "bare endpoint|http://127.0.0.1:$BARE_PORT/bare||200"
  "/api/v1/index 200|$APP/api/v1/index||200"
  "/api/v1/index 304|$APP/api/v1/index|$APP_ETAG|304"
  "/api/v1/lookup?host=m.facebook.com|$APP/api/v1/lookup?host=m.facebook.com||200"
  "/api/v1/platforms/facebook|$APP/api/v1/platforms/facebook||200"
  "nginx static index 200|$FRONT/api/v1/index||200"
  "nginx static index 304|$FRONT/api/v1/index|$NGINX_ETAG|304"
)

RESULTS=$WORK/results.tsv
: >"$RESULTS"
# Each endpoint answers what it should, then a warm-up: every worker loads the snapshot and
# fills its caches first.
for target in "${TARGETS[@]}"; do
  IFS='|' read -r name url etag expected <<<"$target"
  got=$(status_of "$url" "$etag")
  [ "$got" = "$expected" ] || { echo "$name answered $got, not $expected" >&2; exit 1; }
  BENCH_IF_NONE_MATCH=$etag wrk -t1 -c16 -d2s -s bench/wrk_report.lua "$url" >/dev/null
done
for round in $(seq "$ROUNDS"); do
  for connections in $CONNECTIONS; do
    for target in "${TARGETS[@]}"; do
      IFS='|' read -r name url etag expected <<<"$target"
      step "round $round/$ROUNDS: $name, $connections connections, $DURATION"
      line=$(BENCH_IF_NONE_MATCH=$etag wrk -t2 -c"$connections" -d"$DURATION" --timeout 10s \
               -s bench/wrk_report.lua "$url" | grep '^RESULT')
      echo "$line" >&2
      printf '%s\t%s\t%s\t%s\n' "$name" "$connections" "$expected" "$line" >>"$RESULTS"
    done
  done
done

step "Results: medians of $ROUNDS rounds (gunicorn -w $WORKERS -k $WORKER_CLASS --threads $THREADS; wrk -t2 -d$DURATION)"
cat "$WORK/machine.txt"
"$PY" - "$RESULTS" <<'EOF'
import statistics
import sys

runs: dict[tuple[str, int], list[dict]] = {}
for line in open(sys.argv[1]):
    name, connections, expected, result = line.rstrip("\n").split("\t")
    fields = dict(part.split("=", 1) for part in result.split()[1:])
    runs.setdefault((name, int(connections)), []).append({
        "rps": float(fields["rps"]), "p50": float(fields["p50"]), "p99": float(fields["p99"]),
        "errors": int(fields["socket_errors"]) + int(fields["bad_status"])})


def median(key, samples):
    return statistics.median(s[key] for s in samples)


bare = {c: median("rps", samples) for (name, c), samples in runs.items() if name == "bare endpoint"}
print("| endpoint | conns | requests/s | p50 ms | p99 ms | errors | vs bare |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for (name, c), samples in sorted(runs.items(), key=lambda item: item[0][1]):
    rps = median("rps", samples)
    ratio = f"{rps / bare[c]:.0%}" if bare.get(c) else "-"
    print(f"| {name} | {c} | {rps:,.0f} | {median('p50', samples):.2f} | "
          f"{median('p99', samples):.2f} | {sum(s['errors'] for s in samples)} | {ratio} |")
EOF
if grep -q -i -E 'error|exception' "$WORK/service.log" "$WORK/bare.log"; then
  step "The servers logged errors:"; cat "$WORK/service.log" "$WORK/bare.log" >&2
fi
