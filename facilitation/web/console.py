"""The facilitator's pages: the secret link, the ateliers it opens, the console of one atelier.

The pages are server-rendered and work as a read-out without JavaScript; the controls
(rounds, moderation, announcements) are Socket.IO events sent by static/js/console.js,
authorised on the server like every event.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext

from facilitation.domain import access, approval, control, photos
from facilitation.domain.access import require_facilitator
from facilitation.domain.contributions import wall
from facilitation.domain.errors import Forbidden
from facilitation.domain.events import contribution_kind, get_atelier, get_event
from facilitation.domain.moderation import categories, merged_cards
from facilitation.domain.phases import current_round, round_dict
from facilitation.domain.snapshot import contribution_dict, queue_dict
from facilitation.edge.identity import actor_for, remember_facilitator_link

bp = Blueprint("facilitation", __name__)


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
        contributions=photos.with_photos(
            [contribution_dict(c, merged.get(c.id, ())) for c in cards], include_hidden=True
        ),
        # « Validation des cartes »: the cards waiting for a decision (anonymised as any card).
        queue=[queue_dict(c) for c in approval.queue(atelier)],
        categories=categories(atelier),
        round=round_dict(rnd) if rnd else None,
        version=atelier.version,
        kind=contribution_kind(atelier.sequence),
        # Photos (issue 19.3): hidden ones too, to show them again.
        paperboards=[
            photos.photo_dict(p) for p in photos.paperboards(atelier, include_hidden=True)
        ],
        card_photos=[
            photos.photo_dict(p)
            for p in photos.card_photos([c.id for c in cards], include_hidden=True).values()
        ],
        upload_client_id=uuid.uuid4().hex,
    )
