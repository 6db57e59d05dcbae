"""Absolute URLs for what leaves the browser: QR codes, projected and handed-out links."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL, on ``PUBLIC_BASE_URL`` when set (the address phones can reach)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
