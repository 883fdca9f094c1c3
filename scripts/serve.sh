#!/usr/bin/env bash
# Production-style serving (`make serve`): migrate, refresh the metric facts if a release changed
# them, then run gunicorn with gunicorn.conf.py. Meant for PostgreSQL (docs/deploy-postgresql.md).
#
#   DATABASE_URL     required: postgresql://user:pass@host/db
#   MHU_SECRET_KEY   required in production (at least 32 random characters)
#   MHU_CONFIG       default production
#   MHU_BIND         default 127.0.0.1:8000 (put the TLS-terminating proxy in front)
#   MHU_WORKERS      default 2 x cores + 1
#   MHU_SKIP_MIGRATE=1  serve only (further app servers of a release whose migration already ran);
#                       1/true/yes/on or 0/false/no/off, anything else is refused
# Extra arguments go to gunicorn.
set -euo pipefail

cd "$(dirname "$0")/.."
export MHU_CONFIG="${MHU_CONFIG:-production}"
[[ -x .venv/bin/gunicorn ]] || { echo "serve.sh: .venv/bin/gunicorn not found; run 'make serve' (it builds the venv)" >&2; exit 2; }
[[ -n ${DATABASE_URL:-} ]] || { echo "serve.sh: set DATABASE_URL (postgresql://user:pass@host/db)" >&2; exit 2; }
case $DATABASE_URL in
    postgres*) ;;
    *) echo "serve.sh: warning: DATABASE_URL is not PostgreSQL; SQLite serializes writes across workers" >&2 ;;
esac

# Yes/no spelled as config.py reads its switches; anything else is refused rather than guessed.
case ${MHU_SKIP_MIGRATE:-0} in
    1|[Tt]rue|TRUE|[Yy]es|YES|[Oo]n|ON) ;;
    0|[Ff]alse|FALSE|[Nn]o|NO|[Oo]ff|OFF|'')
        .venv/bin/flask --app wsgi db upgrade
        .venv/bin/flask --app wsgi metrics refresh --if-stale
        ;;
    *) echo "serve.sh: MHU_SKIP_MIGRATE='$MHU_SKIP_MIGRATE': use 1 (serve only) or 0 (migrate first)" >&2; exit 2 ;;
esac
exec .venv/bin/gunicorn --config gunicorn.conf.py "$@"
