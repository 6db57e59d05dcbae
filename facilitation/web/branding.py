"""An event's branding, for everyone: its stylesheet and logo (served from here so the
Content-Security-Policy stays strict), and the template globals that dress a page with them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, request, url_for
from markupsafe import Markup

from facilitation.domain import setup
from facilitation.domain.events import get_event
from facilitation.models import Event
from facilitation.web.security import allow_inline_style

bp = Blueprint("branding", __name__)


@bp.get("/e/<slug>/theme.css")
def theme(slug: str) -> Response:
    """The event's colours as CSS custom properties (a stylesheet: no inline style)."""
    event = get_event(slug)
    response = Response(setup.theme_css(event), mimetype="text/css")
    _cache(response, request.args.get("v") == setup.theme_version(event))
    return response


@bp.get("/e/<slug>/logo")
def logo(slug: str) -> Response:
    event = get_event(slug)
    found = setup.get_logo(event)
    if found is None:
        abort(404)
    response = Response(found.data, mimetype=found.content_type)
    _cache(response, request.args.get("v") == event.logo_digest)
    return response


def _cache(response: Response, versioned: bool) -> None:
    if versioned:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"


@bp.app_template_global()
def event_theme(event: Any) -> dict[str, str] | None:
    """What ``base.html`` needs to dress a page in the event's branding (``None``: none)."""
    if not isinstance(event, Event) or not (
        event.brand_color or event.brand_name or event.logo_digest
    ):
        return None
    version = setup.theme_version(event)
    return {
        "css_url": url_for("branding.theme", slug=event.slug, v=version)
        if event.brand_color
        else "",
        "logo_url": url_for("branding.logo", slug=event.slug, v=event.logo_digest)
        if event.logo_digest
        else "",
        "name": event.brand_name,
    }


@bp.app_template_global()
def event_theme_style(event: Any) -> Markup:
    """The event's colours as an inline ``<style>`` in the head, allowed by this response's CSP
    hash (never ``'unsafe-inline'``): a branded page paints with the HTML alone, without the
    render-blocking round trip a ``<link>`` to ``theme.css`` would cost on a slow phone.

    ``data-event-theme`` carries the ``theme.css`` URL it stands for: a live branding change
    (``atelier_head.js``) replaces the block with that served stylesheet. Empty without a
    colour.
    """
    theme = event_theme(event)
    if theme is None or not theme["css_url"]:
        return Markup("")
    css = setup.theme_css(event).strip()
    if "<" in css:  # cannot happen (a checked hex colour), but it would end the element
        raise ValueError("'<' in an event's theme CSS")
    allow_inline_style(css)
    return Markup('<style data-event-theme="{}">{}</style>').format(theme["css_url"], Markup(css))
