"""The plenary vote « perspectives collectives », built on the atelier dot-vote.

The organizer shortlists chantiers from every atelier; every phone in the room places dots on
the shortlist; the result is on the slide. Rather than a second voting engine, the plenary is
an atelier of the day's *restitution* sequence (« Perspectives collectives ») holding one card
per shortlisted chantier, and its vote is an ordinary ``Ballot`` run by ``domain.voting``: the
same budget row, ``CHECK (used <= budget)``, set-not-increment writes and ranked tallies as
in the ateliers. A participant who votes is moved into the plenary atelier, which is where
everyone is at 15h45 (``voting.set_dots`` only counts dots of people in the atelier).

A plenary card points to its chantier by its ``client_id`` (``plenaire-<chantier id>``): the
card is a stand-in for the vote, the chantier (fields, engagements) stays where it was made.
The restitution sequence's ateliers are not offered on the join page and are not counted in
the day's figures (``SequenceKind.has_ateliers`` is false for it).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select

from facilitation.domain import rounds, voting
from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import DomainError, NotFound, ValidationError
from facilitation.domain.phases import allowed_targets, current_round
from facilitation.domain.validation import as_id
from facilitation.domain.voting import DotResult
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event, Participant, Round, Sequence
from facilitation.models.contribution import ContributionKind
from facilitation.models.event import SequenceKind
from facilitation.models.round import Phase
from facilitation.models.vote import Ballot

TITLE = "Perspectives collectives"
QUESTION = "Quels chantiers voulons-nous porter ensemble après cette journée ?"
CLIENT_PREFIX = "plenaire-"
MAX_SHORTLIST = 12
DEFAULT_DOTS = 3


class VoteInProgress(DomainError):
    code = "vote_in_progress"
    default_message = lazy_gettext(
        "Le vote est en cours : clôturez-le avant de changer la sélection."
    )
    http_status = 409


def plenary_atelier(event: Event, create: bool = False) -> Atelier | None:
    """The plenary's atelier in the restitution sequence (made on first use with ``create``)."""
    sequence = next((s for s in event.sequences if s.kind == SequenceKind.RESTITUTION), None)
    if sequence is not None:
        found = next((a for a in sequence.ateliers if a.title == TITLE), None)
        if found is not None or not create:
            return found
    elif not create:
        return None
    if sequence is None:
        position = (
            db.session.scalar(
                select(func.max(Sequence.position)).where(Sequence.event_id == event.id)
            )
            or 0
        ) + 1
        sequence = Sequence(
            event=event,
            position=position,
            kind=SequenceKind.RESTITUTION.value,
            title="Restitution des travaux et perspectives collectives",
            starts_at=time(15, 45),
        )
        db.session.add(sequence)
        db.session.flush()
    atelier = Atelier(
        event_id=event.id, sequence=sequence, title=TITLE, question=QUESTION, position=99
    )
    db.session.add(atelier)
    db.session.flush()
    return atelier


def _source_id(card: Contribution) -> int | None:
    suffix = card.client_id.removeprefix(CLIENT_PREFIX)
    return int(suffix) if card.client_id.startswith(CLIENT_PREFIX) and suffix.isdigit() else None


def shortlist(event: Event) -> list[tuple[Contribution, Contribution]]:
    """``(plenary card, chantier)`` pairs, in the order they were shortlisted."""
    atelier = plenary_atelier(event)
    if atelier is None:
        return []
    cards = list(
        db.session.scalars(
            select(Contribution)
            .where(Contribution.atelier_id == atelier.id)
            .order_by(Contribution.id)
        )
    )
    sources = {
        c.id: c
        for c in db.session.scalars(
            select(Contribution).where(
                Contribution.id.in_([i for i in map(_source_id, cards) if i is not None])
            )
        )
    }
    return [(c, sources[i]) for c in cards if (i := _source_id(c)) in sources]


def current_ballot(event: Event) -> Ballot | None:
    atelier = plenary_atelier(event)
    return voting.current_ballot(atelier) if atelier is not None else None


def set_shortlist(event: Event, chantier_ids: list[Any]) -> list[Contribution]:
    """Make the shortlist exactly these chantiers (organizer). Refused while a vote is open.

    Removing a chantier removes its plenary card and, with it, the dots of a past vote.
    """
    ids: list[int] = []
    for raw in chantier_ids:
        found = as_id(raw)
        if found is None:
            raise ValidationError(errors={"chantiers": gettext("Sélection invalide.")})
        if found not in ids:
            ids.append(found)
    if len(ids) > MAX_SHORTLIST:
        raise ValidationError(
            errors={
                "chantiers": gettext(
                    "Retenez au plus %(MAX_SHORTLIST)s chantiers pour le vote.",
                    MAX_SHORTLIST=MAX_SHORTLIST,
                )
            }
        )
    chantiers = {
        c.id: c
        for c in db.session.scalars(
            select(Contribution)
            .join(Atelier, Atelier.id == Contribution.atelier_id)
            .where(
                Contribution.id.in_(ids),
                Atelier.event_id == event.id,
                Contribution.kind == ContributionKind.CHANTIER.value,
            )
        )
        if getattr(c, "visible", True)
    }
    if len(chantiers) != len(ids):
        raise NotFound(
            gettext("Un des chantiers choisis n'existe pas (ou plus) dans cet événement.")
        )
    atelier = plenary_atelier(event, create=True)
    assert atelier is not None
    ballot = voting.open_ballot_of(atelier)
    if ballot is not None:
        raise VoteInProgress()
    existing = {source.id: card for card, source in shortlist(event)}
    for source_id, card in existing.items():
        if source_id not in chantiers:
            db.session.delete(card)
    for source_id in ids:
        if source_id in existing:
            continue
        source = chantiers[source_id]
        db.session.add(
            Contribution(
                atelier_id=atelier.id,
                participant_id=None,
                client_id=f"{CLIENT_PREFIX}{source.id}",
                kind=ContributionKind.CHANTIER.value,
                titre=source.titre,
                description=source.description or "",
                structure=source.structure or "",
                commune=source.commune or "",
                # The promise made when the source was posted follows it to the plenary.
                anonymous=source.anonymous,
            )
        )
    db.session.flush()
    bump_version(atelier.id)
    return [card for card, _ in shortlist(event)]


