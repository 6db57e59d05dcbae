"""Chantier pages: the detail page of one chantier and the HTML forms that work without JS.

The same writes as the socket events (realtime/chantiers.py), for a phone whose scripts did
not load: validate → domain → commit → broadcast, then redirect (303) back to the page.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from facilitation.domain import chantiers
from facilitation.domain.access import Actor
from facilitation.domain.errors import Closed, DomainError, NotFound, NotJoined, ValidationError
from facilitation.domain.events import get_atelier, get_event
from facilitation.domain.snapshot import contribution_dict
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event
from facilitation.push import cards
from facilitation.web.i18n import clock
from facilitation.web.wall import wall_page

bp = Blueprint("chantiers", __name__)

FORM_KEYS = ("titre", "structure", *chantiers.TEXT_FIELD_NAMES)


@bp.app_template_global("event_pratiques")
def _event_pratiques(event: Event) -> list[dict[str, Any]]:
    """For the chantier form: the event's pratiques to link to."""
    return chantiers.event_pratiques(event)


@bp.app_template_filter("chantier_heure")
def _heure(iso: str, timezone: str = "Europe/Paris") -> str:
    """ "14h05" in the event's time zone from an ISO 8601 UTC timestamp (the page works without JS)."""
    try:
        at = datetime.fromisoformat(iso).astimezone(ZoneInfo(timezone))
    except (TypeError, ValueError, KeyError):
        return ""
    return clock(at)


@bp.app_template_global("chantier_labels")
def _labels() -> dict[str, str]:
    return chantiers.LABELS


def _load(slug: str, atelier_id: int, chantier_id: int) -> tuple[Event, Atelier, Contribution]:
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    card = chantiers.get_chantier(chantier_id, event)
    if card.atelier_id != atelier.id:
        # The chantier moved or the URL was edited: one canonical address.
        raise NotFound(gettext("Ce chantier n'existe pas dans cet atelier."))
    return event, atelier, card


def _page(
    event: Event,
    atelier: Atelier,
    card: Contribution,
    actor: Actor,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> str:
    view = chantiers.chantier_view(card)
    return render_template(
        "chantiers/detail.html",
        event=event,
        atelier=atelier,
        chantier=view,
        card=contribution_dict(card),
        participant=actor.participant,
        in_atelier=actor.participant is not None
        and actor.participant.current_atelier_id == atelier.id,
        mine=chantiers.my_engagement(actor.participant, card),
        contacts=chantiers.engagement_contacts(actor, card)
        if chantiers.can_see_contacts(actor, card)
        else None,
        can_consolidate=actor.facilitates(atelier),
        labels=chantiers.LABELS,
        text_fields=chantiers.TEXT_FIELDS,
        errors=errors or {},
        form=form or {},
        client_id=uuid.uuid4().hex,
    )


@bp.get("/e/<slug>/a/<int:atelier_id>/chantiers/<int:chantier_id>")
def detail(slug: str, atelier_id: int, chantier_id: int):  # type: ignore[no-untyped-def]
    event, atelier, card = _load(slug, atelier_id, chantier_id)
    actor = actor_for(event.id)
    chantiers.check_visible(actor, card)
    page = _page(event, atelier, card, actor)
    db.session.commit()  # get_chantier may have created the empty detail row
    return page


@bp.post("/e/<slug>/a/<int:atelier_id>/chantiers")
def create(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    """The wall's chantier form without JavaScript (same client id: idempotent)."""
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    actor = actor_for(event.id)
    cid = request.form.get("client_id", "")
    form: dict[str, Any] = {k: request.form.get(k, "") for k in FORM_KEYS}
    form["communes"] = request.form.getlist("communes")
    form["pratique_ids"] = request.form.getlist("pratique_ids")
    try:
        card, version = chantiers.create_chantier(actor, atelier, request.form)
    except NotJoined:
        db.session.rollback()
        return redirect(url_for("public.join", slug=slug, atelier=atelier.id), 303)
    except (ValidationError, Closed) as exc:
        db.session.rollback()
        errors = exc.errors or {"event": exc.message}
        if "client_id" in errors:
            cid = uuid.uuid4().hex
        return wall_page(event, atelier, form, errors, cid), exc.http_status
    data = contribution_dict(card)
    data["chantier"] = chantiers.chantier_view(card)
    db.session.commit()
    if version is not None:
        cards.contribution_created(atelier.id, version, data)
    return redirect(url_for("public.wall", slug=slug, atelier_id=atelier.id), 303)


def _write(slug: str, atelier_id: int, chantier_id: int, action: str):  # type: ignore[no-untyped-def]
    event, atelier, card = _load(slug, atelier_id, chantier_id)
    actor = actor_for(event.id)
    data: dict[str, Any] = request.form.to_dict()
    if data.get("field") in ("communes", "pratique_ids"):
        data["values"] = request.form.getlist("values")
    version: int | None
    try:
        if action == "add":
            _, version = chantiers.add_to_field(actor, card, data)
            message = gettext("Votre ajout est enregistré.")
        elif action == "comment":
            _, version = chantiers.add_comment(actor, card, data)
            message = gettext("Votre commentaire est publié.")
        elif action == "consolidate":
            version = chantiers.consolidate(actor, card, data)
            message = gettext("La rubrique est consolidée.")
        elif action == "engage":
            _, version = chantiers.engage(actor, card, data)
            message = gettext("Merci ! Votre engagement est enregistré.")
        else:
            version = chantiers.disengage(actor, card, data)
            message = gettext("Votre engagement est retiré.")
    except ValidationError as exc:
        db.session.rollback()
        # Which form failed, so the page shows its error next to it.
        return _page(event, atelier, card, actor, exc.errors, data | {"_action": action}), 422
    except DomainError as exc:
        db.session.rollback()
        return _page(event, atelier, card, actor, {"action": exc.message}), exc.http_status
    view = chantiers.chantier_view(card)
    db.session.commit()
    if version is not None:
        cards.chantier_updated(atelier.id, version, view)
    flash(message, "success")
    return redirect(
        url_for("chantiers.detail", slug=slug, atelier_id=atelier.id, chantier_id=card.id), 303
    )


def _route(action: str, path: str) -> None:
    def view(slug: str, atelier_id: int, chantier_id: int):  # type: ignore[no-untyped-def]
        return _write(slug, atelier_id, chantier_id, action)

    bp.add_url_rule(
        f"/e/<slug>/a/<int:atelier_id>/chantiers/<int:chantier_id>/{path}",
        endpoint=action,
        view_func=view,
        methods=["POST"],
    )


for _action, _path in (
    ("add", "ajout"),
    ("comment", "commentaire"),
    ("consolidate", "consolider"),
    ("engage", "engagement"),
    ("disengage", "retrait"),
):
    _route(_action, _path)
