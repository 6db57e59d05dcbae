"""Chantiers intercommunaux: structured fields, co-building, « Je m'engage ».

A chantier is a ``Contribution`` of kind ``chantier`` with a ``ChantierDetail`` beside it.
Every write here is idempotent (a client-made id, or a "set" that is safe to repeat), bumps
the atelier's version and the chantier's own version in the same transaction, and returns the
new atelier version, or ``None`` when nothing changed (so the caller broadcasts nothing).

Privacy: the public read model (``chantier_view``), which is broadcast to the atelier room,
never holds an engagement's contact. Contacts are read with ``engagement_contacts``, only by
the event's organizers and the chantier's porteur (the participant who proposed it), and only
when the person consented.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from facilitation.domain.access import Actor, require_facilitator, require_participant_in
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import Closed, Forbidden, NotFound, NotJoined, ValidationError
from facilitation.domain.events import contribution_kind
from facilitation.domain.once import add_once
from facilitation.domain.phases import check_open_for_contributions
from facilitation.domain.validation import (
    N_,
    TextField,
    clean,
    clean_partial,
    client_id,
    integer_id,
)
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    ChantierAddition,
    ChantierComment,
    ChantierDetail,
    Contribution,
    Engagement,
    Event,
    Participant,
)
from facilitation.models.base import utcnow

TITRE = TextField("titre", N_("Titre du chantier"), 120, required=True)
#: The chantier's text fields, in the order of the form. Participants add to these.
TEXT_FIELDS = (
    TextField("constat", N_("Constat / problème"), 2000, multiline=True),
    TextField("objectif", N_("Objectif"), 1000, multiline=True),
    TextField("publics", N_("Publics visés"), 300),
    TextField("partenaires", N_("Partenaires à mobiliser"), 1000, multiline=True),
    TextField("etapes", N_("Premières étapes"), 1000, multiline=True),
    TextField("porteur", N_("Porteur pressenti"), 200),
)
TEXT_FIELD_NAMES = tuple(f.name for f in TEXT_FIELDS)
#: The proposer's structure, shown on the card like a pratique's.
STRUCTURE = TextField("structure", N_("Structure"), 120)
LABELS = {
    "titre": TITRE.label,
    **{f.name: f.label for f in TEXT_FIELDS},
    "communes": N_("Communes concernées"),
    "pratique_ids": N_("Pratiques du matin sur lesquelles il s'appuie"),
    "structure": N_("Votre structure"),
}
ADDITION = TextField("text", N_("Votre ajout"), 1000, required=True, multiline=True)
COMMENT = TextField("text", N_("Votre commentaire"), 1000, required=True, multiline=True)
CONTACT = TextField("contact", N_("Contact (e-mail ou téléphone)"), 200)
MAX_PRATIQUES = 20

CONSENT_REQUIRED = lazy_gettext(
    "Cochez la case pour accepter de partager votre contact avec le porteur du chantier et l'équipe organisatrice, ou laissez le contact vide."
)
NOT_A_CHANTIER_ATELIER = lazy_gettext(
    "Cet atelier recueille des pratiques : les chantiers se proposent dans les ateliers de l'après-midi."
)


# ------------------------------------------------------------------------------ lookups
def get_chantier(chantier_id: Any, event: Event | None = None) -> Contribution:
    """The chantier card ``chantier_id`` (of ``event`` when given), with its detail row."""
    cid = integer_id(chantier_id, "chantier_id", "un chantier")
    card = db.session.get(Contribution, cid)
    if card is None or card.kind != "chantier" or (event and card.atelier.event_id != event.id):
        raise NotFound(gettext("Ce chantier n'existe pas."))
    ensure_detail(card)
    return card


def ensure_detail(card: Contribution) -> ChantierDetail:
    """The detail row, created empty for a chantier posted without one (``contribution:create``)."""
    detail = db.session.get(ChantierDetail, card.id)
    if detail is None:
        # Created at the same moment by a concurrent first write: use that one.
        detail, _ = add_once(
            ChantierDetail(contribution_id=card.id, communes=[], consolidated={}),
            lambda: db.session.get(ChantierDetail, card.id, populate_existing=True),
        )
    return detail


def check_visible(actor: Actor, card: Contribution) -> None:
    """A chantier hidden, merged or withdrawn by moderation is shown to its facilitators only."""
    if not card.visible and not actor.facilitates(card.atelier):
        raise NotFound(gettext("Ce chantier n'est plus affiché sur le mur."))


#: The pratiques a chantier may link to: shown on their wall (not hidden, merged, withdrawn).
_LINKABLE = (Contribution.kind == "pratique", Contribution.visible)


def _check_open(atelier: Atelier) -> None:
    if not atelier.event.is_open:
        raise Closed()


def _bump(card: Contribution) -> int:
    """Bump the chantier's version and the atelier's, in this transaction; the atelier's."""
    db.session.execute(
        update(ChantierDetail)
        .where(ChantierDetail.contribution_id == card.id)
        .values(version=ChantierDetail.version + 1)
        .execution_options(synchronize_session=False)
    )
    detail = db.session.get(ChantierDetail, card.id)
    if detail is not None:
        db.session.expire(detail, ["version"])
    return bump_version(card.atelier_id)


