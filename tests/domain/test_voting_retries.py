"""Property test of ``dot:set`` retries (issue 18.4): one voter, two tabs, and any of their
earlier sets resent at any time (an ack lost, the phone's outbox resending it).

Whatever the interleaving, a set already applied is answered ``duplicate`` and changes
nothing, and the stored dots always equal, card by card, the last acknowledged write that
was not a duplicate. Before the fix, a late retry was applied again and undid newer writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from facilitation.domain import voting
from facilitation.domain.voting import BallotSettings, BudgetExceeded
from facilitation.extensions import db
from facilitation.models import Dot
from tests.support.voting import make_card, participant_actor

CARDS = 3
BUDGET = 3
MAX_PER_CARD = 2

# ("new", card, count): a tab sends a new set; ("retry", k, _): the k-th earlier send again.
new_op = st.tuples(st.just("new"), st.integers(0, CARDS - 1), st.integers(0, MAX_PER_CARD))
retry_op = st.tuples(st.just("retry"), st.integers(0, 1_000), st.just(0))
operations = st.lists(st.one_of(new_op, retry_op), min_size=4, max_size=30)


@dataclass
class Model:
    dots: dict[int, int] = field(default_factory=dict)
    applied: set[str] = field(default_factory=set)
    #: card → count of its last acknowledged, non-duplicate write.
    last_ack: dict[int, int] = field(default_factory=dict)

    def send(self, client_id: str, card: int, n: int) -> str:
        if client_id in self.applied:
            return "duplicate"
        used = sum(self.dots.values()) - self.dots.get(card, 0) + n
        if used > BUDGET:
            return "budget"
        self.applied.add(client_id)
        self.last_ack[card] = n
        if n:
            self.dots[card] = n
        else:
            self.dots.pop(card, None)
        return "ok"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The scenario, then the same with a third write between and a refused retry.
@example(ops=[("new", 0, 2), ("new", 0, 0), ("retry", 0, 0)])
@example(ops=[("new", 0, 2), ("new", 0, 0), ("new", 0, 1), ("retry", 0, 0), ("retry", 1, 0)])
@example(ops=[("new", 0, 2), ("new", 1, 1), ("new", 2, 1), ("new", 0, 0), ("retry", 2, 0)])
@given(ops=operations)
def test_retries_never_undo_an_acknowledged_write(make_atelier, make_participant, ops):
    atelier = make_atelier()
    voter = make_participant(atelier)
    cards = [make_card(atelier, titre=f"Carte {i}") for i in range(CARDS)]
    ballot = voting.open_ballot(atelier, BallotSettings(BUDGET, MAX_PER_CARD))
    db.session.commit()
    actor = participant_actor(voter)
    model = Model()
    sent: list[tuple[str, int, int]] = []

    for kind, a, n in ops:
        if kind == "new":
            message = (f"set-{len(sent):04d}-{a}-{n}", a, n)
            sent.append(message)
        elif sent:
            message = sent[a % len(sent)]
        else:
            continue
        client_id, card, count = message
        expected = model.send(client_id, card, count)
        try:
            result = voting.set_dots(actor, atelier, cards[card].id, count, client_id)
        except BudgetExceeded:
            db.session.rollback()
            outcome = "budget"
        else:
            db.session.commit()
            outcome = "duplicate" if result.duplicate else "ok"
            # Every answer carries the state as stored now.
            assert result.count == model.dots.get(card, 0)
            assert result.mine["dots"] == {str(cards[c].id): k for c, k in model.dots.items()}
        assert outcome == expected, (message, ops)

        stored = {
            cards.index(next(c for c in cards if c.id == cid)): k
            for cid, k in db.session.execute(
                select(Dot.contribution_id, Dot.count).where(
                    Dot.ballot_id == ballot.id, Dot.participant_id == voter.id
                )
            )
        }
        assert stored == model.dots
        assert {c: k for c, k in model.last_ack.items() if k} == stored
