#!/usr/bin/env bash
# Install what PawsHub needs on Debian 12, skipping whatever is already there.
#   scripts/install-deps.sh          build deps: the -dev packages the C shim links against
#   scripts/install-deps.sh --test   also the test peers: Chromium + driver, wrk, nginx, a Python venv
# Idempotent: apt runs only when a package is missing, pip only when requirements-dev.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PACKAGES=(libcurl4-openssl-dev libssl-dev libsqlite3-dev zlib1g-dev)
TEST_PACKAGES=(chromium chromium-driver wrk nginx-light python3-venv)
VENV=${PAWSHUB_VENV:-.venv}
PYTHON=${PYTHON:-python3}
REQUIREMENTS=requirements-dev.txt

with_test=0
case "${1:-}" in
    "") ;;
    --test) with_test=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option '$1' (expected --test)" >&2; exit 2 ;;
esac

log() { echo "install-deps: $*"; }

is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

wanted=("${BUILD_PACKAGES[@]}")
(( with_test )) && wanted+=("${TEST_PACKAGES[@]}")
missing=()
for package in "${wanted[@]}"; do
    is_installed "$package" || missing+=("$package")
done

if (( ${#missing[@]} == 0 )); then
    log "apt packages present (${#wanted[@]} checked), skipping apt"
else
    # apt needs root; use sudo only when we are not root and it exists, otherwise say what to run.
    if (( EUID == 0 )); then
        sudo=()
    elif command -v sudo >/dev/null; then
        sudo=(sudo)
    else
        echo "install-deps: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

(( with_test )) || exit 0

# The venv is reused while requirements-dev.txt is unchanged: a stamp holds the hash it was built from.
stamp="$VENV/.requirements-dev.sha256"
want_hash=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [[ -x "$VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want_hash" ]]; then
    log "$VENV matches $REQUIREMENTS, skipping pip"
    exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV with $("$PYTHON" --version 2>&1)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
log "installing $REQUIREMENTS into $VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS"
echo "$want_hash" >"$stamp"
log "$VENV ready"
