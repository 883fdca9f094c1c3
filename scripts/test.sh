#!/usr/bin/env bash
# Run the test suite on SQLite and/or PostgreSQL.
#
#   scripts/test.sh [sqlite|postgres|all] [-- PYTEST_ARGS...]      (default: all)
#
# PostgreSQL runs inside scripts/pg.sh (a throwaway cluster). Where the PostgreSQL binaries are
# missing, `all` says so and runs SQLite only, except in CI (CI=true), where that is a failure.
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
trap 'echo "test.sh: interrupted" >&2; exit 130' INT TERM

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

run_pytest() {  # run_pytest DATABASE [WRAPPER...]
    local database=$1; shift
    local started=$SECONDS status
    echo "=== $database: pytest ${pytest_args[*]:-} ==="
    # ${a[@]+...}: an empty array is "unbound" to bash < 4.4 under set -u (macOS ships 3.2).
    "$@" "$PYTEST" --junitxml="test-artifacts/junit-$database.xml" ${pytest_args[@]+"${pytest_args[@]}"}
    status=$?
    record "$database" "$status" $((SECONDS - started))
}

for database in "${databases[@]}"; do
    case $database in
        sqlite)
            # An inherited PostgreSQL URL would silently turn this into a second PostgreSQL run.
            run_pytest sqlite env -u MHU_TEST_DATABASE_URL
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
            run_pytest postgres scripts/pg.sh
            ;;
    esac
done

echo "=== summary ==="
printf '%s\n' "${summary[@]}"
exit $failed
