# Helpers for bench/proxy/run.sh (sourced): processes by PID, ports, /proc readings, small parsers.
# Everything here talks to 127.0.0.1 only.

STARTED=()      # every PID we started, stopped in reverse order on exit
STARTED_PID=

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Raise the open-file limit for 10,000 idle connections; fall back to the hard limit if that is lower.
raise_fd_limit() {
    ulimit -n "$1" 2>/dev/null && return 0
    local hard; hard=$(ulimit -Hn)
    ulimit -n "$hard"
    log "ulimit -n $1 not permitted; using the hard limit $hard"
}

# start_process NAME CMD...: run in the background with output in $WORK/NAME.log; sets STARTED_PID.
start_process() {
    local name=$1; shift
    "$@" >"$WORK/$name.log" 2>&1 </dev/null &
    STARTED_PID=$!
    STARTED+=("$STARTED_PID")
}

# running PID: the process exists and is not a zombie (an exited child we have not reaped yet).
running() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

stop_pid() {
    local pid=$1 i
    running "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        running "$pid" || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

stop_all() {
    local i
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_pid "${STARTED[i]}"; done
    STARTED=()
}

# wait_port PORT PID NAME [soft]: until something accepts on the port; dies (or returns 1 with soft)
# if the process exits first or 15 s pass.
wait_port() {
    local port=$1 pid=$2 name=$3 soft=${4:-} i
    for ((i = 0; i < 150; i++)); do
        if ! running "$pid"; then
            [[ -n $soft ]] && return 1
            die "$name exited before listening on $port: $(tail -n 5 "$WORK/$name.log")"
        fi
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    [[ -n $soft ]] && return 1
    die "$name did not listen on 127.0.0.1:$port within 15 s"
}

# wait_for_line FILE REGEX SECONDS PID: until FILE has a matching line; fails if PID exits or time runs out.
wait_for_line() {
    local file=$1 regex=$2 seconds=$3 pid=$4 i
    for ((i = 0; i < seconds * 10; i++)); do
        grep -qE "$regex" "$file" 2>/dev/null && return 0
        running "$pid" || { grep -qE "$regex" "$file" 2>/dev/null; return; }
        sleep 0.1
    done
    return 1
}

# POST one route to a CHP-style API with $CONFIGPROXY_AUTH_TOKEN (read from the environment, not argv).
add_route() {
    "$PYTHON" - "$1" "$2" "$3" <<'PY'
import http.client, json, os, sys
port, path, target = sys.argv[1:]
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
c.request("POST", "/api/routes" + path, body=json.dumps({"target": target}),
          headers={"Authorization": "token " + os.environ.get("CONFIGPROXY_AUTH_TOKEN", "")})
status = c.getresponse().status
sys.exit(0 if status == 201 else f"POST /api/routes{path}: {status}")
PY
}

# A process and its direct children (nginx: master + workers).
with_children() {
    echo "$1" $(ps -o pid= --ppid "$1" 2>/dev/null)
}

# User+system CPU clock ticks of the given processes (all threads), from /proc/<pid>/stat.
cpu_ticks() {
    local total=0 pid stat rest
    local -a fields
    for pid in "$@"; do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        rest=${stat##*) }            # the command name may hold spaces: skip past its closing paren
        read -ra fields <<<"$rest"   # fields[0] is field 3 (state); utime is field 14, stime 15
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}

# per_unit_us TICKS COUNT: microseconds of CPU per unit.
per_unit_us() {
    awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.2f\n", t * 1e6 / hz / n }'
}

# Resident memory in MiB summed over the given processes (VmRSS from /proc/<pid>/status).
rss_mib() {
    local kib=0 pid value
    for pid in "$@"; do
        value=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || continue
        kib=$((kib + ${value:-0}))
    done
    awk -v k="$kib" 'BEGIN { printf "%.1f\n", k / 1024 }'
}

# field "a=1 b=2" b -> 2
field() {
    sed -nE "s/(^|.* )$2=([^ ]*).*/\2/p" <<<"$1"
}

# Fill an nginx template's @VARS@ from the shell variables of the same meaning.
render_nginx_conf() {
    sed -e "s|@DIR@|$WORK|g" -e "s|@NOFILE@|$(ulimit -n)|g" -e "s|@BACKEND_PORT@|$BACKEND_PORT|g" \
        -e "s|@WS_PORT@|$WS_PORT|g" -e "s|@PROXY_PORT@|$NGINX_PORT|g" "$1" >"$2"
}
