#!/usr/bin/env bash
# Proxy benchmark: the same loads, in one run, against no proxy (direct), nginx as reverse proxy and
# `pawshub proxy`, all on 127.0.0.1. Each cell runs BENCH_REPEATS times (default 3) interleaved across the
# targets so background load hits all of them alike; the table shows median (min–max) and ratios to nginx.
#
#   bench/proxy/run.sh                 10 s cells        BENCH_QUICK=1   3 s cells
#   BENCH_DURATION=N  seconds per cell BENCH_REPEATS=N   BENCH_IDLE_CONNS=N (10000)   BENCH_ROUTES=N (100000)
#   BENCH_CELLS=http,ws,idle,routes (all; name a subset to run only those)
#   PAWSHUB_BIN=path  (default .build/release/pawshub)   PYTHON=path (default .venv/bin/python, needs websockets)
#
# Needs wrk, nginx (Debian: wrk nginx-light) and Python with websockets>=13 (`make test-deps` installs all).
# Writes the table to .bench/proxy-<timestamp>.txt. Every process it starts is stopped by PID on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$HERE/lib.sh"

DURATION=${BENCH_DURATION:-$([[ ${BENCH_QUICK:-0} == 1 ]] && echo 3 || echo 10)}
REPEATS=${BENCH_REPEATS:-3}
IDLE_CONNS=${BENCH_IDLE_CONNS:-10000}
ROUTES=${BENCH_ROUTES:-100000}
CELLS=",${BENCH_CELLS:-http,ws,idle,routes},"   # a subset while working on one of them, e.g. BENCH_CELLS=http
want() { [[ $CELLS == *",$1,"* ]]; }
PAWSHUB_BIN=${PAWSHUB_BIN:-$ROOT/.build/release/pawshub}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
HTTP_PATH=/user/bench/
WS_PATH=/user/ws/

# MARK: preflight
for tool in wrk nginx; do
    command -v "$tool" >/dev/null || die "$tool not found: apt-get install wrk nginx-light (or: make test-deps)"
done
[[ -x "$PYTHON" ]] || PYTHON=$(command -v python3)
"$PYTHON" -c 'import websockets.asyncio.client' 2>/dev/null ||
    die "$PYTHON has no websockets>=13: run make test-deps (creates .venv) or set PYTHON"
raise_fd_limit 65536
if (( $(ulimit -n) < IDLE_CONNS + 1000 )); then
    IDLE_CONNS=$(( $(ulimit -n) - 1000 ))
    log "open-file limit $(ulimit -n) is too low for 10,000 idle connections; holding $IDLE_CONNS"
fi

WORK=$(mktemp -d /tmp/pawshub-bench.XXXXXX)
chmod 755 "$WORK"  # nginx workers run as an unprivileged user when started by root
RESULTS=$WORK/results.tsv
: >"$RESULTS"
trap 'stop_all; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK/tmp" "$ROOT/.bench"

record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; }
note() { record "$1" note "$2"; log "$1: $2"; }

# MARK: start the backends and both proxies
BACKEND_PORT=$(free_port); WS_PORT=$(free_port); NGINX_PORT=$(free_port)
PAWSHUB_PORT=$(free_port); PAWSHUB_API_PORT=$(free_port)

render_nginx_conf "$HERE/nginx-backend.conf.in" "$WORK/backend.conf"
render_nginx_conf "$HERE/nginx-proxy.conf.in" "$WORK/proxy.conf"
start_process backend nginx -p "$WORK" -e "$WORK/backend-error.log" -c "$WORK/backend.conf" -g 'daemon off;'
BACKEND_PID=$STARTED_PID
start_process ws-echo "$PYTHON" "$HERE/ws_echo_server.py" --port "$WS_PORT" --max-seconds 7200
WS_PID=$STARTED_PID
start_process nginx-proxy nginx -p "$WORK" -e "$WORK/proxy-error.log" -c "$WORK/proxy.conf" -g 'daemon off;'
NGINX_PID=$STARTED_PID
wait_port "$BACKEND_PORT" "$BACKEND_PID" backend
wait_port "$WS_PORT" "$WS_PID" ws-echo
wait_port "$NGINX_PORT" "$NGINX_PID" nginx-proxy

