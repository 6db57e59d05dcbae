"""Interconnaissance pages: my profile, the who's who, the tour de table, matches, actors map."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from facilitation.domain import contacts, matching, profiles, reactions, tour
from facilitation.domain.access import require_facilitator
from facilitation.domain.actors import actors_chart_svg, actors_map
from facilitation.domain.errors import NotFound, ValidationError
from facilitation.domain.events import get_atelier, get_event
from facilitation.edge.identity import actor_for, participant_for
from facilitation.extensions import db
from facilitation.models import Atelier, Event, Participant
from facilitation.push.interconnaissance import notify_whoswho
from facilitation.web.guards import EVENT_PREFIX, organizer_event
from facilitation.web.i18n import date_time

#: The participants' and facilitators' pages.
bp = Blueprint("interconnaissance", __name__)
#: The organizers' actors map, under the event's organizer prefix.
organizer_bp = Blueprint("interconnaissance_organizer", __name__, url_prefix=EVENT_PREFIX)


def profile_form(profile: Any) -> dict[str, str]:
    """Form values (strings) of a profile, tags joined with commas."""
    if profile is None:
        return dict.fromkeys(profiles.PROFILE_KEYS, "")
    return {
        "role": profile.role,
        "structure_kind": profile.structure_kind,
        "publics": ", ".join(profile.publics or []),
        "offers": ", ".join(profile.offers or []),
        "needs": ", ".join(profile.needs or []),
        "contact": profile.contact,
        "visible": "on" if profile.visible else "",
    }


def local_time(event: Event) -> Callable[[datetime | None], str]:
    """« 24/06/2021 à 10h05 » (« 6/24/21 at 10:05 ») in the event's timezone, for the « my
    data » page."""
    zone = ZoneInfo(event.timezone or "Europe/Paris")

    def fmt(at: datetime | None) -> str:
        return date_time(at.astimezone(zone)) if at else "—"

    return fmt


class _NotJoined(Exception):
    """This browser has not joined the event: the view answers with the join page."""

    def __init__(self, slug: str) -> None:
        self.slug = slug


@bp.errorhandler(_NotJoined)
def _to_join(exc: _NotJoined):  # type: ignore[no-untyped-def]
    return redirect(url_for("public.join", slug=exc.slug), 303 if request.method == "POST" else 302)


def _joined(slug: str) -> tuple[Event, Participant]:
    """The event and the participant of this browser (else the join page, see ``_NotJoined``)."""
    event = get_event(slug)
    me = participant_for(event.id)
    if me is None:
        raise _NotJoined(slug)
    return event, me


# ----------------------------------------------------------------------------- my profile
@bp.route("/e/<slug>/profil", methods=["GET", "POST"])
def profile(slug: str):  # type: ignore[no-untyped-def]
    event, me = _joined(slug)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in profiles.PROFILE_KEYS}
        try:
            profiles.save_profile(me, request.form)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            atelier_id = me.current_atelier_id
            db.session.commit()
            notify_whoswho(atelier_id)
            flash(gettext("Votre profil est enregistré."), "success")
            return redirect(url_for("interconnaissance.profile", slug=slug), 303)
    else:
        form = profile_form(profiles.get_profile(me))
    return render_template(
        "interconnaissance/profile.html",
        event=event,
        participant=me,
        form=form,
        errors=errors,
        kinds=profiles.STRUCTURE_KIND_LABELS,
        data=profiles.my_data(me),
        kind_label=profiles.kind_label,
        when=local_time(event),
        status_labels=contacts.STATUS_LABELS,
    ), (422 if errors else 200)


@bp.post("/e/<slug>/profil/supprimer")
def delete_profile(slug: str):  # type: ignore[no-untyped-def]
    _, me = _joined(slug)
    atelier_id = me.current_atelier_id
    if profiles.delete_profile(me):
        db.session.commit()
        notify_whoswho(atelier_id)
        flash(
            gettext("Votre profil est effacé. Votre nom et vos contributions restent."), "success"
        )
    return redirect(url_for("interconnaissance.profile", slug=slug), 303)


# ----------------------------------------------------------------------------- who's who
@bp.get("/e/<slug>/a/<int:atelier_id>/qui")
def whoswho(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    actor = actor_for(event.id)
    if actor.participant is None and not actor.facilitates(atelier):
        return redirect(url_for("public.join", slug=slug, atelier=atelier.id))
    me = actor.participant
    return render_template(
        "interconnaissance/whoswho.html",
        event=event,
        atelier=atelier,
        participant=me,
        whoswho=profiles.whoswho(atelier),
        me_visible=bool(me and profiles.is_visible(me)),
    )


# ----------------------------------------------------------------------------- tour de table
@bp.get("/e/<slug>/a/<int:atelier_id>/tour-de-table")
def tour_projector(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    """The projector's view of the tour: public like the wall projector (visible people only)."""
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    return render_template(
        "interconnaissance/tour_projector.html",
        event=event,
        atelier=atelier,
        tour=tour.tour_state(atelier),
    )


