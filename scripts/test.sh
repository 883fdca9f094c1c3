#!/usr/bin/env bash
# Run the test suite on SQLite and/or PostgreSQL.
#
#   scripts/test.sh [sqlite|postgres|all] [-- PYTEST_ARGS...]      (default: all)
#
# PostgreSQL runs inside scripts/pg.sh (a throwaway cluster). Where the PostgreSQL binaries are
# missing, `all` says so and runs SQLite only, except in CI (CI=true), where that is a failure.
# MHU_TEST_PARALLEL=1 runs both databases at once (logs in test-artifacts/pytest-*.log).
# Ends with one summary line per database; exits non-zero if any run failed, and treats
# pytest's "no tests collected" (exit 5) as a failure.
set -uo pipefail

cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest
PG_BIN="${MHU_PG_BIN:-/usr/lib/postgresql/15/bin}"

target=all
if [[ $# -gt 0 && $1 != -- ]]; then target=$1; shift; fi
if [[ $# -gt 0 && $1 == -- ]]; then shift; fi
pytest_args=("$@")

case $target in
    sqlite) databases=(sqlite) ;;
    postgres) databases=(postgres) ;;
    all) databases=(sqlite postgres) ;;
    *) echo "usage: scripts/test.sh [sqlite|postgres|all] [-- PYTEST_ARGS...]" >&2; exit 2 ;;
esac
[[ -x $PYTEST ]] || { echo "test.sh: $PYTEST not found; run 'make test' (it builds the venv)" >&2; exit 2; }

# pytest turns Ctrl-C into a normal exit, so bash alone would go on to the next database.
trap 'echo "test.sh: interrupted" >&2; rm -rf "${TMP_ROOT:-}"; exit 130' INT TERM

in_ci() { [[ ${CI:-} == true || ${CI:-} == 1 ]]; }

summary=()
failed=0

record() {  # record DATABASE STATUS SECONDS
    local database=$1 status=$2 seconds=$3 verdict
    case $status in
        0) verdict=passed ;;
        5) verdict="FAILED (no tests collected)" ;;
        69) verdict="FAILED (PostgreSQL did not start)" ;;  # scripts/pg.sh's own status
        *) verdict="FAILED (exit $status)" ;;
    esac
    [[ $status -eq 0 ]] || failed=1
    summary+=("$(printf '%-10s %-34s %5d s' "$database" "$verdict" "$seconds")")
}

run_one() {  # run_one DATABASE WRAPPER...: pytest for one database under WRAPPER
    local database=$1; shift
    # ${a[@]+...}: an empty array is "unbound" to bash < 4.4 under set -u (macOS ships 3.2).
    "$@" "$PYTEST" --junitxml="test-artifacts/junit-$database.xml" --basetemp="$TMP_ROOT/$database" \
        ${pytest_args[@]+"${pytest_args[@]}"}
}

# Each run gets its own pytest temp root, so two runs at once never clean up each other's dirs.
TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/mhu-test.XXXXXX")
mkdir -p test-artifacts

jobs=()  # "DATABASE WRAPPER..." per run
for database in "${databases[@]}"; do
    case $database in
        sqlite)
            # An inherited PostgreSQL URL would silently turn this into a second PostgreSQL run.
            jobs+=("sqlite env -u MHU_TEST_DATABASE_URL")
            ;;
        postgres)
            if [[ ! -x $PG_BIN/initdb || ! -x $PG_BIN/pg_ctl ]]; then
                message="PostgreSQL binaries not found in $PG_BIN (install postgresql-15 or set MHU_PG_BIN)"
                if in_ci || [[ $target == postgres ]]; then
                    echo "test.sh: $message: the PostgreSQL run FAILS" >&2
                    summary+=("$(printf '%-10s %-34s' postgres "FAILED (PostgreSQL not installed)")")
                    failed=1
                else
                    echo "test.sh: $message: the suite ran on SQLite ONLY" >&2
                    summary+=("$(printf '%-10s %-34s' postgres "NOT RUN (PostgreSQL not installed)")")
                fi
                continue
            fi
            jobs+=("postgres scripts/pg.sh")
            ;;
    esac
done

if [[ ${MHU_TEST_PARALLEL:-0} == 1 && ${#jobs[@]} -gt 1 ]]; then
    # Both databases at once, each in its own session (so one kill stops its whole tree) and
    # its own log, printed whole when it ends.
    pids=()
    trap 'echo "test.sh: interrupted" >&2; for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done; wait; rm -rf "$TMP_ROOT"; exit 130' INT TERM
    started=$SECONDS
    for job in "${jobs[@]}"; do
        set -- $job
        echo "=== $1: pytest ${pytest_args[*]:-} (log: test-artifacts/pytest-$1.log) ==="
        setsid bash -c "$(declare -f run_one); $(declare -p PYTEST TMP_ROOT pytest_args); run_one \"\$@\"" \
            run_one "$@" </dev/null >"test-artifacts/pytest-$1.log" 2>&1 &
        pids+=($!)
    done
    for index in "${!jobs[@]}"; do
        set -- ${jobs[$index]}
        wait "${pids[$index]}"
        status=$?
        echo "=== $1 ==="
        cat "test-artifacts/pytest-$1.log"
        record "$1" "$status" $((SECONDS - started))
    done
else
    for job in "${jobs[@]}"; do
        set -- $job
        echo "=== $1: pytest ${pytest_args[*]:-} ==="
        started=$SECONDS
        run_one "$@"
        record "$1" "$?" $((SECONDS - started))
    done
fi
rm -rf "$TMP_ROOT"

echo "=== summary ==="
printf '%s\n' "${summary[@]}"
exit $failed