TARGETS=(direct nginx)
PAWSHUB_PID=
if [[ ! -x "$PAWSHUB_BIN" ]]; then
    note pawshub "pawshub binary not found at $PAWSHUB_BIN (build: make release)"
else
    CONFIGPROXY_AUTH_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
    export CONFIGPROXY_AUTH_TOKEN
    # Keep-alive timeout above the hold time so idle connections are measured, not closed.
    start_process pawshub "$PAWSHUB_BIN" proxy --ip 127.0.0.1 --port "$PAWSHUB_PORT" \
        --api-ip 127.0.0.1 --api-port "$PAWSHUB_API_PORT" \
        --default-target "http://127.0.0.1:$BACKEND_PORT" \
        --error-target "http://127.0.0.1:$BACKEND_PORT/hub/error" \
        --keep-alive-timeout 120000 --log-level warn
    PAWSHUB_PID=$STARTED_PID
    if wait_port "$PAWSHUB_PORT" "$PAWSHUB_PID" pawshub soft && wait_port "$PAWSHUB_API_PORT" "$PAWSHUB_PID" pawshub soft &&
        add_route "$PAWSHUB_API_PORT" "${HTTP_PATH%/}" "http://127.0.0.1:$BACKEND_PORT" &&
        add_route "$PAWSHUB_API_PORT" "${WS_PATH%/}" "http://127.0.0.1:$WS_PORT"; then
        TARGETS+=(pawshub)
    else
        note pawshub "pawshub proxy did not start or refused routes: $(tail -n 3 "$WORK/pawshub.log" | tr '\n' ' ')"
    fi
fi

url_of() {  # target scheme -> base URL
    case $1 in
        direct) [[ $2 == ws ]] && echo "ws://127.0.0.1:$WS_PORT" || echo "http://127.0.0.1:$BACKEND_PORT" ;;
        nginx) echo "$2://127.0.0.1:$NGINX_PORT" ;;
        pawshub) echo "$2://127.0.0.1:$PAWSHUB_PORT" ;;
    esac
}
port_of() { case $1 in direct) echo "$BACKEND_PORT" ;; nginx) echo "$NGINX_PORT" ;; pawshub) echo "$PAWSHUB_PORT" ;; esac; }
# The processes whose CPU and memory a target costs: for direct, the backend itself.
pids_of() {
    case $1 in
        direct) [[ ${2:-http} == ws ]] && echo "$WS_PID" || with_children "$BACKEND_PID" ;;
        nginx) with_children "$NGINX_PID" ;;
        pawshub) echo "$PAWSHUB_PID" ;;
    esac
}
alive() {  # drop pawshub from the run (with one note) if it died during a cell
    [[ $1 != pawshub ]] && return 0
    [[ " ${TARGETS[*]} " == *" pawshub "* ]] || return 1
    running "$PAWSHUB_PID" && return 0
    local status=0
    wait "$PAWSHUB_PID" 2>/dev/null || status=$?
    note pawshub "pawshub proxy exited during the run (status $status): $(tail -n 3 "$WORK/pawshub.log" | tr '\n' ' ')"
    local kept=() t
    for t in "${TARGETS[@]}"; do [[ $t == pawshub ]] || kept+=("$t"); done
    TARGETS=("${kept[@]}")
    return 1
}