@bp.get("/f/atelier/<int:atelier_id>/tour")
def tour_control(atelier_id: int):  # type: ignore[no-untyped-def]
    atelier = db.session.get(Atelier, atelier_id)
    if atelier is None:
        raise NotFound(gettext("Cet atelier n'existe pas."))
    require_facilitator(actor_for(atelier.event_id), atelier)
    return render_template(
        "interconnaissance/tour_control.html",
        event=atelier.event,
        atelier=atelier,
        tour=tour.tour_state(atelier),
        order=tour.tour_order(atelier),
        whoswho=profiles.whoswho(atelier),
        max_timer=tour.MAX_TIMER_SECONDS,
    )


# ----------------------------------------------------------------------------- matches
@bp.get("/e/<slug>/rencontres")
def matches(slug: str):  # type: ignore[no-untyped-def]
    event, me = _joined(slug)
    sent, received = contacts.requests_of(me)
    return render_template(
        "interconnaissance/matches.html",
        event=event,
        participant=me,
        me_visible=profiles.is_visible(me),
        matches=matching.matches_for(me),
        # « Moi aussi »: people interested in my pratiques, or whose pratiques interest me.
        interests=reactions.interest_suggestions(me) if profiles.is_visible(me) else [],
        asked={v.other.id: v for v in sent},
        asking={v.other.id: v for v in received},
        sent=sent,
        received=received,
    )


@bp.post("/e/<slug>/rencontres/demander")
def ask(slug: str):  # type: ignore[no-untyped-def]
    _, me = _joined(slug)
    try:
        contact = contacts.request_contact(me, request.form)
    except (ValidationError, NotFound) as exc:
        db.session.rollback()
        flash(exc.message if not exc.errors else " ".join(exc.errors.values()), "error")
    else:
        db.session.commit()
        if contact.status == contacts.ACCEPTED:
            flash(
                gettext("Vous vous êtes demandé·es mutuellement : vos contacts sont partagés."),
                "success",
            )
        else:
            flash(
                gettext("Demande envoyée. Le contact sera partagé si la personne accepte."),
                "success",
            )
    return redirect(url_for("interconnaissance.matches", slug=slug) + "#demandes", 303)


@bp.post("/e/<slug>/rencontres/<int:request_id>/repondre")
def reply(slug: str, request_id: int):  # type: ignore[no-untyped-def]
    _, me = _joined(slug)
    decision = request.form.get("decision", "")
    if decision not in ("accepter", "refuser"):
        flash(gettext("Choisissez « Accepter » ou « Refuser »."), "error")
        return redirect(url_for("interconnaissance.matches", slug=slug), 303)
    contacts.answer(me, request_id, decision == "accepter")  # Forbidden / NotFound: error page
    db.session.commit()
    flash(
        gettext("Mise en relation acceptée : vos contacts sont partagés.")
        if decision == "accepter"
        else gettext("Demande déclinée : aucun contact n'est partagé."),
        "success",
    )
    return redirect(url_for("interconnaissance.matches", slug=slug) + "#demandes", 303)


@bp.post("/e/<slug>/rencontres/<int:request_id>/annuler")
def cancel(slug: str, request_id: int):  # type: ignore[no-untyped-def]
    _, me = _joined(slug)
    contacts.cancel(me, request_id)  # Forbidden / NotFound: the app's French error page
    db.session.commit()
    flash(gettext("Demande annulée : vos contacts ne sont plus partagés."), "success")
    return redirect(url_for("interconnaissance.matches", slug=slug) + "#demandes", 303)


# ----------------------------------------------------------------------------- organizer
@organizer_bp.get("/acteurs")
def actors(slug: str):  # type: ignore[no-untyped-def]
    """Who came, from which kinds of structure, and the matches made (organizers; a 403 to
    anyone else, logged in or not)."""
    event = organizer_event(slug)
    data = actors_map(event)
    return render_template(
        "interconnaissance/actors.html",
        event=event,
        data=data,
        matched_pairs=len(matching.event_matches(event)),
    )


@organizer_bp.get("/acteurs.svg")
def actors_svg(slug: str):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    response = Response(actors_chart_svg(event), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def structure_kinds() -> dict[str, str]:
    """The fixed list of kinds of structure, for the profile forms (join and « Mon profil »)."""
    return profiles.STRUCTURE_KIND_LABELS
