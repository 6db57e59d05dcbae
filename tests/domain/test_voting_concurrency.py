"""Many threads voting for the SAME participant at once, each with its own session and
connection: the budget holds and no acknowledged dot is lost (SQLite, and PostgreSQL when
``TEST_DATABASE_URL`` is set)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from facilitation.domain import voting
from facilitation.domain.errors import DomainError
from facilitation.domain.voting import BallotSettings, BudgetExceeded
from facilitation.edge.dbretry import is_busy
from facilitation.extensions import db
from facilitation.models import Atelier, Dot, Participant, VoterBudget
from tests.support.voting import make_card, participant_actor

THREADS = 16


def run_together(app: Flask, work: Callable[[int], Any], n: int = THREADS) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads released at once, each in its own app context (so its
    own scoped session and connection); return the results (or exceptions) in order."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def target(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[i] = attempt(work, i)
            except BaseException as exc:  # reported by the test, never swallowed
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def attempt(work: Callable[[int], Any], i: int) -> Any:
    """One unit of work; SQLite busy beyond its timeout is retried, as the handlers do."""
    for _ in range(20):
        try:
            return work(i)
        except Exception as exc:
            db.session.rollback()
            if not is_busy(exc):
                raise
    raise AssertionError("SQLite stayed busy")


def vote(atelier_id: int, participant_id: int, card_id: int, count: int) -> Any:
    atelier = db.session.get(Atelier, atelier_id)
    participant = db.session.get(Participant, participant_id)
    try:
        result = voting.set_dots(participant_actor(participant), atelier, card_id, count)
    except DomainError as exc:
        db.session.rollback()
        return exc
    db.session.commit()
    return result


def state(ballot_id: int, participant_id: int) -> tuple[int, int, dict[int, int]]:
    db.session.expire_all()
    used = db.session.scalar(
        select(VoterBudget.used).where(
            VoterBudget.ballot_id == ballot_id, VoterBudget.participant_id == participant_id
        )
    )
    dots = dict(
        db.session.execute(
            select(Dot.contribution_id, Dot.count).where(
                Dot.ballot_id == ballot_id, Dot.participant_id == participant_id
            )
        ).all()
    )
    total = db.session.scalar(
        select(func.coalesce(func.sum(Dot.count), 0)).where(
            Dot.ballot_id == ballot_id, Dot.participant_id == participant_id
        )
    )
    return used, total, dots


def test_concurrent_dots_of_one_participant_never_exceed_the_budget(
    app, make_atelier, make_participant
):
    atelier = make_atelier()
    alice = make_participant(atelier)
    cards = [make_card(atelier) for _ in range(THREADS)]
    ballot = voting.open_ballot(atelier, BallotSettings(dots_per_participant=3, max_per_card=1))
    db.session.commit()
    ids = (atelier.id, alice.id, ballot.id)

    # Every thread puts one dot on its own card: exactly three can be accepted.
    results = run_together(app, lambda i: vote(ids[0], ids[1], cards[i].id, 1))
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, BudgetExceeded)
    ]
    assert not unexpected, unexpected
    acked = {cards[i].id for i, r in enumerate(results) if isinstance(r, voting.DotResult)}
    used, total, dots = state(ids[2], ids[1])
    assert len(acked) == 3
    assert dots == dict.fromkeys(acked, 1)  # every acknowledged dot is stored, nothing else
    assert used == total == 3


def test_double_taps_and_retries_of_the_same_set_count_once(app, make_atelier, make_participant):
    atelier = make_atelier()
    alice = make_participant(atelier)
    card = make_card(atelier)
    ballot = voting.open_ballot(atelier, BallotSettings(dots_per_participant=3))
    db.session.commit()
    ids = (atelier.id, alice.id, ballot.id)

    results = run_together(app, lambda _i: vote(ids[0], ids[1], card.id, 2))
    assert all(isinstance(r, voting.DotResult) and r.count == 2 for r in results), results
    assert sum(r.changed for r in results) == 1
    used, total, dots = state(ids[2], ids[1])
    assert used == total == 2 and dots == {card.id: 2}


def test_mixed_concurrent_sets_keep_used_equal_to_the_sum(app, make_atelier, make_participant):
    atelier = make_atelier()
    alice = make_participant(atelier)
    cards = [make_card(atelier) for _ in range(4)]
    ballot = voting.open_ballot(atelier, BallotSettings(dots_per_participant=4, max_per_card=3))
    db.session.commit()
    ids = (atelier.id, alice.id, ballot.id)

    def work(i: int) -> list[Any]:
        # Several taps per thread: add and remove on two cards, as two tabs would.
        return [vote(ids[0], ids[1], cards[(i + k) % 4].id, (i * 7 + k) % 4) for k in range(6)]

    rounds = run_together(app, work)
    failures = [r for r in rounds if isinstance(r, BaseException)]
    assert not failures, failures
    for taps in rounds:
        for r in taps:
            assert isinstance(r, voting.DotResult | BudgetExceeded), r
    used, total, dots = state(ids[2], ids[1])
    assert used == total <= 4
    assert all(0 < n <= 3 for n in dots.values())


def test_concurrent_repeats_of_one_set_apply_it_once_and_never_after_a_newer_write(
    app, make_atelier, make_participant
):
    """Issue 18.4 under concurrency: the same client_id sent by every thread at once is
    applied once (the others answer duplicate); after a newer write, a new burst of that old
    set changes nothing."""
    atelier = make_atelier()
    alice = make_participant(atelier)
    card = make_card(atelier)
    ballot = voting.open_ballot(atelier, BallotSettings(dots_per_participant=3))
    db.session.commit()
    # Plain ids: an expired test object read in a thread would query the test's own session.
    ids = (atelier.id, alice.id, ballot.id)
    card_id = card.id

    def resend(_i: int) -> Any:
        atelier_ = db.session.get(Atelier, ids[0])
        person = db.session.get(Participant, ids[1])
        result = voting.set_dots(participant_actor(person), atelier_, card_id, 2, "old-set-x")
        db.session.commit()
        return result

    first = run_together(app, resend)
    assert all(isinstance(r, voting.DotResult) for r in first), first
    assert [r.duplicate for r in first].count(False) == 1
    newer = vote(ids[0], ids[1], card_id, 0)
    assert isinstance(newer, voting.DotResult) and newer.changed
    late = run_together(app, resend)
    assert all(isinstance(r, voting.DotResult) and r.duplicate for r in late), late
    assert all(r.count == 0 for r in late)
    used, total, dots = state(ids[2], ids[1])
    assert used == total == 0 and dots == {}
