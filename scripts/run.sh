#!/usr/bin/env bash
# `make run`: start the release build of pawshub. Runs `pawshub serve` (the hub with its embedded proxy);
# while the hub command does not exist yet, falls back to `pawshub proxy` on the same public port.
# Extra arguments go to the command unchanged, e.g. `make run ARGS="-f pawshub.yaml"`.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${PAWSHUB_BIN:-.build/release/pawshub}
if [[ ! -x "$bin" ]]; then
    echo "run: $bin not found; build it with: make release" >&2
    exit 1
fi

# `pawshub serve --help` exits 0 even without a serve command (argument-parser then prints the root help),
# so look for serve's own usage line.
if "$bin" serve --help 2>/dev/null | grep -q '^USAGE: pawshub serve'; then
    exec "$bin" serve "$@"
fi
echo "run: this build has no 'serve' command yet; starting 'pawshub proxy' on 127.0.0.1:8000 (API 127.0.0.1:8001)" >&2
exec "$bin" proxy --ip 127.0.0.1 --port 8000 --api-ip 127.0.0.1 --api-port 8001 --log-level info "$@"
