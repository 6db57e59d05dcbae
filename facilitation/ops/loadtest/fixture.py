"""Throwaway load-test events: created with K ateliers, removed with everything they hold.

A load test must never touch a real event. Its event is recognisable twice over: the slug
starts with ``loadtest-`` and ``organiser_name`` is :data:`MARKER`. :func:`remove_event`
refuses any event that is not marked both ways, so a typo cannot delete a real day.
"""

from __future__ import annotations

import secrets
from datetime import date, time
from typing import Any

from sqlalchemy import delete, func, select

from facilitation.domain.errors import DomainError, NotFound
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    Ballot,
    CloudWord,
    Contribution,
    Dot,
    Event,
    Sequence,
    VoterBudget,
    WordCloud,
)
from facilitation.models.event import EventStatus, SequenceKind

PREFIX = "loadtest-"
MARKER = "facilitation loadtest"
MAX_ATELIERS = 500
MAX_DOTS = 50
#: « En un mot »: words per phone of the open cloud (the cloud's own bound).
MAX_WORDS = 10


class NotALoadTestEvent(DomainError):
    code = "forbidden"
    http_status = 403

    def __init__(self, slug: str) -> None:
        super().__init__(f"« {slug} » n'est pas un événement de test de charge : refusé.")


def is_loadtest_slug(slug: str) -> bool:
    return slug.startswith(PREFIX) and len(slug) > len(PREFIX)


def create_event(ateliers: int, dots: int = 0, words: int = 0) -> Event:
    """A new open event ``loadtest-<random>`` with one atelier sequence of ``ateliers`` ateliers.

    With ``dots`` > 0 each atelier also gets an open dot-vote of ``dots`` dots per phone (the
    voting domain's own ``open_ballot``), so the run can place dots. With ``words`` > 0 each
    atelier gets an open « en un mot » cloud of ``words`` words per phone. Flushes, does not
    commit. Raises ``ValueError`` when ``ateliers`` is out of 1..500, ``dots`` out of 0..50
    or ``words`` out of 0..10.
    """
    if not 1 <= ateliers <= MAX_ATELIERS:
        raise ValueError(f"ateliers must be between 1 and {MAX_ATELIERS}")
    if not 0 <= dots <= MAX_DOTS:
        raise ValueError(f"dots must be between 0 and {MAX_DOTS}")
    if not 0 <= words <= MAX_WORDS:
        raise ValueError(f"words must be between 0 and {MAX_WORDS}")
    token = secrets.token_hex(4)
    event = Event(
        slug=f"{PREFIX}{token}",
        title=f"Test de charge {token}",
        date=date.today(),
        join_code=f"LT{token.upper()}",
        status=EventStatus.OPEN.value,
        organiser_name=MARKER,
        communes=["Commune de test"],
    )
    sequence = Sequence(
        position=1,
        kind=SequenceKind.ATELIERS_PRATIQUES.value,
        title="Ateliers (test de charge)",
        starts_at=time(9, 0),
        ends_at=time(18, 0),
    )
    event.sequences.append(sequence)
    for n in range(1, ateliers + 1):
        sequence.ateliers.append(
            Atelier(event=event, position=n, title=f"Atelier de charge {n}", question="Test")
        )
    db.session.add(event)
    db.session.flush()
    if dots:
        _open_ballots(event, dots)
    if words:
        for atelier in sequence.ateliers:
            db.session.add(
                WordCloud(
                    atelier_id=atelier.id, question="En un mot (test de charge) ?", max_words=words
                )
            )
        db.session.flush()
    return event


def _open_ballots(event: Event, dots: int) -> None:
    from facilitation.domain import voting

    settings = voting.BallotSettings(dots_per_participant=dots, max_per_card=dots)
    for sequence in event.sequences:
        for atelier in sequence.ateliers:
            voting.open_ballot(atelier, settings)
    db.session.flush()


