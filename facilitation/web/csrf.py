"""CSRF protection for every state-changing HTTP request (POST, PUT, PATCH, DELETE).

A random token is kept in the signed session cookie (one per browser, made on first use) and
must come back with the request: the hidden field ``csrf_token`` of every form
(``{{ csrf_input() }}`` or ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">``)
or the ``X-CSRF-Token`` header for ``fetch``. Another site can make a browser send our cookie,
but it cannot read the token, so its forged request is refused with a French 400 page.

Socket.IO events need no token: the connection itself is same-origin only (checked by
python-engineio at the handshake and again in ``realtime.handlers.on_connect``), so a page on
another site cannot send events with our cookie.

Exempt: views marked with ``@exempt`` and the blueprints in ``CSRF_EXEMPT_BLUEPRINTS`` (APIs
authenticated by a header token rather than by the cookie, e.g. ``loadtest``).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request, session
from flask_babel import lazy_gettext
from markupsafe import Markup, escape
from werkzeug.exceptions import BadRequest

F = TypeVar("F", bound=Callable[..., Any])

SESSION_KEY = "_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

MESSAGE = lazy_gettext(
    "Ce formulaire a expiré ou ne vient pas de ce site, il n’a donc pas été enregistré. Rechargez la page puis envoyez-le à nouveau."
)


class CSRFError(BadRequest):
    """A state-changing request without the session's token."""

    description = MESSAGE


def csrf_token() -> str:
    """This browser's token, created (and stored in its session) on first use."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def csrf_input() -> Markup:
    """The hidden form field carrying the token."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(csrf_token()))


def exempt(view: F) -> F:
    """Mark a view as not needing the token (it must not rely on the session cookie)."""
    view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


def body_limit(size: int) -> Callable[[F], F]:
    """Let a view take a body of ``size`` bytes (a photo) instead of ``MAX_CONTENT_LENGTH``."""

    def mark(view: F) -> F:
        view.max_content_length = size  # type: ignore[attr-defined]
        return view

    return mark


def valid_token(given: Any) -> bool:
    expected = session.get(SESSION_KEY)
    if not isinstance(given, str) or not isinstance(expected, str) or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _is_exempt() -> bool:
    if request.endpoint is None:  # no such URL: let the 404/405 answer
        return True
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "csrf_exempt", False):
        return True
    exempt_blueprints = current_app.config.get("CSRF_EXEMPT_BLUEPRINTS") or ()
    return bool(request.blueprint) and request.blueprint in exempt_blueprints


def protect() -> None:
    """``before_request``: refuse a state-changing request without a valid token."""
    if request.method in SAFE_METHODS or not current_app.config.get("CSRF_ENABLED", True):
        return
    if _is_exempt():
        return
    # An upload route allows a bigger body (``body_limit``): set before the form is parsed.
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "max_content_length", None)
    if isinstance(limit, int):
        request.max_content_length = limit
    given = request.headers.get(HEADER) or request.form.get(FIELD)
    if not valid_token(given):
        raise CSRFError()


def init_app(app: Flask) -> None:
    app.config.setdefault("CSRF_ENABLED", True)
    app.config.setdefault("CSRF_EXEMPT_BLUEPRINTS", ("loadtest",))
    app.before_request(protect)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["csrf_input"] = csrf_input
