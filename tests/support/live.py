"""The app served on a loopback port from a background thread, for tests that need real
concurrency (one thread, one app context and one database session per request)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import requests
from werkzeug.serving import make_server


@contextmanager
def serving(app):
    """Serve `app` on 127.0.0.1 with a thread per request; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_together(count, request):
    """Run `request(i)` in `count` threads released at the same instant."""
    barrier = threading.Barrier(count)

    def go(i):
        with requests.Session() as http:
            barrier.wait()
            return request(http, i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(go, range(count)))
