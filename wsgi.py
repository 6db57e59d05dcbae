"""Serve the app: ``python wsgi.py`` listens on HOST:PORT (default 127.0.0.1:5000).

The async framework is one setting, ``SOCKETIO_ASYNC_MODE`` (default ``eventlet``); it must
patch the standard library before anything else is imported, hence this file's order.
eventlet is in bugfix-only mode upstream: ``gevent`` works the same way from here.
"""

import os

ASYNC_MODE = os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet")

if ASYNC_MODE == "eventlet":
    # psycopg 3 waits for PostgreSQL in C (poll) unless it detects gevent: under eventlet
    # every query then froze the whole worker, all phones included (found by `make bench`).
    # wait_select goes through select.select, which eventlet makes cooperative.
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import socket  # noqa: E402
import sys  # noqa: E402

from facilitation import create_app  # noqa: E402
from facilitation.extensions import socketio  # noqa: E402

app = create_app()


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on ``host:port``.

    eventlet opens its listening socket with SO_REUSEPORT, so a second server on a busy port
    would start silently and the kernel would split the phones between two processes that do
    not share rooms or presence. A probe bound without SO_REUSEPORT fails while any other
    socket holds the port (SO_REUSEADDR only lets a port in TIME_WAIT be taken again).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    if not port_is_free(host, port):
        sys.exit(
            f"Le port {port} est déjà utilisé sur {host} : un autre serveur tourne sans doute "
            f"déjà. Arrêtez-le, ou choisissez un autre port (PORT=5001 make run). "
            f"/ Port {port} on {host} is already in use."
        )
    options = {}
    if ASYNC_MODE == "eventlet":
        # eventlet's WSGI server serves at most 1024 connections at once by default, and each
        # open websocket holds one: the 1025th phone would hang (measured by `make bench`).
        options["max_size"] = int(os.environ.get("MAX_CONNECTIONS", "20000"))
    socketio.run(
        app, host=host, port=port, log_output=os.environ.get("ACCESS_LOG") == "1", **options
    )
