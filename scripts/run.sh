#!/usr/bin/env bash
# What `make run` runs (the Makefile has built .venv): migrate the database, load demo data on
# the first start, print the demo users, then serve on 127.0.0.1.
#
#   PORT            port to serve on (default 5000)
#   DATABASE_URL    database (default: SQLite in instance/)
#   MHU_DEMO_CALLS  calls generated on the first start (default 20000); MHU_DEMO_SEED (default 1)
#   MHU_LOAD_DEMO=0 skip the demo data (e.g. against a real PostgreSQL)
#   MHU_DEMO_PASSWORD  password of the demo users (default: generated, kept in instance/demo_password)
set -euo pipefail

cd "$(dirname "$0")/.."
FLASK=(.venv/bin/flask --app wsgi)
[[ -x ${FLASK[0]} ]] || { echo "run.sh: ${FLASK[0]} not found; use 'make run' (it builds the venv)" >&2; exit 2; }
INSTANCE_DIR="${MHU_INSTANCE_PATH:-$PWD/instance}"
mkdir -p "$INSTANCE_DIR"

"${FLASK[@]}" db upgrade
"${FLASK[@]}" metrics refresh --if-stale   # after an upgrade that changed how metric facts are built
if [[ ${MHU_LOAD_DEMO:-1} != 0 ]]; then
    # Loads only when the database has no demo data yet; later starts just print the users.
    "${FLASK[@]}" demo --calls "${MHU_DEMO_CALLS:-20000}" --seed "${MHU_DEMO_SEED:-1}" \
        --password-file "$INSTANCE_DIR/demo_password"
fi
echo "Serving MHU on http://127.0.0.1:${PORT:-5000}/ (Ctrl-C to stop)"
exec "${FLASK[@]}" run --host 127.0.0.1 --port "${PORT:-5000}"
