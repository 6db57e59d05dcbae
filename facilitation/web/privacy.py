"""Personal data pages: a participant's « Mes données », the organizer's purge date.

* ``/e/<slug>/mes-donnees``: what is stored about this browser's identity in the event, its
  JSON download, and its deletion (then the identity is forgotten by this browser). After the
  commit the atelier rooms learn that the cards lost their author (or were deleted).
* ``/organisateur/e/<slug>/donnees``: the event's « purger après le » date, what the purge
  would remove now, and whether it already ran (``flask purge`` does the work).
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext

from facilitation.domain import chantiers, privacy
from facilitation.domain.errors import NotFound, ValidationError
from facilitation.domain.events import get_event
from facilitation.edge.identity import SESSION_KEY, actor_for, participant_for
from facilitation.edge.sqlite import scrub_deleted
from facilitation.extensions import db
from facilitation.models import Contribution, Event, Participant
from facilitation.push import cards
from facilitation.push import photos as photo_push
from facilitation.push import reactions as reactions_push
from facilitation.push.interconnaissance import notify_whoswho
from facilitation.web.guards import EVENT_PREFIX, login_required, organizer_event

#: The participant's « Mes données ».
bp = Blueprint("privacy", __name__)
#: The organizer's purge date, under the event's organizer prefix.
organizer_bp = Blueprint("privacy_organizer", __name__, url_prefix=EVENT_PREFIX)


# ----------------------------------------------------------------------------- participant
def _forget_in_this_browser(event: Event) -> None:
    ids = session.get(SESSION_KEY)
    if isinstance(ids, dict) and str(event.id) in ids:
        ids = dict(ids)
        ids.pop(str(event.id), None)
        session[SESSION_KEY] = ids


def _me(event: Event) -> Participant | None:
    """This browser's participant, unless their data was already deleted."""
    me = participant_for(event.id)
    if me is None or not (me.display_name or me.structure):
        return None
    return me


@bp.get("/e/<slug>/mes-donnees")
def mine(slug: str):  # type: ignore[no-untyped-def]
    event = get_event(slug)
    me = _me(event)
    return render_template(
        "privacy/mine.html",
        event=event,
        participant=me,
        data=privacy.my_data(me) if me is not None else None,
        deletable=len(privacy.deletable_cards(me)) if me is not None else 0,
    )


@bp.get("/e/<slug>/mes-donnees.json")
def download(slug: str):  # type: ignore[no-untyped-def]
    event = get_event(slug)
    me = _me(event)
    if me is None:
        raise NotFound(gettext("Aucune donnée n'est associée à cet appareil pour cet événement."))
    body = {"event": {"slug": event.slug, "title": event.title}, **privacy.my_data(me)}
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="mes-donnees-{event.slug}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/e/<slug>/mes-donnees/supprimer")
def delete(slug: str):  # type: ignore[no-untyped-def]
    event = get_event(slug)
    me = _me(event)
    if me is None:
        _forget_in_this_browser(event)
        return redirect(url_for("public.event", slug=slug), 303)
    if request.form.get("confirm") != "1":
        flash(gettext("Cochez la case de confirmation pour supprimer vos données."), "error")
        return redirect(url_for("privacy.mine", slug=slug), 303)
    atelier_id = me.current_atelier_id
    done = privacy.forget_participant(me, delete_cards=request.form.get("cards") == "delete")
    db.session.commit()
    scrub_deleted(db.engine, tuple(db.metadata.tables))
    _forget_in_this_browser(event)
    _broadcast(done, atelier_id)
    flash(
        gettext("Vos données personnelles sont supprimées et cet appareil ne vous reconnaît plus."),
        "success",
    )
    return redirect(url_for("public.event", slug=slug), 303)


def _broadcast(done: privacy.Forgotten, atelier_id: int | None) -> None:
    """After the commit: the walls drop the author's name, or the deleted cards."""
    # First: the photos were deleted first (their versions come before the cards').
    for room_atelier, photo, version in done.photos:
        photo_push.photos_removed(room_atelier, version, [photo])
    for card_id, version in done.anonymised:
        card = db.session.get(Contribution, card_id)
        if card is not None:
            cards.card_changed(card, version)
    for room_atelier, card_id, version in done.deleted:
        cards.card_removed(room_atelier, version, card_id, "withdrawn")
    for card_id, version in done.chantiers:
        card = db.session.get(Contribution, card_id)
        if card is not None:
            cards.chantier_updated(card.atelier_id, version, chantiers.chantier_view(card))
    notify_whoswho(atelier_id, *done.whoswho)
    for reacted_atelier in sorted(done.reactions):
        reactions_push.changed(reacted_atelier)


# ----------------------------------------------------------------------------- organizer
@organizer_bp.route("/donnees", methods=["GET", "POST"])
@login_required
def purge(slug: str):  # type: ignore[no-untyped-def]
    """Schedule the purge of the event's personal data; see what it would remove."""
    event = organizer_event(slug)
    actor = actor_for(event.id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            when = privacy.schedule_purge(actor, event, request.form.get("purge_after", ""))
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            if when is None:
                flash(gettext("Aucune purge n'est plus prévue."), "success")
            else:
                flash(
                    gettext(
                        "Purge des données personnelles prévue après le %(date)s.",
                        date=when.strftime("%d/%m/%Y"),
                    ),
                    "success",
                )
            return redirect(url_for("privacy_organizer.purge", slug=slug), 303)
    return render_template(
        "privacy/organizer.html",
        event=event,
        settings=privacy.privacy_of(event),
        summary=privacy.plan_purge(event),
        labels=_summary_labels(),
        errors=errors,
        form=request.form if request.method == "POST" else {},
    ), (422 if errors else 200)


def _summary_labels() -> dict[str, Any]:
    return {
        "participants": gettext("participant·es anonymisé·es (nom, structure, commune)"),
        "expected": gettext("personnes attendues supprimées (liste importée)"),
        "profiles": gettext("profils supprimés"),
        "contact_requests": gettext("demandes de mise en relation supprimées"),
        "card_authors": gettext("cartes détachées de leur auteur·rice (texte gardé)"),
        "card_places": gettext(
            "cartes dont la structure ou la commune, citée par moins de 2 participant·es, est effacée"
        ),
        "figure_names": gettext(
            "structures ou communes citées une fois retirées des chiffres conservés"
        ),
        "chantier_additions": gettext("ajouts aux chantiers détachés de leur auteur·rice"),
        "chantier_comments": gettext("commentaires de chantiers détachés de leur auteur·rice"),
        "engagement_contacts": gettext("coordonnées d'engagement effacées"),
        "tours": gettext("tours de table supprimés (ordre de parole)"),
        "scribe_labels": gettext("libellés de saisie de votes renommés"),
        "facilitator_links": gettext("liens d'animation révoqués et anonymisés"),
        "facilitator_names": gettext("noms d'animateur·rices effacés des ateliers"),
        "audit_labels": gettext("noms effacés de l'historique des phases"),
        "synthesis_authors": gettext("noms effacés des synthèses"),
        "consolidation_authors": gettext("noms effacés des consolidations de chantiers"),
    }


@bp.app_context_processor
def _templates() -> dict[str, Any]:
    """``privacy_settings(event)`` for the organizer pages (régie, my events)."""
    return {"privacy_settings": privacy.privacy_of}