# MARK: cells
http_cell() {  # target conns metric-prefix path
    local target=$1 conns=$2 prefix=$3 path=$4 pids before after parsed
    local out="$WORK/wrk-$target-$prefix-$run.out"
    read -ra pids <<<"$(pids_of "$target")"
    before=$(cpu_ticks "${pids[@]}")
    wrk -t1 -c"$conns" -d"${DURATION}s" --latency "$(url_of "$target" http)$path" >"$out" 2>&1 || true
    after=$(cpu_ticks "${pids[@]}")
    alive "$target" || return 0
    if ! parsed=$("$PYTHON" "$HERE/report.py" wrk "$out" 2>&1); then
        note "$target" "wrk failed at $conns connections: $(tail -n 2 "$out" | tr '\n' ' ')"
        return 0
    fi
    local rps p99 errors
    rps=$(field "$parsed" rps) p99=$(field "$parsed" p99_ms) errors=$(field "$parsed" errors)
    record "$target" "$prefix.rps" "$rps"
    record "$target" "$prefix.p99_ms" "$p99"
    record "$target" "$prefix.cpu_us" "$(per_unit_us "$((after - before))" "$(field "$parsed" requests)")"
    (( errors == 0 )) || note "$target" "$prefix: $errors error responses or socket errors in one run"
    log "$target $prefix $path: $rps req/s, p99 $p99 ms"
}

ws_cell() {
    local target=$1 pids before after line
    local out="$WORK/ws-$target-$run.out"
    read -ra pids <<<"$(pids_of "$target" ws)"
    before=$(cpu_ticks "${pids[@]}")
    "$PYTHON" "$HERE/ws_rtt.py" "$(url_of "$target" ws)$WS_PATH" --connections 50 --duration "$DURATION" \
        >"$out" 2>&1 || true
    after=$(cpu_ticks "${pids[@]}")
    alive "$target" || return 0
    if ! line=$(grep -E '^msgs=' "$out" | tail -n1); then
        note "$target" "ws_rtt failed: $(tail -n 2 "$out" | tr '\n' ' ')"
        return 0
    fi
    local msgs errors
    msgs=$(field "$line" msgs) errors=$(field "$line" errors)
    record "$target" ws.msgs_per_s "$(field "$line" msgs_per_s)"
    record "$target" ws.p99_ms "$(field "$line" p99_ms)"
    (( msgs > 0 )) && record "$target" ws.cpu_us "$(per_unit_us "$((after - before))" "$msgs")"
    (( errors == 0 )) || note "$target" "ws: $errors errors in one run ($(field "$line" conns_ok) connections ok)"
    log "$target ws: $(field "$line" msgs_per_s) msgs/s, p99 $(field "$line" p99_ms) ms"
}

idle_cell() {
    local target=$1 pids holder
    local out="$WORK/idle-$target-$run.out"
    : >"$out"  # exists and is empty before the background writer starts
    read -ra pids <<<"$(pids_of "$target")"
    record "$target" idle.base_rss_mib "$(rss_mib "${pids[@]}")"
    "$PYTHON" "$HERE/hold_idle.py" --port "$(port_of "$target")" --path "$HTTP_PATH" \
        --connections "$IDLE_CONNS" --parallel 200 --settle 1 --hold 600 >"$out" 2>&1 &
    holder=$!
    STARTED+=("$holder")
    if wait_for_line "$out" '^OPEN ' 180 "$holder"; then
        read -ra pids <<<"$(pids_of "$target")"
        record "$target" idle.rss_mib "$(rss_mib "${pids[@]}")"
        record "$target" idle.open "$(awk '/^OPEN /{print $2}' "$out")"
        log "$target idle: $(grep -E '^(READY|OPEN)' "$out" | tr '\n' ' ')RSS $(rss_mib "${pids[@]}") MiB"
    else
        note "$target" "hold_idle did not report OPEN: $(tail -n 2 "$out" | tr '\n' ' ')"
    fi
    stop_pid "$holder"
    sleep 2  # let the server close the held connections before the next cell
    alive "$target" || true
}

