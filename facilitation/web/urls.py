"""Absolute URLs for what leaves the browser: QR codes, projected and handed-out links; and
the one check of a redirect target that came from the request (``safe_next``)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL, on ``PUBLIC_BASE_URL`` when set (the address phones can reach)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


#: What browsers drop from a URL before reading it: tabs and newlines anywhere.
_DROPPED = re.compile(r"[\t\n\r]")
#: What they trim at both ends: C0 controls and spaces.
_TRIMMED = "".join(chr(c) for c in range(0x21))
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path of this site, else ``None``: never an open redirect.

    Read the way a browser would read it (tabs and newlines removed, controls and spaces
    trimmed), then refused if it keeps a control character or a backslash, has a scheme or a
    host, or does not start with exactly one ``/`` (``//host`` and ``/\\host`` are other
    sites to a browser).
    """
    cleaned = _DROPPED.sub("", target or "").strip(_TRIMMED)
    if not cleaned.startswith("/") or cleaned[1:2] in ("/", "\\") or _CONTROL.search(cleaned):
        return None
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return cleaned
