"""Serve the app on a loopback port in its own process (for tests that kill it).

    python -m tests.support.fault_server DATABASE_URL PORT
"""

import sys

from werkzeug.serving import run_simple

from mhu import create_app

if __name__ == "__main__":
    url, port = sys.argv[1], int(sys.argv[2])
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False, use_debugger=False)
