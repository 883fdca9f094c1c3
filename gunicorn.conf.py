"""gunicorn settings for production serving (`scripts/serve.sh`, `make serve`).

Every value can be overridden by environment variable (below) or on the command line. The access
log carries the request id (the X-Request-ID the app answers with, also in each audit event) and
never a request body, query string or cookie: URLs may name record ids, never their content, and
query strings can carry names from a person search, so only the path is logged.
"""

import multiprocessing
import os

bind = os.environ.get("MHU_BIND", "127.0.0.1:8000")
# (2 x cores) + 1 is gunicorn's rule of thumb for sync workers doing database I/O.
workers = int(os.environ.get("MHU_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# A request (an export, a year of dashboard data) may take some seconds; a stuck worker is
# killed and replaced after `timeout`. Behind a proxy, keep-alive is cheap and saves handshakes.
timeout = int(os.environ.get("MHU_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so any slow leak cannot grow without bound.
max_requests = int(os.environ.get("MHU_MAX_REQUESTS", 5000))
max_requests_jitter = 500
# Request line and header limits (the app itself caps bodies at MAX_CONTENT_LENGTH).
limit_request_line = 8190
limit_request_fields = 100

accesslog = os.environ.get("MHU_ACCESS_LOG", "-")
errorlog = os.environ.get("MHU_ERROR_LOG", "-")
loglevel = os.environ.get("MHU_LOG_LEVEL", "info")
# remote address, time, method, path (no query string), status, bytes, duration in microseconds,
# request id, user agent. %(U)s is the path alone; %(r)s would include the query string.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(D)sus rid=%({x-request-id}o)s "%(a)s"'
# X-Forwarded-For and -Proto are trusted from these addresses only (the reverse proxy); the app's
# own ProxyFix (MHU_PROXY_FIX_HOPS) decides what the application sees.
forwarded_allow_ips = os.environ.get("MHU_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27's control socket defaults to one path per OS user, which two instances on one host
# would share; it is off unless MHU_CONTROL_SOCKET names a path for this instance.
control_socket = os.environ.get("MHU_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
# Load the app once in the master so workers fork with it (faster start, shared memory).
preload_app = True
wsgi_app = "wsgi:app"


def post_fork(server, worker):
    """Connections opened in the master (while preloading) must not be shared with a worker."""
    from mhu.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
