#!/usr/bin/env bash
# `make test`: install everything, build once, run the Swift and the Python suites.
# Prints each step's wall time and a summary; exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
VENV=${PAWSHUB_VENV:-.venv}
export SE_AVOID_STATS=true   # Selenium must not phone home from tests

declare -a summary=()
failed=0
# run_step NAME CMD...: time one step. Set-up and build failures stop the run at once; a failing
# suite is recorded and the next suite still runs, so one CI log shows every failure.
run_step() {
    local name=$1; shift
    echo "==> $name"
    local start=$SECONDS status=0
    "$@" || status=$?
    local took=$((SECONDS - start))
    if (( status == 0 )); then
        summary+=("$(printf '  %-16s ok      %4ds' "$name" "$took")")
        echo "<== $name ok in ${took}s"
    else
        summary+=("$(printf '  %-16s FAILED  %4ds (exit %d)' "$name" "$took" "$status")")
        echo "<== $name FAILED in ${took}s (exit $status)"
        failed=1
    fi
    return 0
}
stop_if_failed() {
    (( failed == 0 )) && return 0
    print_summary
    exit 1
}
print_summary() {
    echo "Step timings (total $((SECONDS))s):"
    printf '%s\n' "${summary[@]}"
}

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

swift_test() {
    # Serial: on 2 shared cores, 180+ tests that start servers in parallel starve each other's timers and
    # timing assertions fail at random; serial costs a few seconds and makes the run repeatable.
    # Swift Testing prints "Test run with 0 tests" even when nothing ran; treat that as a failure.
    local status=0
    "$SWIFT" test --skip-build --no-parallel 2>&1 | tee "$logs/swift" || status=$?
    if (( status == 0 )) && grep -q 'Test run with 0 tests' "$logs/swift"; then
        echo "swift test: no Swift Testing tests ran" >&2
        status=1
    fi
    return "$status"
}

pytest_suite() {
    local status=0
    "$VENV/bin/python" -m pytest Tests/python -q -p no:cacheprovider 2>&1 | tee "$logs/pytest" || status=$?
    if (( status == 5 )); then
        echo "pytest: collected no tests in Tests/python" >&2
    fi
    return "$status"
}

# One closing line over both suites (reached only when both passed).
print_totals() {
    local swift_total swift_skipped py_passed py_skipped
    swift_total=$(sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' "$logs/swift" | tail -n1)
    swift_skipped=$(grep -cE '^.{0,4}Test .* skipped(:|$)' "$logs/swift" || true)
    py_passed=$(tail -n1 "$logs/pytest" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
    py_skipped=$(tail -n1 "$logs/pytest" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+' || echo 0)
    echo "swift: $((${swift_total:-0} - swift_skipped)) passed, $swift_skipped skipped; pytest: $py_passed passed, $py_skipped skipped"
    echo "tests: $((${swift_total:-0} - swift_skipped + py_passed)) passed, 0 failed, $((swift_skipped + py_skipped)) skipped"
}

run_step "install deps" scripts/install-deps.sh --test
stop_if_failed
# Tests that start real peers (jupyterhub-singleuser, the culler) find them on PATH.
export PATH="$PWD/$VENV/bin:$PATH"
run_step "swift build" "$SWIFT" build --build-tests
# The Python suites (real JupyterHub clients, schemathesis, the crash test) drive the release binary, the one
# `make run` and the image ship: its link differs from debug (lld, packed relocations, ordered functions).
run_step "release build" "$SWIFT" build -c release --product pawshub --static-swift-stdlib
stop_if_failed
PAWSHUB_BIN="$("$SWIFT" build -c release --show-bin-path)/pawshub"
export PAWSHUB_BIN
run_step "swift test" swift_test
run_step "pytest" pytest_suite
stop_if_failed
print_summary
print_totals