routes_cell() {  # pawshub only: req/s through a route in the middle of 10 routes vs of $ROUTES routes
    local api=$PAWSHUB_API_PORT backend="http://127.0.0.1:$BACKEND_PORT" line
    local many=$((ROUTES - 10))
    "$PYTHON" "$HERE/routes.py" add --api-port "$api" --target "$backend" --first 0 --count 10 >/dev/null
    http_cell pawshub 50 routes10 "$(printf '/user/r%06d/' 5)"
    alive pawshub || return 0
    line=$("$PYTHON" "$HERE/routes.py" add --api-port "$api" --target "$backend" --first 10 --count "$many")
    record pawshub routes.adds_per_s "$(field "$line" per_s)"
    (( $(field "$line" errors) == 0 )) || note pawshub "route adds: $(field "$line" errors) errors"
    record pawshub routes.rss_mib "$(rss_mib "$PAWSHUB_PID")"
    http_cell pawshub 50 routesmany "$(printf '/user/r%06d/' $((ROUTES / 2)))"
    alive pawshub || return 0
    line=$("$PYTHON" "$HERE/routes.py" delete --api-port "$api" --first 10 --count "$many")
    record pawshub routes.deletes_per_s "$(field "$line" per_s)"
    (( $(field "$line" errors) == 0 )) || note pawshub "route deletes: $(field "$line" errors) errors"
    log "pawshub routes: $line"
}

routes_stub_cell() {  # the same route adds/deletes against nginx's do-nothing stub: routes.py's own ceiling
    local line many=$((ROUTES - 10))
    line=$("$PYTHON" "$HERE/routes.py" add --api-port "$NGINX_PORT" --first 10 --count "$many")
    record nginx routes.adds_per_s "$(field "$line" per_s)"
    line=$("$PYTHON" "$HERE/routes.py" delete --api-port "$NGINX_PORT" --first 10 --count "$many")
    record nginx routes.deletes_per_s "$(field "$line" per_s)"
    log "nginx stub routes: $line"
}

# MARK: run
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "targets: ${TARGETS[*]}; ${REPEATS} runs of ${DURATION}s cells; work dir $WORK"
for target in "${TARGETS[@]}"; do  # warm up: fill upstream pools, page in code
    wrk -t1 -c50 -d1s "$(url_of "$target" http)$HTTP_PATH" >/dev/null 2>&1 || true
done
for ((run = 1; run <= REPEATS; run++)); do
    log "run $run/$REPEATS"
    # Each loop re-reads TARGETS, so a pawshub that died is skipped from then on.
    if want http; then
        for conns in 50 200; do
            for target in "${TARGETS[@]}"; do http_cell "$target" "$conns" "c$conns" "$HTTP_PATH"; done
        done
    fi
    if want ws; then for target in "${TARGETS[@]}"; do ws_cell "$target"; done; fi
    if want idle; then for target in "${TARGETS[@]}"; do idle_cell "$target"; done; fi
    if want routes; then
        if [[ " ${TARGETS[*]} " == *" pawshub "* ]]; then routes_cell; fi
        routes_stub_cell
    fi
done

versions="nginx $(nginx -v 2>&1 | sed 's|.*/||'), $( (wrk -v 2>&1 || true) | head -n1 | cut -d' ' -f1-2)"
[[ -n $PAWSHUB_PID ]] && versions+=", pawshub $("$PAWSHUB_BIN" --version 2>/dev/null || echo '?')"
"$PYTHON" "$HERE/report.py" table "$RESULTS" --out "$ROOT/.bench/proxy-$STAMP.txt" \
    --header "Proxy benchmark $STAMP: ${REPEATS} runs x ${DURATION}s per cell, wrk -t1, loopback, $(nproc) cores" \
    --header "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg); $versions" \
    --header "idle: $IDLE_CONNS keep-alive connections held; many routes: $ROUTES; CPU: proxy process(es) only (direct: the backend)" \
    --header "route adds/deletes under nginx: routes.py against a stub that stores nothing (the client's ceiling)" \
    --header ""
log "table written to .bench/proxy-$STAMP.txt"
