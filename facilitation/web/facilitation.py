"""Facilitator and organizer pages: the secret link, the console, login, the control room.

The pages are server-rendered and work as a read-out without JavaScript; the controls
(rounds, moderation, announcements) are Socket.IO events sent by static/js/console.js and
static/js/regie.js, authorised on the server like every event.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from facilitation.domain import access, control
from facilitation.domain.access import require_facilitator, require_organizer
from facilitation.domain.contributions import wall
from facilitation.domain.errors import Forbidden, ValidationError
from facilitation.domain.events import contribution_kind, get_atelier, get_event
from facilitation.domain.moderation import categories, merged_cards
from facilitation.domain.phases import current_round, round_dict
from facilitation.domain.setup import atelier_import
from facilitation.domain.snapshot import contribution_dict
from facilitation.edge.identity import (
    actor_for,
    current_organizer,
    login_organizer,
    logout_organizer,
    remember_facilitator_link,
)
from facilitation.edge.ratelimit import limit_login
from facilitation.extensions import db
from facilitation.models import Event
from facilitation.push import round_broadcast
from facilitation.web.csv_upload import posted_csv
from facilitation.web.public import public_url

bp = Blueprint("facilitation", __name__)


@bp.before_app_request
def _start_ticker() -> None:
    # The first HTTP request of a worker starts its round ticker (closes rounds at zero).
    if not current_app.config.get("TESTING"):
        round_broadcast.ensure_ticker(current_app._get_current_object())  # type: ignore[attr-defined]


# ------------------------------------------------------------------------- facilitator link
@bp.get("/f/<token>")
def facilitator_entry(token: str):  # type: ignore[no-untyped-def]
    """Open a facilitator link: remembered in this browser, then on to the console."""
    link = access.resolve_facilitator_link(token)
    remember_facilitator_link(link)
    event = link.event
    if link.atelier_id is not None:
        return redirect(url_for(".console", slug=event.slug, atelier_id=link.atelier_id), 303)
    return redirect(url_for(".ateliers", slug=event.slug), 303)


@bp.get("/animation/e/<slug>/")
def ateliers(slug: str):  # type: ignore[no-untyped-def]
    """The ateliers this browser may run in the event (an event-wide link: all of them)."""
    event = get_event(slug)
    actor = actor_for(event.id)
    groups = [
        (sequence, [a for a in sequence.ateliers if actor.facilitates(a)])
        for sequence in event.sequences
        if sequence.ateliers
    ]
    groups = [(s, items) for s, items in groups if items]
    if not groups:
        raise Forbidden(gettext("Ouvrez d'abord votre lien d'animation (ou connectez-vous)."))
    rounds = control.current_rounds([a for _s, items in groups for a in items])
    return render_template(
        "facilitation/ateliers.html",
        event=event,
        groups=groups,
        rounds={k: round_dict(v) for k, v in rounds.items()},
    )


@bp.get("/animation/e/<slug>/a/<int:atelier_id>")
def console(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    """The facilitator console of one atelier (laptop and tablet)."""
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    require_facilitator(actor_for(event.id), atelier)
    cards = wall(atelier, moderation=True)
    merged = merged_cards([c.id for c in cards])
    rnd = current_round(atelier)
    return render_template(
        "facilitation/console.html",
        event=event,
        atelier=atelier,
        contributions=[contribution_dict(c, merged.get(c.id, ())) for c in cards],
        categories=categories(atelier),
        round=round_dict(rnd) if rnd else None,
        version=atelier.version,
        kind=contribution_kind(atelier.sequence),
    )


# ------------------------------------------------------------------------- organizers
@bp.route("/organisateur/connexion", methods=["GET", "POST"])
@limit_login
def login():  # type: ignore[no-untyped-def]
    email = ""
    error = None
    if request.method == "POST":
        email = request.form.get("email", "")
        organizer = access.authenticate(email, request.form.get("password", ""))
        if organizer is None:
            error = gettext("Adresse e-mail ou mot de passe incorrect.")
        else:
            login_organizer(organizer)
            return redirect(_next_url() or url_for(".organizer_home"), 303)
    status = 401 if error else 200
    return render_template("organizer/login.html", email=email, error=error), status


def _next_url() -> str | None:
    """Only a local path: never an open redirect to another site."""
    target = request.args.get("suivant") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.post("/organisateur/deconnexion")
def logout():  # type: ignore[no-untyped-def]
    logout_organizer()
    flash(gettext("Vous êtes déconnecté·e."), "info")
    return redirect(url_for(".login"), 303)


def _require_login() -> Any:
    """The logged-in organizer, or ``None`` (the view redirects to the login page)."""
    return current_organizer()


@bp.get("/organisateur/")
def organizer_home():  # type: ignore[no-untyped-def]
    organizer = _require_login()
    if organizer is None:
        return redirect(url_for(".login", suivant=request.path))
    events = sorted(organizer.events, key=lambda e: (e.date, e.title))
    return render_template("organizer/home.html", organizer=organizer, events=events)


@bp.get("/organisateur/e/<slug>/regie")
def control_room(slug: str):  # type: ignore[no-untyped-def]
    """The live control room of an event: every atelier at a glance, announcements, agenda."""
    if _require_login() is None:
        return redirect(url_for(".login", suivant=request.path))
    event = get_event(slug)
    require_organizer(actor_for(event.id), event)
    snapshot = control.control_snapshot(event, lambda _a: 0, lambda _a: 0)
    return render_template(
        "organizer/regie.html",
        event=event,
        snapshot=snapshot,
        idle_minutes=current_app.config.get("CONTROL_IDLE_MINUTES", control.IDLE_MINUTES),
    )


def _organizer_event(slug: str) -> Event:
    """The event, for its logged-in organizers only (``Forbidden`` otherwise)."""
    found = get_event(slug)
    require_organizer(actor_for(found.id), found)
    return found


@bp.get("/organisateur/e/<slug>/qr")
def qr_sheet(slug: str):  # type: ignore[no-untyped-def]
    """A printable sheet: one QR code per atelier, to put on the tables."""
    if _require_login() is None:
        return redirect(url_for(".login", suivant=request.path))
    found = _organizer_event(slug)
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


@bp.route("/organisateur/e/<slug>/import", methods=["GET", "POST"])
def import_ateliers(slug: str):  # type: ignore[no-untyped-def]
    """Import ateliers from a CSV file: preview with line-numbered errors, then confirm."""
    if _require_login() is None:
        return redirect(url_for(".login", suivant=request.path))
    found = _organizer_event(slug)
    result = None
    content = ""
    if request.method == "POST":
        try:
            content = posted_csv()
            if request.form.get("confirmer") == "1":
                result = atelier_import.apply_import(actor_for(found.id), found, content)
                created = sum(1 for r in result.rows if r.existing is None)
                db.session.commit()
                flash(
                    gettext(
                        "%(count)s atelier(s) importé(s) : %(created)s créé(s), %(v)s mis à jour.",
                        count=len(result.rows),
                        created=created,
                        v=len(result.rows) - created,
                    ),
                    "success",
                )
                return redirect(url_for(".import_ateliers", slug=slug), 303)
            result = atelier_import.preview(found, content)
        except ValidationError as exc:
            db.session.rollback()
            result = atelier_import.ImportPreview.refused(exc)
    status = 422 if result is not None and result.errors else 200
    return render_template(
        "organizer/import.html", event=found, result=result, content=content
    ), status


@bp.route("/organisateur/e/<slug>/liens", methods=["GET", "POST"])
def facilitator_links(slug: str):  # type: ignore[no-untyped-def]
    """Hand out, revoke and regenerate the facilitators' secret links (with their QR code).

    A new link's address is shown once, in this response: only its hash is stored.
    """
    if _require_login() is None:
        return redirect(url_for(".login", suivant=request.path))
    found = _organizer_event(slug)
    actor = actor_for(found.id)
    fresh = None
    if request.method == "POST":
        action = request.form.get("action", "")
        if action == "create":
            raw_atelier = request.form.get("atelier_id", "")
            atelier = get_atelier(found, int(raw_atelier)) if raw_atelier.isdigit() else None
            label = request.form.get("label", "").strip()
            link, token = access.create_facilitator_link(found, atelier, label)
        else:
            raw_link = request.form.get("link_id", "")
            link = control.get_link(actor, found, int(raw_link) if raw_link.isdigit() else None)
            if action == "revoke":
                access.revoke_facilitator_link(link)
                token = None
            elif action == "regenerate":
                link, token = access.regenerate_facilitator_link(link)
            else:
                abort(400)
        db.session.commit()
        if token is None:
            flash(gettext("Lien révoqué : il ne fonctionne plus, immédiatement."), "success")
            return redirect(url_for(".facilitator_links", slug=slug), 303)
        url = public_url(".facilitator_entry", token=token)
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
