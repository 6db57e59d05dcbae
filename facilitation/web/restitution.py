"""The restitution: the organizers' page, downloads, the plenary slides, the published page.

Every page reads ``domain.restitution.restitution`` at request time (no cache): what the
slides show at 15h45 is what the database holds at 15h45. Who may see what:

* the restitution page, downloads, slides and presenter notes: the event's organizers and
  facilitators holding an event-wide link (``guards.event_viewer``);
* a synthesis: the facilitators of that atelier (any link covering it) and organizers;
* slide order, hidden slides, publication, the plenary vote's settings: organizers only
  (``guards.organizer_event``: forms posted from the restitution page, a 403 otherwise);
* the published page (``/r/<token>``): anyone with the link, ``public`` audience (no names,
  no contacts), until the organizer unpublishes it.
"""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from facilitation.domain import plenary
from facilitation.domain import restitution as domain
from facilitation.domain.access import require_facilitator
from facilitation.domain.errors import DomainError, ValidationError
from facilitation.domain.events import get_atelier, get_event
from facilitation.domain.validation import as_id, as_int
from facilitation.edge.identity import actor_for, participant_for
from facilitation.exports import FORMATS, download_name, render
from facilitation.exports.charts import BarChart, all_charts, to_svg
from facilitation.exports.cloud import to_svg as cloud_svg
from facilitation.exports.common import date_fr
from facilitation.extensions import db
from facilitation.models import Atelier, Event, Round
from facilitation.push import round_state
from facilitation.web.guards import EVENT_PREFIX, event_viewer, organizer_event
from facilitation.web.urls import public_url

#: The organizers' side, under the event's organizer prefix.
bp = Blueprint("restitution", __name__, url_prefix=EVENT_PREFIX)
#: What participants open: the plenary vote on their phone, the published restitution.
public_bp = Blueprint("restitution_public", __name__)


def _no_store(response: Response) -> Response:
    # Live data, sometimes personal: never kept by a browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _public_vote_url(event: Event) -> str:
    return public_url("restitution_public.vote", slug=event.slug)


def _with_cloud_pictures(model: dict[str, Any]) -> dict[str, Any]:
    """Each « en un mot » cloud of the model gets its SVG (``svg``, built escaped in Python)
    for the templates; the exports read the model without it."""
    for atelier in domain.ateliers(model):
        for cloud in atelier.get("clouds", []):
            cloud["svg"] = cloud_svg(cloud)
    return model


def _charts(model: dict[str, Any]) -> list[dict[str, Any]]:
    charts = [_localized(c) for c in all_charts(model)]
    return [{"key": c.key, "title": c.title, "svg": to_svg(c)} for c in charts]


@bp.get("/restitution")
def page(slug: str):  # type: ignore[no-untyped-def]
    event, actor = event_viewer(slug)
    model = _with_cloud_pictures(domain.restitution(event))
    settings = domain.settings_for(event)
    published = (
        public_url("restitution_public.public", token=settings.public_token)
        if settings is not None and settings.public_token
        else None
    )
    response = Response(
        render_template(
            "restitution/page.html",
            event=event,
            model=model,
            charts=_charts(model),
            formats=FORMATS,
            slides=domain.slides(model, settings),
            is_organizer=actor.is_organizer,
            can_write={a["id"] for a in domain.ateliers(model) if _facilitates(actor, a["id"])},
            public_url=published,
            top=domain.top,
            synthesis_max=domain.SYNTHESIS_MAX_LENGTH,
            plenary=plenary.state(event),
            vote_url=_public_vote_url(event),
        )
    )
    return _no_store(response)


def _facilitates(actor: Any, atelier_id: int) -> bool:
    atelier = db.session.get(Atelier, atelier_id)
    return atelier is not None and actor.facilitates(atelier)


@bp.get("/restitution/export", defaults={"fmt": None})
@bp.get("/restitution/export.<fmt>")
def download(slug: str, fmt: str | None):  # type: ignore[no-untyped-def]
    """Any format, any time; ``?atelier=ID`` for one atelier, ``?csv=plain`` for plain CSV.

    ``/export?format=…`` is the same download for the page's form (a select picks the format).
    """
    event, _actor = event_viewer(slug)
    fmt = fmt or request.args.get("format", "")
    if fmt not in FORMATS:
        abort(404)
    atelier_id = as_id(request.args.get("atelier"))
    model = domain.restitution(event, domain.Audience.ORGANIZER, atelier_id=atelier_id)
    options = {"dialect": "plain"} if fmt == "csv" and request.args.get("csv") == "plain" else {}
    spec = FORMATS[fmt]
    response = Response(render(model, fmt, **options), mimetype=spec.mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{download_name(model, fmt, **options)}"'
    )
    return _no_store(response)


