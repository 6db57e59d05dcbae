"""Model-based property test of the dot budget.

Random sequences of set / remove / merge / scribe operations run against the database and
against a plain in-memory model; after every step the two agree, and the invariants hold:
no budget exceeded, no negative count, the per-card maximum respected, ``used`` equal to the
sum of the voter's dots, the tally's total equal to the sum of all counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from facilitation.domain import voting
from facilitation.domain.errors import ValidationError
from facilitation.domain.voting import BallotSettings, BudgetExceeded
from facilitation.extensions import db
from facilitation.models import Dot, VoterBudget
from tests.support.voting import facilitator_actor, make_card, participant_actor

PEOPLE = 2
CARDS = 4
LABELS = ("Papier", "Main levée")

set_op = st.tuples(
    st.just("set"), st.integers(0, PEOPLE - 1), st.integers(0, CARDS - 1), st.integers(0, 3)
)
merge_op = st.tuples(
    st.just("merge"), st.integers(0, CARDS - 1), st.integers(0, CARDS - 1), st.just(0)
)
remove_op = st.tuples(st.just("remove"), st.integers(0, CARDS - 1), st.just(0), st.just(0))
scribe_op = st.tuples(
    st.just("scribe"), st.integers(0, len(LABELS) - 1), st.integers(0, CARDS - 1), st.integers(0, 9)
)
# Sets dominate, as in a real vote; merges and removals end cards, so they are rarer.
operations = st.lists(
    st.one_of(set_op, set_op, set_op, set_op, set_op, scribe_op, merge_op, remove_op),
    min_size=8,
    max_size=40,
)


@dataclass
class Model:
    budget: int
    max_per_card: int
    dots: dict[tuple[int, int], int] = field(default_factory=dict)  # (person, card) → n
    scribe: dict[tuple[int, int], int] = field(default_factory=dict)  # (label, card) → n
    gone: set[int] = field(default_factory=set)

    def used(self, person: int) -> int:
        return sum(n for (p, _), n in self.dots.items() if p == person)

    def set(self, person: int, card: int, n: int) -> str:
        if n > self.max_per_card:
            return "invalid"
        current = self.dots.get((person, card), 0)
        if self.used(person) - current + n > self.budget:
            return "budget"
        self._store(self.dots, (person, card), n)
        return "ok"

    def merge(self, target: int, source: int) -> None:
        for person in range(PEOPLE):
            moved = self.dots.pop((person, source), 0)
            if moved:
                total = self.dots.get((person, target), 0) + moved
                self.dots[(person, target)] = min(total, self.max_per_card)
        for label in range(len(LABELS)):
            moved = self.scribe.pop((label, source), 0)
            if moved:
                self.scribe[(label, target)] = self.scribe.get((label, target), 0) + moved
        self.gone.add(source)

    def remove(self, card: int) -> None:
        self.dots = {k: n for k, n in self.dots.items() if k[1] != card}
        self.scribe = {k: n for k, n in self.scribe.items() if k[1] != card}
        self.gone.add(card)

    @staticmethod
    def _store(table: dict[tuple[int, int], int], key: tuple[int, int], n: int) -> None:
        if n:
            table[key] = n
        else:
            table.pop(key, None)


@pytest.mark.parametrize(("budget", "max_per_card"), [(3, 2), (4, 3), (2, 2), (3, 3)])
@settings(
    max_examples=35,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Known tricky sequences, always run: a merge above the per-card maximum (refund), a removal.
@example(ops=[("set", 0, 0, 2), ("set", 0, 1, 1), ("merge", 0, 1, 0), ("set", 0, 2, 1)])
@example(ops=[("set", 1, 3, 1), ("remove", 3, 0, 0), ("set", 1, 0, 2), ("scribe", 0, 0, 4)])
@given(ops=operations)
def test_budget_invariants_hold_over_any_sequence(
    make_atelier, make_participant, budget, max_per_card, ops
):
    # Each example owns a fresh atelier: examples never see each other's dots.
    atelier = make_atelier()
    people = [make_participant(atelier) for _ in range(PEOPLE)]
    cards = [make_card(atelier, titre=f"Carte {i}") for i in range(CARDS)]
    facilitator = facilitator_actor(atelier)
    ballot = voting.open_ballot(atelier, BallotSettings(budget, max_per_card))
    db.session.commit()
    model = Model(budget, max_per_card)

    for kind, a, b, n in ops:
        if kind == "set":
            if b in model.gone:
                continue
            expected = model.set(a, b, n)
            try:
                result = voting.set_dots(participant_actor(people[a]), atelier, cards[b].id, n)
            except BudgetExceeded:
                outcome = "budget"
            except ValidationError:
                outcome = "invalid"
            else:
                outcome = "ok"
                assert result.count == n
                assert result.dots_left == budget - model.used(a)
            assert outcome == expected, (kind, a, b, n)
        elif kind == "merge":
            if a == b or a in model.gone or b in model.gone:
                continue
            voting.on_merge(cards[a], cards[b])
            model.merge(a, b)
        elif kind == "remove":
            if a in model.gone:
                continue
            voting.on_card_removed(cards[a])
            model.remove(a)
        else:
            if b in model.gone:
                continue
            voting.scribe_set(facilitator, atelier, cards[b].id, LABELS[a], n)
            Model._store(model.scribe, (a, b), n)
        db.session.commit()
        check(ballot.id, people, cards, model)


def check(ballot_id, people, cards, model: Model) -> None:
    card_index = {c.id: i for i, c in enumerate(cards)}
    person_index = {p.id: i for i, p in enumerate(people)}
    stored: dict[tuple[int, int], int] = {}
    scribe: dict[tuple[int, int], int] = {}
    for dot in db.session.scalars(select(Dot).where(Dot.ballot_id == ballot_id)):
        assert dot.count > 0
        if dot.scribe:
            scribe[(LABELS.index(dot.scribe_label), card_index[dot.contribution_id])] = dot.count
        else:
            assert dot.count <= model.max_per_card
            stored[(person_index[dot.participant_id], card_index[dot.contribution_id])] = dot.count
    assert stored == model.dots
    assert scribe == model.scribe
    for budget_row in db.session.scalars(
        select(VoterBudget).where(VoterBudget.ballot_id == ballot_id)
    ):
        person = person_index[budget_row.participant_id]
        assert 0 <= budget_row.used <= budget_row.budget == model.budget
        assert budget_row.used == model.used(person)
    total = db.session.scalar(
        select(func.coalesce(func.sum(Dot.count), 0)).where(Dot.ballot_id == ballot_id)
    )
    ballot = voting.current_ballot(cards[0].atelier)
    assert voting.tally(ballot)["dots_counted"] == total
    assert total == sum(model.dots.values()) + sum(model.scribe.values())
