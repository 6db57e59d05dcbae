"""« Moi aussi »: « Nous aussi » / « Ça m'intéresse » on the morning pratiques (issue 19.2).

A reaction is a *state*, set like a vote (« my reaction X on card 12 is now on »), never
toggled: a retried event stores one row (the ``uq_reaction`` constraint) and cannot flip
it back. Who may react: a participant currently in the card's atelier (the wall shows one
atelier's cards), never on their own card, only on a visible pratique of an open event.

Who reacted is shown to the card's author only, and only those whose profile is visible
(the consent of the interconnaissance, ``domain.profiles``); the others are counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from sqlalchemy import delete, func, select

from facilitation.domain.access import Actor, participant_in
from facilitation.domain.errors import Closed, Forbidden, NotFound, ValidationError
from facilitation.domain.once import add_once
from facilitation.domain.profiles import public_card
from facilitation.domain.validation import N_, integer_id
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    Contribution,
    Participant,
    Profile,
    Reaction,
    ReactionKind,
)
from facilitation.models.contribution import ContributionKind

KINDS: tuple[str, ...] = tuple(k.value for k in ReactionKind)
#: The buttons' French labels (translated where shown).
LABELS = {
    ReactionKind.NOUS_AUSSI.value: N_("Nous aussi"),
    ReactionKind.INTERESSE.value: N_("Ça m’intéresse"),
}


def empty_counts() -> dict[str, int]:
    return {k: 0 for k in KINDS}


# ----------------------------------------------------------------------------- validation
def parse_kind(raw: Any) -> str:
    if not isinstance(raw, str) or raw not in KINDS:
        raise ValidationError(
            gettext("Réaction inconnue : choisissez « Nous aussi » ou « Ça m’intéresse »."),
            {"kind": gettext("Réaction inconnue.")},
        )
    return raw


def parse_on(raw: Any) -> bool:
    """The desired state: ``true`` (on) or ``false`` (off), never a toggle."""
    if not isinstance(raw, bool):
        raise ValidationError(
            gettext("Indiquez si la réaction est ajoutée ou retirée : rechargez la page."),
            {"on": gettext("État de la réaction invalide.")},
        )
    return raw


def reactable_card(raw_id: Any) -> Contribution:
    """The pratique named by ``raw_id`` if it may receive reactions; a French refusal else."""
    card = db.session.get(Contribution, integer_id(raw_id, "contribution_id", N_("une carte")))
    if card is None:
        raise NotFound(gettext("Cette carte n'existe pas."))
    check_reactable(card)
    return card


def check_reactable(card: Contribution) -> None:
    if card.withdrawn_at is not None:
        raise NotFound(gettext("Cette pratique a été retirée par son auteur ou son autrice."))
    if card.merged_into_id is not None:
        raise NotFound(
            gettext("Cette pratique a été regroupée avec une autre : réagissez sur celle-ci.")
        )
    if card.hidden:
        raise NotFound(gettext("Cette pratique a été masquée par l'animation."))
    if card.kind != ContributionKind.PRATIQUE.value:
        raise ValidationError(gettext("On ne peut réagir ainsi qu'aux pratiques du matin."))


# ----------------------------------------------------------------------------- writes
@dataclass
class SetResult:
    changed: bool
    atelier_id: int
    contribution_id: int
    #: The participant's reactions on this card after the write.
    mine: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=empty_counts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "duplicate": not self.changed,
            "contribution_id": self.contribution_id,
            "mine": self.mine,
            "counts": self.counts,
        }


def set_reaction(actor: Actor, raw_card_id: Any, raw_kind: Any, raw_on: Any) -> SetResult:
    """Set ``actor``'s reaction ``kind`` on a pratique to on or off (idempotent)."""
    kind = parse_kind(raw_kind)
    on = parse_on(raw_on)
    card = reactable_card(raw_card_id)
    atelier = card.atelier
    if atelier.event_id != actor.event_id:
        raise NotFound(gettext("Cette carte n'existe pas."))
    me = participant_in(actor.participant, atelier)
    if not atelier.event.is_open:
        raise Closed()
    if card.participant_id == me.id:
        raise Forbidden(gettext("C'est votre propre pratique : les réactions viennent des autres."))
    changed = _set(card.id, me.id, kind, on)
    return SetResult(
        changed=changed,
        atelier_id=atelier.id,
        contribution_id=card.id,
        mine=sorted(_mine_on(card.id, me.id)),
        counts=counts_of([card.id]).get(card.id, empty_counts()),
    )


