#!/usr/bin/env bash
# Regenerates scripts/hot-functions.txt, the linker's symbol ordering for release builds of `pawshub`.
#
# Why: the kernel maps a binary's code into a process 64 KiB at a time around each page it touches (fault-around),
# so a hub that executes ~2 MiB of functions scattered over 21 MiB of .text ends up with ~15 MiB of it resident.
# Listing the functions a running hub executes lets lld place them together at the start of .text
# (`--symbol-ordering-file`, set in Package.swift for release links). Measured on the hub benchmark's idle hub
# with 10,000 users: 6 MiB less RSS. A stale list is harmless: names that no longer exist are skipped, new code
# is simply placed after the listed functions.
#
# How: run the release binary under callgrind through what a hub does — first start on an empty database
# (migrations, bulk user creation, groups, tokens, spawns through the static spawner, activity, listing), then a
# restart on that database (loading users and servers back) with the API calls clients make — and list every
# function of the binary that executed. Needs valgrind and the release binary (`make release`); ~15 seconds.
# SwiftPM does not track the file as a link input: delete .build/release/pawshub after regenerating it.
#
# `hot-functions.sh --check` only reports how much of the list the binary still defines (the hub benchmark
# prints it next to the RSS it measures): code changes rename functions, and a list that has gone stale
# gives back the RSS it saved. Regenerate when the share drops well below the ~100 % of a fresh list.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PAWSHUB_BIN:-.build/release/pawshub}
OUT=${OUT:-scripts/hot-functions.txt}
if [[ ${1:-} == --check ]]; then
    [[ -x $BIN ]] || { echo "hot-functions: $BIN missing: make release" >&2; exit 1; }
    listed=$(grep -c . "$OUT" || true)
    (( listed > 0 )) || { echo "hot-functions: $OUT lists no functions" >&2; exit 1; }
    found=$(nm --defined-only "$BIN" | awk '{print $NF}' | sort -u | comm -12 - <(sort -u "$OUT") | wc -l)
    echo "hot-functions: $found of $listed listed functions are in $BIN ($((100 * found / listed)) %)"
    exit 0
fi
PORT=${PORT:-28781} FAKE_PORT=${FAKE_PORT:-28782}
command -v valgrind >/dev/null || { echo "hot-functions: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
[[ -x $BIN ]] || { echo "hot-functions: $BIN missing: make release" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# valgrind 3.19 cannot read the DWARF 5 that lld writes; the symbol table is all this needs.
strip --strip-debug -o "$WORK/pawshub" "$BIN"
TOKEN=hotfunctions-0123456789abcdef0123456789abcdef
cat >"$WORK/pawshub.yaml" <<EOF
JupyterHub:
  bind_url: http://127.0.0.1:$((PORT + 10))
  hub_bind_url: http://127.0.0.1:$PORT
  db_url: sqlite:///$WORK/pawshub.sqlite
  cookie_secret_file: $WORK/cookie_secret
  authenticator_class: dummy
  spawner_class: static
  services:
    - {name: profile, api_token: $TOKEN, admin: true}
Authenticator: {allow_all: true}
Spawner: {static_url: "http://127.0.0.1:$FAKE_PORT"}
EOF
python3 bench/hub/fake_server.py "$FAKE_PORT" & PIDS+=($!)

# phase NAME: one hub run under callgrind, the client calls of that phase, a clean stop.
phase() {
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/cg.$1" \
        "$WORK/pawshub" serve -f "$WORK/pawshub.yaml" >>"$WORK/hub.log" 2>&1 &
    local hub=$!
    PIDS+=($hub)
    python3 - "$1" "http://127.0.0.1:$PORT" "$TOKEN" <<'PYEOF' || { tail -20 "$WORK/hub.log" >&2; exit 1; }
import json, sys, time, urllib.request, urllib.error
phase, base, token = sys.argv[1:4]
def call(method, path, body=None, ok=(200, 201, 202, 204)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        if e.code not in ok: raise SystemExit(f"{method} {path}: {e.code} {e.read()[:200]!r}")
        return e.code, b""
for _ in range(1200):
    try:
        urllib.request.urlopen(base + "/hub/health", timeout=5).read(); break
    except OSError:
        time.sleep(0.1)
else:
    raise SystemExit("hub did not come up")
api = "/hub/api"
if phase == "first":
    call("POST", f"{api}/users", {"usernames": [f"u{i:04d}" for i in range(300)]})
    call("POST", f"{api}/groups/research", {"users": ["u0001", "u0002"]})
    call("POST", f"{api}/users/u0003/tokens", {"note": "profile", "expires_in": 3600})
    for i in range(20):
        call("POST", f"{api}/users/u{i:04d}/server")
    for _ in range(100):
        status, body = call("GET", f"{api}/users/u0019")
        if json.loads(body)["servers"].get("", {}).get("ready"): break
        time.sleep(0.1)
    for i in range(10):
        call("DELETE", f"{api}/users/u{i:04d}/server")
for _ in range(3):
    call("GET", f"{api}/")
    call("GET", f"{api}/user")
    call("GET", f"{api}/users/u0012")
    call("GET", f"{api}/users?limit=200")
    call("GET", f"{api}/users?state=active&offset=5&limit=50")
    call("GET", f"{api}/groups")
    call("GET", f"{api}/users/u0003/tokens")
    call("POST", f"{api}/users/u0012/activity",
         {"last_activity": "2026-12-05T10:00:00.000000Z",
          "servers": {"": {"last_activity": "2026-12-05T10:00:00.000000Z"}}})
    call("GET", f"{api}/users/nobody", ok=(404,))
PYEOF
    kill -TERM "$hub"; wait "$hub" || true
}
phase first
phase restart

python3 - "$WORK/pawshub" "$OUT" "$WORK/cg.first" "$WORK/cg.restart" <<'PYEOF'
import re, subprocess, sys
binary, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
defined = set()
for line in subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    f = line.split()
    if len(f) == 3 and f[1] in "tTwW":
        defined.add(f[2])
# Per phase: the restart's functions (what every running hub executes: loading its database, serving the
# API) come first, then those only a first start and its spawns ran; alphabetical within each, so the file
# diffs well. Keeping the always-run code apart from the rest measured ~0.3 MiB less RSS than one sorted list.
per_phase = []
for path in files:
    executed = set()
    names, obs, ob, fn = {}, {}, None, None
    def resolve(table, text):
        m = re.match(r"\((\d+)\)(?: (.*))?", text)
        if m.group(2) is not None: table[m.group(1)] = m.group(2)
        return table[m.group(1)]
    for line in open(path, errors="replace"):
        if line.startswith("ob="): ob = resolve(obs, line[3:].strip())
        elif line.startswith("fn="): fn = resolve(names, line[3:].strip())
        elif line.startswith("cfn="): resolve(names, line[4:].strip())
        elif line.startswith("cob="): resolve(obs, line[4:].strip())
        elif line[:1].isdigit() or line[:1] in "+-*":
            if ob and ob.endswith("/pawshub") and fn in defined: executed.add(fn)
    per_phase.append(executed)
first, restart = per_phase
ordered = sorted(restart) + sorted(first - restart)
with open(out, "w") as f:
    f.write("".join(name + "\n" for name in ordered))
print(f"hot-functions: {len(restart)} functions every start runs, {len(first - restart)} more -> {out}")
PYEOF
