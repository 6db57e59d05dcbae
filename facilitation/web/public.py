"""The participant's pages and the atelier's projector view."""

from __future__ import annotations

import io
import uuid
from urllib.parse import urlsplit

import segno
from flask import Blueprint, Response, redirect, render_template, request, url_for

from facilitation.domain import control, participants, photos, profiles
from facilitation.domain.contributions import create_contribution, wall
from facilitation.domain.errors import Closed, NotFound, NotJoined, ValidationError
from facilitation.domain.events import (
    atelier_groups,
    contribution_kind,
    find_event_by_code,
    get_atelier,
    get_event,
    listed_events,
)
from facilitation.domain.snapshot import contribution_dict
from facilitation.edge.identity import participant_for, remember
from facilitation.edge.ratelimit import limit_join
from facilitation.extensions import db
from facilitation.models.contribution import CardStatus
from facilitation.push import approval as approval_push
from facilitation.push import cards
from facilitation.push.interconnaissance import notify_whoswho, whoswho_counts_changed
from facilitation.web.csrf import body_limit
from facilitation.web.photos import PHOTO_BODY, allow_projector, attach_form_photo
from facilitation.web.urls import public_url
from facilitation.web.wall import wall_page

bp = Blueprint("public", __name__)

#: Host names a phone in the room cannot reach: the projector warns the facilitator.
#: (0.0.0.0 is what a laptop shows after ``HOST=0.0.0.0 make run``.)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})

CONTRIBUTION_FORM_KEYS = ("titre", "description", "structure", "commune", "public_concerne")


@bp.route("/", methods=["GET", "POST"])
def home():  # type: ignore[no-untyped-def]
    code = request.form.get("code", "") if request.method == "POST" else ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            event = find_event_by_code(code)
        except NotFound as exc:
            errors["code"] = exc.message
        else:
            return redirect(url_for("public.join", slug=event.slug), 303)
    status = 422 if errors else 200
    return render_template(
        "public/home.html", code=code, errors=errors, events=listed_events()
    ), status


@bp.get("/e/<slug>/")
def event(slug: str):  # type: ignore[no-untyped-def]
    event = get_event(slug)
    participant = participant_for(event.id)
    current, following = control.current_and_next(event)
    return render_template(
        "public/event.html",
        event=event,
        programme=event.sequences,
        participant=participant,
        # What is happening now and the participant's next step (moved on by the organizers).
        current_sequence=current,
        next_sequence=following,
        next_step=control.next_step(event, participant),
    )


@bp.route("/e/<slug>/rejoindre", methods=["GET", "POST"])
@limit_join
def join(slug: str):  # type: ignore[no-untyped-def]
    event = get_event(slug)
    participant = participant_for(event.id)
    errors: dict[str, str] = {}
    status = 422
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("display_name", "structure", "commune")}
        form["atelier_id"] = request.form.get("atelier_id", "")
        form["consent"] = request.form.get("consent", "")
        previous_atelier_id = participant.current_atelier_id if participant else None
        # Names in the who's who change (a profile given now, or one shown before): told at once.
        shows_in_whoswho = profiles.has_profile_input(request.form) or (
            participant is not None and profiles.is_visible(participant)
        )
        try:
            participant = participants.join(event, request.form, participant)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        except Closed as exc:
            # Shown in the form's error summary: what was typed stays in the form.
            db.session.rollback()
            errors = {"event": exc.message}
            status = 409
        else:
            db.session.commit()
            remember(participant)
            if shows_in_whoswho:
                notify_whoswho(previous_atelier_id, participant.current_atelier_id)
            else:
                # Only a count changed: coalesced, not one message to the whole room per join.
                whoswho_counts_changed(previous_atelier_id, participant.current_atelier_id)
            return redirect(
                url_for("public.wall", slug=slug, atelier_id=participant.current_atelier_id), 303
            )
    else:
        form = {
            "display_name": participant.display_name if participant else "",
            "structure": participant.structure if participant else "",
            "commune": participant.commune if participant else "",
            "atelier_id": request.args.get("atelier")
            or (participant.current_atelier_id if participant else ""),
            "consent": "on" if participant else "",
        }
    return render_template(
        "public/join.html",
        event=event,
        groups=atelier_groups(event),
        communes=list(event.communes or []),
        form={k: str(v) if v is not None else "" for k, v in form.items()},
        errors=errors,
        participant=participant,
    ), (status if errors else 200)


@bp.get("/e/<slug>/a/<int:atelier_id>", endpoint="wall")
def wall_view(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    participant = participant_for(event.id)
    if participant is None or participant.current_atelier_id != atelier.id:
        return redirect(url_for("public.join", slug=slug, atelier=atelier.id))
    form = dict.fromkeys(CONTRIBUTION_FORM_KEYS, "")
    form["structure"] = participant.structure
    form["commune"] = participant.commune
    return wall_page(event, atelier, form, {}, uuid.uuid4().hex)


@bp.post("/e/<slug>/a/<int:atelier_id>/contributions")
@body_limit(PHOTO_BODY)
def post_contribution(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    """The same write as the socket event, for a phone whose scripts did not load."""
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    participant = participant_for(event.id)
    form = {k: request.form.get(k, "") for k in CONTRIBUTION_FORM_KEYS}
    cid = request.form.get("client_id", "")
    try:
        card, version = create_contribution(participant, atelier, request.form)
    except NotJoined:
        db.session.rollback()
        return redirect(url_for("public.join", slug=slug, atelier=atelier.id), 303)
    except ValidationError as exc:
        db.session.rollback()
        if "client_id" in exc.errors:
            cid = uuid.uuid4().hex
        return wall_page(event, atelier, form, exc.errors, cid), 422
    except Closed as exc:
        db.session.rollback()
        return wall_page(event, atelier, form, {"event": exc.message}, cid), 409
    data = contribution_dict(card)
    waiting = card.status != CardStatus.ACCEPTED
    db.session.commit()
    if version is not None:
        cards.contribution_created(atelier.id, version, data)
    elif waiting:
        approval_push.queued(card)
    attach_form_photo(event, atelier, card.client_id)
    return redirect(url_for("public.wall", slug=slug, atelier_id=atelier.id), 303)


@bp.get("/e/<slug>/a/<int:atelier_id>/projecteur")
def projector(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    """Read-only view for the room's screen: no participant cookie needed."""
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    # The projector shows the atelier's photos: this browser may now fetch them.
    allow_projector(atelier.id)
    join_url = public_url("public.join", slug=slug, atelier=atelier.id)
    return render_template(
        "public/projector.html",
        event=event,
        atelier=atelier,
        contributions=photos.with_photos([contribution_dict(c) for c in wall(atelier)]),
        paperboards=[photos.photo_dict(p) for p in photos.paperboards(atelier)],
        version=atelier.version,
        kind=contribution_kind(atelier.sequence),
        join_url=join_url,
        loopback=urlsplit(join_url).hostname in LOOPBACK_HOSTS,
        # Short enough to be typed from the back of the room, with the event's code.
        home_url=public_url("public.home"),
    )


@bp.get("/e/<slug>/a/<int:atelier_id>/qr.svg")
def qr(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    buffer = io.BytesIO()
    segno.make(public_url("public.join", slug=slug, atelier=atelier.id), error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=False, title="QR code de l'atelier"
    )
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