def _set(card_id: int, participant_id: int, kind: str, on: bool) -> bool:
    def stored() -> Reaction | None:
        return db.session.scalar(
            select(Reaction).where(
                Reaction.contribution_id == card_id,
                Reaction.participant_id == participant_id,
                Reaction.kind == kind,
            )
        )

    if on:
        if stored() is not None:
            return False
        row = Reaction(contribution_id=card_id, participant_id=participant_id, kind=kind)
        # A double tap or a retry racing in: the other request stored it, nothing changed.
        _, created = add_once(row, stored)
        return created
    result = db.session.execute(
        delete(Reaction).where(
            Reaction.contribution_id == card_id,
            Reaction.participant_id == participant_id,
            Reaction.kind == kind,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def _mine_on(card_id: int, participant_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(Reaction.kind).where(
                Reaction.contribution_id == card_id, Reaction.participant_id == participant_id
            )
        )
    )


def forget(participant_id: int) -> set[int]:
    """Delete a participant's reactions (« Mes données »); the ateliers whose counts changed."""
    ateliers = set(
        db.session.scalars(
            select(Contribution.atelier_id)
            .join(Reaction, Reaction.contribution_id == Contribution.id)
            .where(Reaction.participant_id == participant_id)
            .distinct()
        )
    )
    db.session.execute(delete(Reaction).where(Reaction.participant_id == participant_id))
    return ateliers


# ----------------------------------------------------------------------------- reads
def counts_of(card_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Reactions per card and kind (only cards with at least one)."""
    ids = list(card_ids)
    out: dict[int, dict[str, int]] = {}
    if not ids:
        return out
    rows = db.session.execute(
        select(Reaction.contribution_id, Reaction.kind, func.count(Reaction.id))
        .where(Reaction.contribution_id.in_(ids))
        .group_by(Reaction.contribution_id, Reaction.kind)
    )
    for card_id, kind, n in rows:
        out.setdefault(card_id, empty_counts())[kind] = int(n)
    return out


def atelier_counts(atelier_id: int) -> dict[str, dict[str, int]]:
    """Counts of the atelier's visible cards, keyed by card id as a string (JSON)."""
    rows = db.session.execute(
        select(Reaction.contribution_id, Reaction.kind, func.count(Reaction.id))
        .join(Contribution, Contribution.id == Reaction.contribution_id)
        .where(Contribution.atelier_id == atelier_id, Contribution.visible)
        .group_by(Reaction.contribution_id, Reaction.kind)
    )
    out: dict[str, dict[str, int]] = {}
    for card_id, kind, n in rows:
        out.setdefault(str(card_id), empty_counts())[kind] = int(n)
    return out


def mine(participant: Participant | None, atelier: Atelier) -> dict[str, list[str]]:
    """The participant's own reactions in ``atelier``: card id (string) → kinds."""
    if participant is None or participant.event_id != atelier.event_id:
        return {}
    rows = db.session.execute(
        select(Reaction.contribution_id, Reaction.kind)
        .join(Contribution, Contribution.id == Reaction.contribution_id)
        .where(Reaction.participant_id == participant.id, Contribution.atelier_id == atelier.id)
        .order_by(Reaction.contribution_id, Reaction.kind)
    )
    out: dict[str, list[str]] = defaultdict(list)
    for card_id, kind in rows:
        out[str(card_id)].append(kind)
    return dict(out)


def reactors(actor: Actor, raw_card_id: Any) -> dict[str, Any]:
    """Who reacted to a card, for its author only: per kind, the count, the people whose
    profile is visible (name, structure) and how many others."""
    card = db.session.get(Contribution, integer_id(raw_card_id, "contribution_id", N_("une carte")))
    if card is None or card.atelier.event_id != actor.event_id:
        raise NotFound(gettext("Cette carte n'existe pas."))
    me = actor.participant
    if me is None or card.participant_id != me.id:
        raise Forbidden(gettext("Seul l'auteur ou l'autrice de la pratique voit qui a réagi."))
    rows = db.session.execute(
        select(Reaction.kind, Participant, Profile)
        .join(Participant, Participant.id == Reaction.participant_id)
        .outerjoin(Profile, Profile.participant_id == Participant.id)
        .where(Reaction.contribution_id == card.id)
        .order_by(Reaction.kind, Participant.display_name, Participant.id)
    ).all()
    by_kind: dict[str, dict[str, Any]] = {k: {"count": 0, "people": [], "others": 0} for k in KINDS}
    for kind, person, profile in rows:
        entry = by_kind[kind]
        entry["count"] += 1
        if profile is not None and profile.visible:
            entry["people"].append(
                {
                    "id": person.id,
                    "display_name": person.display_name,
                    "structure": person.structure,
                }
            )
        else:
            entry["others"] += 1
    return {"contribution_id": card.id, "atelier_id": card.atelier_id, "reactions": by_kind}


def _structure_key(person_id: int, structure: str) -> str:
    name = " ".join((structure or "").split()).casefold()
    # Without a structure each person counts as their own (they are not one structure).
    return f"s:{name}" if name else f"p:{person_id}"


def structure_counts(card_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """For the restitution: per card and kind, the number of distinct structures that
    reacted (same name, case and spaces aside, counts once; a person without a structure
    counts as one)."""
    ids = list(card_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Reaction.contribution_id, Reaction.kind, Participant.id, Participant.structure)
        .join(Participant, Participant.id == Reaction.participant_id)
        .where(Reaction.contribution_id.in_(ids))
    )
    keys: dict[int, dict[str, set[str]]] = defaultdict(lambda: {k: set() for k in KINDS})
    for card_id, kind, pid, structure in rows:
        keys[card_id][kind].add(_structure_key(pid, structure))
    return {cid: {k: len(v) for k, v in kinds.items()} for cid, kinds in keys.items()}


# ----------------------------------------------------------------------------- rencontres
@dataclass
class InterestSuggestion:
    """Someone to meet around pratiques: they are interested in mine, or I in theirs."""

    person: dict[str, Any]
    #: Titles of my pratiques they are interested in.
    in_mine: list[str] = field(default_factory=list)
    #: Titles of their pratiques I am interested in.
    in_theirs: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        name = self.person["display_name"]
        out = [
            gettext("%(name)s s'intéresse à votre pratique « %(titre)s »", name=name, titre=titre)
            for titre in self.in_mine
        ]
        out += [
            gettext(
                "Vous vous intéressez à la pratique « %(titre)s » de %(name)s",
                name=name,
                titre=titre,
            )
            for titre in self.in_theirs
        ]
        return out


def interest_suggestions(me: Participant) -> list[InterestSuggestion]:
    """People with a visible profile who answered « Ça m'intéresse » to a pratique ``me``
    posted, or to whose pratique ``me`` answered it. Visible pratiques of ``me``'s event
    only; by name."""
    found: dict[int, InterestSuggestion] = {}
    base = (
        select(Contribution.titre, Participant, Profile)
        .join(Reaction, Reaction.contribution_id == Contribution.id)
        .join(Atelier, Atelier.id == Contribution.atelier_id)
        .where(
            Atelier.event_id == me.event_id,
            Contribution.visible,
            Contribution.kind == ContributionKind.PRATIQUE.value,
            Reaction.kind == ReactionKind.INTERESSE.value,
        )
        .order_by(Contribution.id)
    )
    # They are interested in mine: the other is the one who reacted.
    theirs_on_mine = base.join(Participant, Participant.id == Reaction.participant_id).where(
        Contribution.participant_id == me.id
    )
    # I am interested in theirs: the other is the card's author.
    # Never for a pratique posted anonymously (issue 20): naming its author here would break
    # the promise the round made when it was posted.
    mine_on_theirs = base.join(Participant, Participant.id == Contribution.participant_id).where(
        Reaction.participant_id == me.id, Contribution.anonymous.is_(False)
    )
    for query, attr in ((theirs_on_mine, "in_mine"), (mine_on_theirs, "in_theirs")):
        for titre, person, profile in db.session.execute(
            query.join(Profile, Profile.participant_id == Participant.id).where(
                Profile.visible.is_(True), Participant.id != me.id
            )
        ):
            entry = found.get(person.id)
            if entry is None:
                entry = found[person.id] = InterestSuggestion(public_card(person, profile))
            titles = getattr(entry, attr)
            if titre not in titles:
                titles.append(titre)
    return sorted(
        found.values(), key=lambda s: (s.person["display_name"].casefold(), s.person["id"])
    )
