"""HTTP hardening: security headers, cookies, proxy, CSRF, rate limits and their French pages.

``init_app`` must run after ``socketio.init_app`` so that ``ProxyFix`` wraps the Socket.IO
middleware too (python-engineio's same-origin check then sees the public scheme and host).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import gettext
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter

from facilitation.domain.errors import Busy
from facilitation.domain.validation import MAX_ID, N_
from facilitation.edge import ratelimit
from facilitation.edge.dbretry import is_busy
from facilitation.extensions import db
from facilitation.web import csrf

#: Form fields never shown back on an error page (hidden machinery, not typed text).
_NOT_TYPED = frozenset({csrf.FIELD, "client_id", "consent", "atelier_id", "password"})

#: French labels for the fields we know; others are shown under their own name.
_LABELS = {
    "code": N_("Code de l’événement"),
    "display_name": N_("Nom affiché"),
    "structure": N_("Structure"),
    "commune": N_("Commune"),
    "titre": N_("Titre"),
    "description": N_("Description"),
    "public_concerne": N_("Public concerné"),
}


class IdConverter(IntegerConverter):
    """``<int:...>`` for database ids: at most ``MAX_ID`` (PostgreSQL INTEGER), else 404."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """The default ``<slug>`` converter without control characters: a NUL byte in a URL is a
    404, not a PostgreSQL error (it refuses NUL in text; found by fuzzing)."""

    def __init__(self, map: Map, *args: int | None, **kwargs: int | None) -> None:
        super().__init__(map, *args, **kwargs)  # type: ignore[arg-type]
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


def content_security_policy(host: str, style_hashes: Iterable[str] = ()) -> str:
    """No inline script, no framing; sockets only to this host.

    No inline style either, except the exact ``<style>`` texts a page declared with
    :func:`allow_inline_style` (its critical CSS), each named by its hash: never
    ``'unsafe-inline'``. ``'self'`` covers ws:/wss: in current browsers; the explicit ws/wss
    sources are for older Safari, which did not match them against ``'self'``.
    """
    styles = " ".join(["'self'", *(f"'{h}'" for h in sorted(set(style_hashes)))])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self' ws://{host} wss://{host}",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def allow_inline_style(css: str) -> str:
    """Let this response's page carry ``<style>{css}</style>``: its hash joins the CSP.

    Returns the CSP source (``sha256-…``). The text must be exactly what goes between the
    tags (the browser hashes those bytes).
    """
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    source = f"sha256-{digest}"
    hashes: set[str] = g.setdefault("csp_style_hashes", set())
    hashes.add(source)
    return source


#: Static files that are never a document, only a page's subresource (not SVG: opened by
#: itself it is a document and keeps its CSP).
_SUBRESOURCE_TYPES = ("text/css", "text/javascript", "application/javascript", "font/")


def security_headers(response: Response) -> Response:
    """``after_request``: the headers every answer carries (a view may set its own CSP)."""
    headers = response.headers
    if request.endpoint == "static" and (response.mimetype or "").startswith(_SUBRESOURCE_TYPES):
        # CSP, framing, opener and permissions policies apply to documents only: on the dozen
        # scripts and stylesheets of a phone's first load they would be 5 KB of headers over
        # a slow link. Sniffing and the referrer policy still matter here.
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        return response
    headers.setdefault(
        "Content-Security-Policy",
        content_security_policy(request.host, g.get("csp_style_hashes", ())),
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        # Only once the request really came over HTTPS (directly or through PROXY_FIX).
        headers.setdefault("Strict-Transport-Security", "max-age=15552000")
    return response


def _same_origin_request() -> bool:
    """Did this POST come from one of our own pages (not a forged cross-site one)?"""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts = urlsplit(source)
    return bool(parts.netloc) and parts.netloc == request.host


def typed_fields() -> list[tuple[str, str]]:
    """What the person typed into the refused form, to copy it back: (label, text).

    Only for a request from our own pages: a forged cross-site post gets no echo, so the
    refusal page cannot be used to show someone else's text on this site.
    """
    if request.method in csrf.SAFE_METHODS or not _same_origin_request():
        return []
    try:
        form = request.form
    except RequestEntityTooLarge:
        return []
    fields = []
    for key, value in form.items():
        if key in _NOT_TYPED or not value.strip():
            continue
        fields.append((gettext(_LABELS[key]) if key in _LABELS else key, value[:5000]))
    return fields


def _back_url() -> str | None:
    """Where "Revenir au formulaire" goes: the page the form was on, if it is ours."""
    referer = request.headers.get("Referer") or ""
    parts = urlsplit(referer)
    if parts.netloc == request.host and parts.path.startswith("/"):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def refused_page(title: str, message: str, status: int, **extra: Any) -> tuple[str, int]:
    return render_template(
        "errors/refused.html",
        title=title,
        message=message,
        typed=typed_fields(),
        back_url=_back_url(),
        **extra,
    ), status


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    """Headers, cookies, proxy, CSRF, rate limits and the error pages that go with them."""
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        base = str(app.config.get("PUBLIC_BASE_URL") or "")
        app.config["SESSION_COOKIE_SECURE"] = base.startswith("https://")
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        # Trust exactly that many proxies' X-Forwarded-For/Proto/Host/Prefix, no more.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )

    csrf.init_app(app)
    ratelimit.init_app(app)

    @app.before_request
    def fresh_style_hashes() -> None:
        # ``g`` belongs to the app context, which a request shares with an enclosing one (a
        # test's, a CLI's): a previous page's inline-style hashes must not reach this one.
        g.pop("csp_style_hashes", None)

    app.after_request(security_headers)

    @app.errorhandler(csrf.CSRFError)
    def csrf_refused(exc: csrf.CSRFError):  # type: ignore[no-untyped-def]
        if _wants_json():
            return {"ok": False, "code": "csrf", "message": str(csrf.MESSAGE), "errors": {}}, 400
        return refused_page(gettext("Formulaire expiré"), csrf.MESSAGE, 400)

    @app.errorhandler(TooManyRequests)
    def too_many(exc: TooManyRequests):  # type: ignore[no-untyped-def]
        message = gettext(
            "Trop de tentatives depuis cet appareil ou ce réseau en peu de temps. Patientez une minute puis réessayez."
        )
        if _wants_json():
            body = {"ok": False, "code": "rate_limited", "message": message, "errors": {}}
            response = current_app.make_response((body, 429))
        else:
            response = current_app.make_response(
                refused_page(gettext("Trop de tentatives"), message, 429)
            )
        # Flask-Limiter's Retry-After and X-RateLimit-* headers, when it set them.
        if exc.response is not None:
            for name, value in exc.response.headers.items():
                if name.lower() == "retry-after" or name.lower().startswith("x-ratelimit"):
                    response.headers[name] = value
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        message = gettext(
            "Envoi trop volumineux : raccourcissez le texte ou le fichier, puis réessayez."
        )
        if _wants_json():
            return {"ok": False, "code": "too_large", "message": message, "errors": {}}, 413
        return refused_page(gettext("Envoi trop volumineux"), message, 413)

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        if not is_busy(exc):
            raise exc
        current_app.logger.error("SQLite busy: HTTP write refused (%s)", request.path)
        message = str(Busy.default_message)
        if _wants_json():
            return {"ok": False, "code": Busy.code, "message": message, "errors": {}}, 503
        return refused_page(gettext("Serveur occupé"), message, 503)