# ------------------------------------------------------------------------- synthesis
@bp.route("/a/<int:atelier_id>/synthese", methods=["GET", "POST"])
def synthesis(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    """« Ce qu'il faut retenir » of one atelier: its facilitators (any link) and organizers."""
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    actor = actor_for(event.id)
    require_facilitator(actor, atelier)
    errors: dict[str, str] = {}
    text = domain.synthesis_text(atelier)
    back = request.values.get("retour") == "restitution" and domain.can_view(actor, event)
    if request.method == "POST":
        text = request.form.get("text", "")
        try:
            domain.save_synthesis(actor, atelier, text)
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(
                gettext("Synthèse enregistrée pour « %(title)s ».", title=atelier.title), "success"
            )
            if back:
                return redirect(
                    url_for("restitution.page", slug=slug, _anchor=f"atelier-{atelier.id}"), 303
                )
            return redirect(url_for("restitution.synthesis", slug=slug, atelier_id=atelier.id), 303)
    return render_template(
        "restitution/synthesis.html",
        event=event,
        atelier=atelier,
        text=text,
        errors=errors,
        synthesis_max=domain.SYNTHESIS_MAX_LENGTH,
        can_view=domain.can_view(actor, event),
    ), (422 if errors else 200)


# ------------------------------------------------------------------------- slides settings
@bp.post("/restitution/diapositives")
def slide_settings(slug: str):  # type: ignore[no-untyped-def]
    """Move a slide up or down, hide or show it (organizers)."""
    event = organizer_event(slug)
    key = request.form.get("key", "")
    action = request.form.get("action", "")
    model = domain.restitution(event)
    if action in ("monter", "descendre"):
        domain.move_slide(event, model, key, -1 if action == "monter" else 1)
    elif action in ("masquer", "afficher"):
        domain.set_hidden(event, model, key, action == "masquer")
    else:
        abort(400)
    db.session.commit()
    return redirect(url_for("restitution.page", slug=slug, _anchor=f"slide-{key}"), 303)


@bp.post("/restitution/publication")
def publication(slug: str):  # type: ignore[no-untyped-def]
    event = organizer_event(slug)
    if request.form.get("action") == "publier":
        domain.publish(event)
        message = gettext("Restitution publiée : envoyez le lien aux participant·es.")
    else:
        domain.unpublish(event)
        message = gettext("Restitution dépubliée : l'ancien lien ne fonctionne plus.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("restitution.page", slug=slug, _anchor="publication"), 303)


# ------------------------------------------------------------------------- plenary
def _deck(event: Event, audience: domain.Audience) -> dict[str, Any]:
    model = _with_cloud_pictures(domain.restitution(event, audience))
    by_id = {a["id"]: a for a in domain.ateliers(model)}
    perspectives = sorted(
        (c for a in domain.ateliers(model) for c in a["contributions"] if c["kind"] == "chantier"),
        key=lambda c: (-c["dots"], c["created_at"]),
    )[:6]
    vote_state = plenary.state(event)
    # A slide with nothing to say is not projected (issue 16: « Ce qu'il faut retenir » with
    # only « s'afficheront ici dès qu'elles seront écrites » in front of the plenary).
    empty: set[str] = set()
    if not any(a["synthesis"] for a in by_id.values()):
        empty.add("synthese")
    if not vote_state["items"] and not perspectives:
        empty.add("perspectives")
    slides = [
        s
        for s in domain.slides(model, domain.settings_for(event))
        if not s.hidden and s.kind not in empty
    ]
    charts = {c.key: to_svg(_localized(c)) for c in all_charts(model)}
    deck = {
        "plenary": vote_state,
        "vote_url": _public_vote_url(event),
        # Poll faster while the room votes: the result builds up on the slide.
        "refresh": 4 if vote_state["open"] else 20,
        "event": event,
        "model": model,
        "slides": slides,
        "ateliers": by_id,
        "perspectives": perspectives,
        "charts": charts,
        "top": domain.top,
        "date_text": date_fr(model["event"]["date"]),
        "sequence_of": {
            a["id"]: sequence["title"]
            for sequence in model["sequences"]
            for a in sequence["ateliers"]
        },
    }
    return {**deck, "deck": deck}


@bp.get("/restitution/presentation")
def presentation(slug: str):  # type: ignore[no-untyped-def]
    """Full-screen slides for the plenary screen (public audience: no names, no contacts)."""
    event, _actor = event_viewer(slug)
    return _no_store(
        Response(render_template("restitution/slides.html", **_deck(event, domain.Audience.PUBLIC)))
    )


@bp.get("/restitution/notes")
def notes(slug: str):  # type: ignore[no-untyped-def]
    """Presenter notes, in a second window that follows the slides (BroadcastChannel)."""
    event, _actor = event_viewer(slug)
    return _no_store(
        Response(
            render_template("restitution/notes.html", **_deck(event, domain.Audience.ORGANIZER))
        )
    )


# ------------------------------------------------------------------------- plenary vote
@bp.post("/restitution/perspectives")
def plenary_settings(slug: str):  # type: ignore[no-untyped-def]
    """Shortlist chantiers, open or close the plenary vote (organizers)."""
    event = organizer_event(slug)
    actor = actor_for(event.id)
    action = request.form.get("action", "")
    # Opening and closing are round moves of the plenary atelier (domain.plenary): its phones
    # switch phase banner and ballot together once the move is committed.
    moved: tuple[Round, int | None] | None = None
    try:
        if action == "selection":
            chosen = plenary.set_shortlist(event, request.form.getlist("chantiers"))
            message = gettext("%(count)s chantier(s) soumis au vote.", count=len(chosen))
        elif action == "ouvrir":
            dots = as_int(request.form.get("dots")) or plenary.DEFAULT_DOTS
            moved = plenary.open_vote(actor, event, dots)
            message = gettext("Vote ouvert : les téléphones peuvent placer leurs points.")
        elif action == "clore":
            moved = plenary.close_vote(actor, event)
            message = gettext("Vote clos : le résultat est affiché.")
        else:
            abort(400)
    except DomainError as exc:
        db.session.rollback()
        flash(" ".join(exc.errors.values()) or exc.message, "error")
        return redirect(url_for("restitution.page", slug=slug, _anchor="vote-pleniere"), 303)
    db.session.commit()
    if moved is not None:
        rnd, version = moved
        if version is not None:
            # round:changed, then vote:changed at once (round_state flushes the ballot).
            round_state.round_changed(rnd.atelier, rnd, version)
    flash(message, "success")
    return redirect(url_for("restitution.page", slug=slug, _anchor="vote-pleniere"), 303)


@public_bp.route("/e/<slug>/perspectives", methods=["GET", "POST"])
def vote(slug: str):  # type: ignore[no-untyped-def]
    """The phones' page of the plenary vote: plain forms, "my points are now N" (safe to retry)."""
    event = get_event(slug)
    participant = participant_for(event.id)
    if participant is None:
        return redirect(url_for("public.join", slug=slug), 303 if request.method == "POST" else 302)
    if request.method == "POST":
        try:
            plenary.place_dots(
                participant, event, request.form.get("card_id"), request.form.get("count")
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
        return redirect(url_for("restitution_public.vote", slug=slug), 303)
    return _no_store(
        Response(
            render_template(
                "restitution/vote.html",
                event=event,
                state=plenary.state(event, participant),
            )
        )
    )


@public_bp.get("/e/<slug>/perspectives/qr.svg")
def vote_qr(slug: str):  # type: ignore[no-untyped-def]
    event = get_event(slug)
    buffer = io.BytesIO()
    segno.make(public_url("restitution_public.vote", slug=event.slug), error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=False, title="QR code du vote en plénière"
    )
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.app_template_filter("slide_title")
def slide_title(slide: Any) -> str:
    """A slide's title in the page's language (the domain names its fixed slides in French)."""
    title = slide["title"] if isinstance(slide, dict) else slide.title
    kind = slide["kind"] if isinstance(slide, dict) else slide.kind
    prefix = "Chantiers — "
    if kind == "chantiers" and title.startswith(prefix):
        return gettext("Chantiers — %(title)s", title=title[len(prefix) :])
    if kind in ("figures", "synthese", "perspectives"):
        return gettext(title)
    return title


def _localized(chart: BarChart) -> BarChart:
    """The chart's own words (title, unit, empty text) in the page's language."""
    return replace(
        chart,
        title=gettext(chart.title),
        unit=(
            gettext(chart.unit[0]) if chart.unit[0] else "",
            gettext(chart.unit[1]) if chart.unit[1] else "",
        ),
        empty_text=gettext(chart.empty_text),
    )


# ------------------------------------------------------------------------- published page
@public_bp.get("/r/<token>")
def public(token: str):  # type: ignore[no-untyped-def]
    """The read-only restitution sent to participants: no personal data."""
    event = domain.published_event(token)
    model = _with_cloud_pictures(domain.restitution(event, domain.Audience.PUBLIC))
    response = Response(
        render_template(
            "restitution/public.html",
            event=event,
            model=model,
            charts=_charts(model),
            top=domain.top,
        )
    )
    # Unpublishing must take effect at once: no shared cache keeps the page.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
