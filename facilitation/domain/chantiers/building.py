"""Proposing a chantier and building it together: participants add to its fields and comment,
the facilitator consolidates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from facilitation.domain.access import Actor, require_facilitator, require_participant_in
from facilitation.domain.chantiers.card import (
    bump_versions,
    check_open,
    check_visible,
    ensure_detail,
)
from facilitation.domain.chantiers.fields import (
    ADDITION,
    COMMENT,
    NOT_A_CHANTIER_ATELIER,
    STRUCTURE,
    TEXT_FIELD_NAMES,
    TEXT_FIELDS,
    TITRE,
    clean_communes,
    clean_pratiques,
)
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import Forbidden, ValidationError
from facilitation.domain.events import contribution_kind
from facilitation.domain.once import add_once
from facilitation.domain.phases import check_open_for_contributions
from facilitation.domain.validation import clean, clean_partial, client_id
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    ChantierAddition,
    ChantierComment,
    ChantierDetail,
    Contribution,
    Participant,
)
from facilitation.models.base import utcnow


def _list_value(data: Mapping[str, Any], key: str) -> Any:
    """A list from JSON, or every value of a repeated HTML form key (a ``MultiDict``)."""
    getlist = getattr(data, "getlist", None)
    if getlist is not None:
        return getlist(key)
    return data.get(key)


def create_chantier(
    actor: Actor, atelier: Atelier, data: Mapping[str, Any]
) -> tuple[Contribution, int | None]:
    """Post a chantier card with its fields, once per client id.

    Returns ``(card, version)``; ``version`` is ``None`` for a retry of a stored post.
    Raises ``ValidationError`` with every field error at once.
    """
    if not isinstance(data, Mapping):
        raise ValidationError(gettext("Requête invalide : un objet était attendu."))
    cid = client_id(data.get("client_id"))
    author = require_participant_in(actor, atelier)
    check_open(atelier)
    if contribution_kind(atelier.sequence) != "chantier":
        raise Forbidden(NOT_A_CHANTIER_ATELIER)
    existing = _card_by_client_id(author.id, cid)
    if existing is not None:
        return existing, None
    event = atelier.event
    values, errors = clean_partial(data, (TITRE, STRUCTURE, *TEXT_FIELDS))
    communes: list[str] = []
    pratiques: list[Contribution] = []
    try:
        communes = clean_communes(_list_value(data, "communes"), event)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        pratiques = clean_pratiques(_list_value(data, "pratique_ids"), event)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors=errors)
    rnd = check_open_for_contributions(atelier)
    card = Contribution(
        atelier_id=atelier.id,
        # Like any card: only while the round takes contributions (after the retry lookup,
        # so a chantier stored just before the round closed still gets its ack).
        round_id=rnd.id,
        # An anonymous round's promise holds for chantiers too (no approval queue: a chantier
        # is built in the open, with its engagements).
        anonymous=rnd.anonymous,
        participant_id=author.id,
        client_id=cid,
        kind="chantier",
        titre=values.pop("titre"),
        structure=values.pop("structure"),
    )
    try:
        with db.session.begin_nested():
            db.session.add(card)
            db.session.flush()
            db.session.add(
                ChantierDetail(
                    contribution_id=card.id,
                    communes=communes,
                    consolidated={},
                    pratiques=pratiques,
                    **values,
                )
            )
    except IntegrityError:
        # A concurrent retry of the same post won the race: answer with its card.
        existing = _card_by_client_id(author.id, cid)
        if existing is None:
            raise
        return existing, None
    return card, bump_version(atelier.id)


def _card_by_client_id(participant_id: int, cid: str) -> Contribution | None:
    return db.session.scalar(
        select(Contribution).where(
            Contribution.participant_id == participant_id, Contribution.client_id == cid
        )
    )


# ------------------------------------------------------------------------------ co-building
def _co_author(
    actor: Actor, card: Contribution, data: Mapping[str, Any]
) -> tuple[Participant, str]:
    """Who adds to the chantier, and the write's client id: a participant in its atelier, while
    the atelier is open, on a chantier they may see (checked in that order)."""
    cid = client_id(data.get("client_id"))
    author = require_participant_in(actor, card.atelier)
    check_open(card.atelier)
    check_visible(actor, card)
    return author, cid


def add_to_field(
    actor: Actor, card: Contribution, data: Mapping[str, Any]
) -> tuple[ChantierAddition, int | None]:
    """A participant of the atelier adds text to one field; the addition keeps its author."""
    author, cid = _co_author(actor, card, data)
    field = data.get("field")
    if field not in TEXT_FIELD_NAMES:
        raise ValidationError(errors={"field": gettext("Choisissez la rubrique à compléter.")})
    text = clean(data, (ADDITION,))["text"]
    return _store_once(
        ChantierAddition,
        card,
        author,
        cid,
        lambda: ChantierAddition(
            chantier_id=card.id, field=field, text=text, participant_id=author.id, client_id=cid
        ),
    )


def add_comment(
    actor: Actor, card: Contribution, data: Mapping[str, Any]
) -> tuple[ChantierComment, int | None]:
    """A participant of the atelier comments on the chantier."""
    author, cid = _co_author(actor, card, data)
    text = clean(data, (COMMENT,))["text"]
    return _store_once(
        ChantierComment,
        card,
        author,
        cid,
        lambda: ChantierComment(
            chantier_id=card.id, text=text, participant_id=author.id, client_id=cid
        ),
    )


def _store_once(model: Any, card: Contribution, author: Participant, cid: str, make: Any) -> Any:
    """Insert ``make()`` unless ``(author, cid)`` is stored already (a retry)."""

    def existing() -> Any:
        return db.session.scalar(
            select(model).where(model.participant_id == author.id, model.client_id == cid)
        )

    found = existing()
    if found is not None:
        return found, None
    ensure_detail(card)
    row, created = add_once(make(), existing)
    return row, (bump_versions(card) if created else None)


def consolidate(actor: Actor, card: Contribution, data: Mapping[str, Any]) -> int | None:
    """The facilitator replaces a field's text (or the communes / pratiques / titre).

    A "set", so a retry is harmless: setting the current value changes nothing and returns
    ``None``. Additions stay in the history; ``consolidated`` records when and by whom.
    """
    client_id(data.get("client_id"))
    require_facilitator(actor, card.atelier)
    check_open(card.atelier)
    detail = ensure_detail(card)
    field = data.get("field")
    event = card.atelier.event
    changed: bool
    if field == "titre":
        value = clean({"titre": data.get("text")}, (TITRE,))["titre"]
        changed = value != card.titre
        card.titre = value
    elif field in TEXT_FIELD_NAMES:
        spec = next(f for f in TEXT_FIELDS if f.name == field)
        value = clean({field: data.get("text")}, (spec,))[field]
        changed = value != getattr(detail, field)
        setattr(detail, field, value)
    elif field == "communes":
        communes = clean_communes(data.get("values"), event)
        changed = communes != list(detail.communes or [])
        detail.communes = communes
    elif field == "pratique_ids":
        pratiques = clean_pratiques(data.get("values"), event)
        changed = [p.id for p in pratiques] != [p.id for p in detail.pratiques]
        detail.pratiques = pratiques
    else:
        raise ValidationError(errors={"field": gettext("Choisissez la rubrique à consolider.")})
    if not changed:
        return None
    by = _actor_name(actor)
    # A new dict: in-place changes to a JSON column are not tracked.
    detail.consolidated = {
        **(detail.consolidated or {}),
        field: {"at": utcnow().isoformat(), "by": by},
    }
    db.session.flush()
    return bump_versions(card)


def _actor_name(actor: Actor) -> str:
    if actor.organizer is not None and actor.is_organizer:
        return actor.organizer.display_name or "L'équipe organisatrice"
    for link in actor.links:
        if link.label:
            return link.label
    return "L'animation"
