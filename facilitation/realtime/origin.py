"""Same-origin rule for Socket.IO connections, the one python-engineio applies at the handshake.

Allowed: no ``Origin`` at all (not a browser page: nothing ambient to abuse), the origin the
request was addressed to (``scheme://Host``, or the ``X-Forwarded-*`` one behind a proxy),
``PUBLIC_BASE_URL``'s origin, and any origin listed in ``SOCKETIO_CORS_ALLOWED_ORIGINS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def allowed_origins(environ: Mapping[str, Any]) -> set[str]:
    """The origins this request may come from."""
    allowed: set[str] = set()
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if host:
        allowed.add(f"{scheme}://{host}")
    forwarded_host = str(environ.get("HTTP_X_FORWARDED_HOST") or host or "").split(",")[0]
    forwarded_proto = str(environ.get("HTTP_X_FORWARDED_PROTO") or scheme).split(",")[0]
    if forwarded_host:
        allowed.add(f"{forwarded_proto.strip()}://{forwarded_host.strip()}")
    public = current_app.config.get("PUBLIC_BASE_URL")
    if public:
        allowed.add(_origin_of(str(public)))
    configured = current_app.config.get("SOCKETIO_CORS_ALLOWED_ORIGINS")
    if isinstance(configured, str):
        configured = [configured]
    for origin in configured or []:
        allowed.add(str(origin).rstrip("/"))
    allowed.discard("")
    return allowed


def origin_allowed(origin: str | None, environ: Mapping[str, Any]) -> bool:
    """True when a connection with this ``Origin`` header may open a socket."""
    if not origin:
        return True
    configured = current_app.config.get("SOCKETIO_CORS_ALLOWED_ORIGINS")
    if configured == "*" or configured == ["*"]:
        return True
    return origin.rstrip("/") in allowed_origins(environ)