def get_loadtest_event(slug: str) -> Event:
    """The marked load-test event ``slug``; ``NotALoadTestEvent`` for any other event."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound("Cet événement n'existe pas.")
    if not is_loadtest_slug(event.slug) or event.organiser_name != MARKER:
        raise NotALoadTestEvent(slug)
    return event


def remove_event(slug: str) -> None:
    """Delete the load-test event ``slug`` and, by the database's cascades, all it holds."""
    event = get_loadtest_event(slug)
    event_id = event.id
    db.session.expunge(event)
    # Core delete: the ON DELETE CASCADE foreign keys remove sequences, ateliers,
    # participants and cards in the database without loading thousands of rows.
    db.session.execute(delete(Event).where(Event.id == event_id))


def describe(event: Event) -> dict[str, Any]:
    ateliers = [a.id for s in event.sequences for a in s.ateliers]
    return {"slug": event.slug, "join_code": event.join_code, "ateliers": ateliers}


def tallies(event: Event) -> dict[str, Any]:
    """What the server stored for the run: cards per atelier, dots per card, budget checks.

    ``dots`` is every stored dot of the event; ``dots_by_contribution`` lets the load test
    compare each card's tally with what its phones were told (tallies exact);
    ``over_budget`` counts voters whose dots exceed their budget (must be 0, a database
    constraint forbids it) and ``budget_mismatch`` voters whose budget row's ``used`` is not
    the sum of their dots (must be 0 as well).
    """
    rows = db.session.execute(
        select(Contribution.atelier_id, func.count(Contribution.id))
        .join(Atelier, Atelier.id == Contribution.atelier_id)
        .where(Atelier.event_id == event.id)
        .group_by(Contribution.atelier_id)
    ).all()
    cards = {str(atelier_id): count for atelier_id, count in rows}
    by_card = {
        str(contribution_id): int(total)
        for contribution_id, total in db.session.execute(
            select(Dot.contribution_id, func.sum(Dot.count))
            .join(Ballot, Ballot.id == Dot.ballot_id)
            .join(Atelier, Atelier.id == Ballot.atelier_id)
            .where(Atelier.event_id == event.id)
            .group_by(Dot.contribution_id)
        )
    }
    over, mismatch = _budget_checks(event)
    words = db.session.scalar(
        select(func.count(CloudWord.id))
        .join(WordCloud, WordCloud.id == CloudWord.cloud_id)
        .join(Atelier, Atelier.id == WordCloud.atelier_id)
        .where(Atelier.event_id == event.id)
    )
    return {
        # « En un mot »: the words stored (a resend stores nothing: sent == stored).
        "words": int(words or 0),
        "slug": event.slug,
        "contributions": sum(cards.values()),
        "contributions_by_atelier": cards,
        "dots": sum(by_card.values()),
        "dots_by_contribution": by_card,
        "over_budget": over,
        "budget_mismatch": mismatch,
    }


def _budget_checks(event: Event) -> tuple[int, int]:
    """Voters over their budget, and voters whose ``used`` differs from their dots' sum."""
    spent = (
        select(
            Dot.ballot_id.label("ballot_id"),
            Dot.participant_id.label("participant_id"),
            func.sum(Dot.count).label("dots"),
        )
        .where(Dot.participant_id.is_not(None))
        .group_by(Dot.ballot_id, Dot.participant_id)
        .subquery()
    )
    rows = db.session.execute(
        select(VoterBudget.used, VoterBudget.budget, func.coalesce(spent.c.dots, 0))
        .join(Ballot, Ballot.id == VoterBudget.ballot_id)
        .join(Atelier, Atelier.id == Ballot.atelier_id)
        .outerjoin(
            spent,
            (spent.c.ballot_id == VoterBudget.ballot_id)
            & (spent.c.participant_id == VoterBudget.participant_id),
        )
        .where(Atelier.event_id == event.id)
    ).all()
    over = sum(1 for used, budget, dots in rows if dots > budget or used > budget)
    mismatch = sum(1 for used, _budget, dots in rows if used != dots)
    return over, mismatch