# ------------------------------------------------------------------------------ validation
def clean_communes(raw: Any, event: Event) -> list[str]:
    """Communes chosen from the event's list only, deduplicated, in the event's order."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(c, str) for c in raw):
        raise ValidationError(
            errors={"communes": gettext("Choisissez les communes dans la liste.")}
        )
    allowed = list(event.communes or [])
    chosen = {c.strip() for c in raw if c.strip()}
    unknown = sorted(chosen - set(allowed))
    if unknown:
        raise ValidationError(
            errors={
                "communes": gettext(
                    "« %(v)s » n'est pas une commune du territoire de l'événement : choisissez dans la liste.",
                    v=unknown[0][:80],
                )
            }
        )
    return [c for c in allowed if c in chosen]


def clean_pratiques(raw: Any, event: Event) -> list[Contribution]:
    """Pratique cards of the same event (any atelier), deduplicated, in the given order."""
    if raw is None or raw == "":
        return []
    if not isinstance(raw, (list, tuple)):
        raw = [raw]
    ids: list[int] = []
    for item in raw:
        try:
            value = integer_id(item, "pratique_ids", "une pratique dans la liste")
        except ValidationError as exc:
            raise ValidationError(errors=exc.errors) from None
        if value not in ids:
            ids.append(value)
    if len(ids) > MAX_PRATIQUES:
        raise ValidationError(
            errors={
                "pratique_ids": gettext(
                    "Reliez au plus %(MAX_PRATIQUES)s pratiques à un chantier.",
                    MAX_PRATIQUES=MAX_PRATIQUES,
                )
            }
        )
    if not ids:
        return []
    found = {
        c.id: c
        for c in db.session.scalars(
            select(Contribution)
            .join(Atelier, Atelier.id == Contribution.atelier_id)
            .where(Contribution.id.in_(ids), Atelier.event_id == event.id, *_LINKABLE)
        )
    }
    if len(found) != len(ids):
        raise ValidationError(
            errors={
                "pratique_ids": gettext(
                    "Une des pratiques choisies n'existe pas dans cet événement : choisissez dans la liste."
                )
            }
        )
    return [found[i] for i in ids]


def _accepted(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.lower() in {"on", "1", "true", "oui"})


def _list_value(data: Mapping[str, Any], key: str) -> Any:
    """A list from JSON, or every value of a repeated HTML form key (a ``MultiDict``)."""
    getlist = getattr(data, "getlist", None)
    if getlist is not None:
        return getlist(key)
    return data.get(key)


# ------------------------------------------------------------------------------ create
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
    _check_open(atelier)
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
    card = Contribution(
        atelier_id=atelier.id,
        # Like any card: only while the round takes contributions (after the retry lookup,
        # so a chantier stored just before the round closed still gets its ack).
        round_id=check_open_for_contributions(atelier).id,
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
    _check_open(card.atelier)
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
    return row, (_bump(card) if created else None)


def consolidate(actor: Actor, card: Contribution, data: Mapping[str, Any]) -> int | None:
    """The facilitator replaces a field's text (or the communes / pratiques / titre).

    A "set", so a retry is harmless: setting the current value changes nothing and returns
    ``None``. Additions stay in the history; ``consolidated`` records when and by whom.
    """
    client_id(data.get("client_id"))
    require_facilitator(actor, card.atelier)
    _check_open(card.atelier)
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
    return _bump(card)


def _actor_name(actor: Actor) -> str:
    if actor.organizer is not None and actor.is_organizer:
        return actor.organizer.display_name or "L'équipe organisatrice"
    for link in actor.links:
        if link.label:
            return link.label
    return "L'animation"


# ------------------------------------------------------------------------------ « Je m'engage »
def engage(
    actor: Actor, card: Contribution, data: Mapping[str, Any]
) -> tuple[Engagement, int | None]:
    """Commit ``actor``'s participant to the chantier: one engagement per person, a "set".

    A contact is kept only with explicit consent to share it with the chantier's porteur and
    the organizer; sending the same values again changes nothing (``None``).
    """
    cid = client_id(data.get("client_id"))
    participant = _participant_of_event(actor, card)
    _check_open(card.atelier)
    check_visible(actor, card)
    consent = _accepted(data.get("consent"))
    contact = clean(data, (CONTACT,))["contact"]
    if contact and not consent:
        raise ValidationError(errors={"consent": CONSENT_REQUIRED})
    if not contact:
        # Nothing to share: a consent without a contact means nothing, store none.
        consent = False
    ensure_detail(card)
    engagement = _engagement(card.id, participant.id)
    if engagement is not None:
        if engagement.contact == contact and engagement.consent == consent:
            return engagement, None
        engagement.contact, engagement.consent = contact, consent
        engagement.client_id, engagement.updated_at = cid, utcnow()
        db.session.flush()
        return engagement, _bump(card)
    engagement = Engagement(
        chantier_id=card.id,
        participant_id=participant.id,
        contact=contact,
        consent=consent,
        client_id=cid,
    )
    # A double tap: the other request stored it; same values, nothing more to do.
    engagement, created = add_once(engagement, lambda: _engagement(card.id, participant.id))
    return engagement, (_bump(card) if created else None)


def disengage(actor: Actor, card: Contribution, data: Mapping[str, Any]) -> int | None:
    """Withdraw the engagement, deleting its contact. Safe to repeat (``None`` the 2nd time)."""
    if data.get("client_id") is not None:
        client_id(data.get("client_id"))
    participant = _participant_of_event(actor, card)
    _check_open(card.atelier)
    engagement = _engagement(card.id, participant.id)
    if engagement is None:
        return None
    db.session.delete(engagement)
    db.session.flush()
    return _bump(card)


def _participant_of_event(actor: Actor, card: Contribution) -> Participant:
    # Any participant of the event may commit, not only those in the atelier's room: people
    # move between rooms and commitments are also made at the restitution.
    participant = actor.participant
    if participant is None or participant.event_id != card.atelier.event_id:
        raise NotJoined(gettext("Rejoignez l'événement pour vous engager sur un chantier."))
    return participant


def _engagement(chantier_id: int, participant_id: int) -> Engagement | None:
    return db.session.scalar(
        select(Engagement).where(
            Engagement.chantier_id == chantier_id, Engagement.participant_id == participant_id
        )
    )


# ------------------------------------------------------------------------------ read models
def _person(p: Participant | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"id": p.id, "display_name": p.display_name, "structure": p.structure}


@dataclass
class _Loaded:
    detail: ChantierDetail
    additions: list[ChantierAddition]
    comments: list[ChantierComment]
    engagements: list[Engagement]


def _load(cards: Iterable[Contribution]) -> dict[int, _Loaded]:
    """Details, additions, comments and engagements of many chantiers in a few queries."""
    ids = [c.id for c in cards if c.kind == "chantier"]
    if not ids:
        return {}
    details = {
        d.contribution_id: d
        for d in db.session.scalars(
            select(ChantierDetail)
            .options(selectinload(ChantierDetail.pratiques).selectinload(Contribution.atelier))
            .where(ChantierDetail.contribution_id.in_(ids))
        )
    }
    loaded: dict[int, _Loaded] = {}
    for cid in ids:
        detail = details.get(cid) or ChantierDetail(
            contribution_id=cid, communes=[], consolidated={}, version=0
        )
        for f in TEXT_FIELD_NAMES:
            if getattr(detail, f) is None:
                setattr(detail, f, "")
        loaded[cid] = _Loaded(detail, [], [], [])
    for a in _rows_of(ChantierAddition, ChantierAddition.author, ids):
        loaded[a.chantier_id].additions.append(a)
    for c in _rows_of(ChantierComment, ChantierComment.author, ids):
        loaded[c.chantier_id].comments.append(c)
    for e in _rows_of(Engagement, Engagement.participant, ids):
        loaded[e.chantier_id].engagements.append(e)
    return loaded


def _rows_of(model: Any, person: Any, ids: list[int]) -> Any:
    """The rows of ``model`` on these chantiers, oldest first, their person loaded in one go."""
    return db.session.scalars(
        select(model)
        .options(selectinload(person))
        .where(model.chantier_id.in_(ids))
        .order_by(model.created_at, model.id)
    )


def _view(card: Contribution, data: _Loaded) -> dict[str, Any]:
    detail = data.detail
    return {
        "id": card.id,
        "atelier_id": card.atelier_id,
        "titre": card.titre,
        "version": detail.version or 0,
        "fields": {f: getattr(detail, f) or "" for f in TEXT_FIELD_NAMES},
        "communes": list(detail.communes or []),
        "pratiques": [
            {
                "id": p.id,
                "titre": p.titre,
                "atelier": {"id": p.atelier.id, "title": p.atelier.title},
            }
            for p in detail.pratiques
        ],
        "consolidated": dict(detail.consolidated or {}),
        "porteur_participant_id": card.participant_id,
        "additions": [
            {
                "id": a.id,
                "field": a.field,
                "text": a.text,
                "author": _person(a.author),
                "created_at": a.created_at.isoformat(),
            }
            for a in data.additions
        ],
        "comments": [
            {
                "id": c.id,
                "text": c.text,
                "author": _person(c.author),
                "created_at": c.created_at.isoformat(),
            }
            for c in data.comments
        ],
        # Who committed, never how to reach them: this dict is broadcast to the room.
        "engagements": {
            "count": len(data.engagements),
            "participants": [_person(e.participant) for e in data.engagements],
        },
    }


def chantier_view(card: Contribution) -> dict[str, Any]:
    """The public read model of one chantier (broadcast to the room: no contact details)."""
    return _view(card, _load([card])[card.id])


def chantier_views(cards: Iterable[Contribution]) -> dict[int, dict[str, Any]]:
    """``chantier_view`` of every chantier among ``cards``, keyed by card id, in bulk."""
    cards = list(cards)
    loaded = _load(cards)
    return {c.id: _view(c, loaded[c.id]) for c in cards if c.id in loaded}


def chantier_list(cards: Iterable[Contribution]) -> list[dict[str, Any]]:
    """``chantier_view`` of the chantiers among ``cards``, in the same order (snapshot key)."""
    cards = list(cards)
    views = chantier_views(cards)
    return [views[c.id] for c in cards if c.id in views]


def can_see_contacts(actor: Actor, card: Contribution) -> bool:
    """The event's organizers and the chantier's porteur (the participant who proposed it)."""
    if actor.event_id != card.atelier.event_id:
        return False
    if actor.is_organizer:
        return True
    return (
        actor.participant is not None
        and card.participant_id is not None
        and actor.participant.id == card.participant_id
    )


def engagement_contacts(actor: Actor, card: Contribution) -> list[dict[str, Any]]:
    """The consented contacts of a chantier's engagements, for its porteur and organizers."""
    if not can_see_contacts(actor, card):
        raise Forbidden(
            gettext(
                "Les contacts sont réservés à la personne qui porte ce chantier et à l'équipe organisatrice."
            )
        )
    return [
        {
            "participant": _person(e.participant),
            "contact": e.contact,
            "created_at": e.created_at.isoformat(),
        }
        for e in _load([card])[card.id].engagements
        if e.consent and e.contact
    ]