def open_vote(
    actor: Actor, event: Event, dots: int = DEFAULT_DOTS, now: datetime | None = None
) -> tuple[Round, int]:
    """Open the plenary vote on the shortlist (organizer): a fresh budget for every phone.

    A round move like the console's « Ouvrir le vote » (``rounds.open_vote``): the plenary
    atelier's round goes to « vote » (audited), so the phones in the plenary see the vote's
    banner over the ballot. A round still in « préparation » (or none) is first moved to
    « contributions », the only way into « vote ». Returns ``(round, version)``.
    """
    require_organizer(actor, event)
    atelier = plenary_atelier(event)
    if atelier is None or not shortlist(event):
        raise ValidationError(
            gettext("Choisissez d'abord les chantiers soumis au vote."),
            {"chantiers": gettext("Choisissez au moins un chantier.")},
        )
    # Tallies visible live: the room watches the result build up on the slide.
    settings = voting.parse_settings(
        {"dots_per_participant": dots, "max_per_card": dots, "tallies_visible_live": "on"}
    )
    rnd = current_round(atelier)
    if rnd is None:
        rnd, _ = rounds.create_round(actor, atelier, now)
    if rnd.phase_enum == Phase.PREPARATION and voting.open_ballot_of(atelier) is None:
        rounds.transition(actor, atelier, rnd, Phase.CONTRIBUTIONS, now)
    return rounds.open_vote(actor, atelier, settings, now)


def close_vote(actor: Actor, event: Event, now: datetime | None = None) -> tuple[Round, int | None]:
    """Close the vote and show the result to everyone (organizer).

    A round move like the console's « Révéler les résultats » (``rounds.reveal_vote``): the
    plenary atelier's round goes from « vote » to « résultats », which closes and reveals the
    ballot. A revealed ballot changes nothing (version ``None``). Returns ``(round, version)``.
    """
    require_organizer(actor, event)
    atelier = plenary_atelier(event)
    if atelier is None:
        raise NotFound(gettext("Aucun vote en plénière."))
    rnd = current_round(atelier)
    if (
        rnd is not None
        and voting.open_ballot_of(atelier) is not None
        and rnd.phase_enum != Phase.VOTE
        and Phase.VOTE in allowed_targets(rnd.phase_enum)
    ):
        # A ballot opened before the plenary drove its round (round left in « contributions »):
        # bring the round to « vote » first (the open ballot is kept), « résultats » is next.
        rounds.transition(actor, atelier, rnd, Phase.VOTE, now)
    return rounds.reveal_vote(actor, atelier, now)


def place_dots(participant: Participant, event: Event, card_id: Any, count: Any) -> DotResult:
    """« My dots on this chantier are now N », for a participant of the event.

    The participant is moved into the plenary atelier first (they are in the room), then the
    voting domain checks the budget and the per-card maximum under its lock.
    """
    atelier = plenary_atelier(event)
    if atelier is None or participant.event_id != event.id:
        raise NotFound(gettext("Aucun vote en plénière pour l'instant."))
    if participant.current_atelier_id != atelier.id:
        participant.current_atelier_id = atelier.id
        db.session.flush()
    actor = Actor(event_id=event.id, participant=participant)
    return voting.set_dots(actor, atelier, card_id, count)


def state(event: Event, participant: Participant | None = None) -> dict[str, Any]:
    """The plenary vote for a page: ballot, ranked results, and the voter's own dots."""
    pairs = shortlist(event)
    ballot = current_ballot(event)
    results: dict[int, dict[str, Any]] = {}
    voted = eligible = 0
    if ballot is not None:
        tally = voting.tally(ballot)
        results = {row["contribution_id"]: row for row in tally["results"]}
        voted, eligible = tally["voted"], tally["eligible"]
    mine = (
        voting.my_dots(ballot, participant)
        if ballot is not None and participant is not None and participant.event_id == event.id
        else None
    )
    items = []
    for card, source in pairs:
        row = results.get(card.id, {"dots": 0, "rank": 1, "tied": False})
        items.append(
            {
                "card_id": card.id,
                "chantier_id": source.id,
                "titre": source.titre,
                "atelier": source.atelier.title,
                "dots": row["dots"],
                "rank": row["rank"],
                "tied": row["tied"],
                "mine": int((mine or {}).get("dots", {}).get(str(card.id), 0)),
            }
        )
    items.sort(key=lambda i: (-i["dots"], i["titre"].casefold()))
    return {
        "open": ballot is not None and ballot.is_open,
        "ballot": voting.ballot_dict(ballot),
        "items": items,
        "voted": voted,
        "eligible": eligible,
        "dots_left": mine["dots_left"] if mine else (ballot.dots_per_participant if ballot else 0),
        "max_per_card": ballot.max_per_card if ballot else 0,
    }
