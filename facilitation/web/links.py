"""What the organizers hand out: the facilitators' secret links and the tables' QR codes."""

from __future__ import annotations

import io

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from facilitation.domain import access, control
from facilitation.domain.events import get_atelier
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.push import sessions
from facilitation.web.guards import EVENT_PREFIX, login_required, organizer_event
from facilitation.web.urls import public_url

bp = Blueprint("links", __name__, url_prefix=EVENT_PREFIX)


@bp.get("/qr")
@login_required
def qr_sheet(slug: str):  # type: ignore[no-untyped-def]
    """A printable sheet: one QR code per atelier, to put on the tables."""
    found = organizer_event(slug)
    ateliers = [
        (atelier, public_url("public.join", slug=slug, atelier=atelier.id))
        for sequence in found.sequences
        for atelier in sequence.ateliers
    ]
    return render_template(
        "organizer/qr_sheet.html",
        event=found,
        ateliers=ateliers,
        home_url=public_url("public.home"),
    )


@bp.route("/liens", methods=["GET", "POST"])
@login_required
def facilitator_links(slug: str):  # type: ignore[no-untyped-def]
    """Hand out, revoke and regenerate the facilitators' secret links (with their QR code).

    A new link's address is shown once, in this response: only its hash is stored.
    """
    found = organizer_event(slug)
    actor = actor_for(found.id)
    fresh = None
    if request.method == "POST":
        action = request.form.get("action", "")
        if action == "create":
            raw_atelier = request.form.get("atelier_id", "")
            atelier = get_atelier(found, raw_atelier) if raw_atelier else None
            label = request.form.get("label", "").strip()
            link, token = access.create_facilitator_link(found, atelier, label)
        else:
            raw_link = request.form.get("link_id", "")
            link = control.get_link(actor, found, raw_link)
            ended = link.id
            if action == "revoke":
                access.revoke_facilitator_link(link)
                token = None
            elif action == "regenerate":
                link, token = access.regenerate_facilitator_link(link)
            else:
                abort(400)
        db.session.commit()
        if action in ("revoke", "regenerate"):
            # Its open consoles stop at once, on every worker (push/sessions.py).
            sessions.end_link(ended)
        if token is None:
            flash(gettext("Lien révoqué : il ne fonctionne plus, immédiatement."), "success")
            return redirect(url_for(".facilitator_links", slug=slug), 303)
        url = public_url("facilitation.facilitator_entry", token=token)
        fresh = {"link": link, "url": url, "qr": _qr_svg(url)}
    return render_template(
        "organizer/links.html",
        event=found,
        links=control.facilitator_links(actor, found),
        ateliers=control.event_ateliers(found),
        fresh=fresh,
    )


def _qr_svg(url: str) -> Markup:
    """An inline SVG QR code of ``url`` (generated markup, no user text)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=6, border=2, xmldecl=False, svgns=True, title="QR code du lien"
    )
    return Markup(buffer.getvalue().decode())