def my_engagement(participant: Participant | None, card: Contribution) -> dict[str, Any] | None:
    """The viewer's own engagement (their own contact included), for their eyes only."""
    if participant is None:
        return None
    e = _engagement(card.id, participant.id)
    if e is None:
        return None
    return {"contact": e.contact, "consent": e.consent, "created_at": e.created_at.isoformat()}


def event_pratiques(event: Event) -> list[dict[str, Any]]:
    """Every pratique card of the event, to link a chantier to (grouped by atelier)."""
    rows = db.session.execute(
        select(Contribution.id, Contribution.titre, Atelier.id, Atelier.title)
        .join(Atelier, Atelier.id == Contribution.atelier_id)
        .where(Atelier.event_id == event.id, *_LINKABLE)
        .order_by(Atelier.position, Atelier.id, Contribution.created_at, Contribution.id)
    ).all()
    return [
        {"id": cid, "titre": titre, "atelier": {"id": aid, "title": atitle}}
        for cid, titre, aid, atitle in rows
    ]


def engagement_counts(event: Event) -> dict[int, int]:
    """Engagements per chantier of the event (for the restitution)."""
    return dict(
        db.session.execute(
            select(Engagement.chantier_id, func.count(Engagement.id))
            .join(Contribution, Contribution.id == Engagement.chantier_id)
            .join(Atelier, Atelier.id == Contribution.atelier_id)
            .where(Atelier.event_id == event.id)
            .group_by(Engagement.chantier_id)
        ).all()
    )
