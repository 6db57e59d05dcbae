"""``flask demo --sample`` runs votes as on the day: rounds moved by the facilitation team,
dots placed by the people in the room, results revealed; so the restitution ranks the
chantiers with their dots. Loading twice stores everything once."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from facilitation.domain import restitution, voting
from facilitation.domain.contributions import create_contribution
from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.models import (
    Ballot,
    Dot,
    FacilitatorLink,
    Participant,
    Round,
    RoundTransition,
    VoterBudget,
)
from facilitation.models.round import Phase
from facilitation.ops.demo import day as demo_day
from facilitation.ops.demo import votes as demo_votes
from tests.support.roles import organizer_client


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored() -> tuple[int, ...]:
    """Every row a vote writes, to compare two loads."""
    return (
        count(Ballot),
        count(Dot),
        db.session.scalar(select(func.coalesce(func.sum(Dot.count), 0))),
        count(VoterBudget),
        count(Round),
        count(RoundTransition),
        count(FacilitatorLink),
    )


def ateliers(event, kind):
    return next(s for s in event.sequences if s.kind == kind).ateliers


def test_sample_votes_rank_the_chantiers_once_however_often_loaded(app):
    event = demo_day.load(sample=True)
    db.session.commit()
    first = stored()
    demo_day.load(sample=True)
    db.session.commit()
    assert stored() == first

    expected_dots = sum(
        n for _k, _i, ballots in demo_votes.VOTES for _p, d in ballots for n in d.values()
    )
    ballots, dots, total, budgets, _rounds, transitions, links = first
    assert (ballots, total) == (len(demo_votes.VOTES), expected_dots) == (7, 74)
    assert transitions == 2 * ballots  # contributions → vote → résultats, nothing else
    assert links == 1  # the facilitation team's link, made once
    for budget in db.session.scalars(select(VoterBudget)):
        assert budget.used <= budget.budget == 3

    # The restitution: every voted chantier atelier ranked, most dots first, ties shared.
    model = restitution.restitution(event)
    by_title = {a["title"]: a for a in restitution.ateliers(model)}
    assert model["figures"]["dots"] == 74
    abs_ = by_title[demo_day.CHANTIERS[0]["title"]]
    ranked = [(c["rank"], c["dots"], c["titre"]) for c in restitution.top(abs_, "top_chantiers")]
    assert ranked == [
        (1, 7, "Un observatoire social partagé de la Boucle"),
        (2, 6, "Un annuaire partagé des structures sociales de la Boucle"),
        (3, 5, "Mutualiser l'enquête auprès des publics non recourants"),
    ]
    veille = by_title[demo_day.CHANTIERS[2]["title"]]["contributions"]
    assert [(c["rank"], c["dots"], c["tied"]) for c in veille] == [(1, 6, True), (1, 6, True)]
    for spec in demo_day.CHANTIERS[:4]:
        atelier = by_title[spec["title"]]
        assert atelier["dots"] > 0 and atelier["top_chantiers"], spec["title"]

    # Through the round state machine, by the facilitation team's link, audited.
    for kind, index, _ballots in demo_votes.VOTES:
        atelier = ateliers(event, kind)[index]
        assert current_round(atelier).phase == Phase.RESULTATS.value
        assert voting.current_ballot(atelier).status == "révélé"
        audit = db.session.scalars(
            select(RoundTransition)
            .join(Round, Round.id == RoundTransition.round_id)
            .where(Round.atelier_id == atelier.id)
            .order_by(RoundTransition.id)
        ).all()
        assert [(t.from_phase, t.to_phase, t.reason) for t in audit] == [
            ("contributions", "vote", "manual"),
            ("vote", "resultats", "manual"),
        ]
        assert {t.actor_label for t in audit} == {demo_votes.FACILITATOR_LABEL}


def test_the_demo_keeps_live_ateliers_to_post_on(app):
    event = demo_day.load(sample=True)
    db.session.commit()
    live = [ateliers(event, "ateliers_pratiques")[0], ateliers(event, "ateliers_chantiers")[-1]]
    for atelier in live:
        assert current_round(atelier).phase == Phase.CONTRIBUTIONS.value
        assert voting.current_ballot(atelier) is None
    nadia = db.session.scalar(select(Participant).where(Participant.display_name == "Nadia B."))
    nadia.current_atelier_id = live[0].id
    card, version = create_contribution(
        nadia, live[0], {"client_id": "demo-test-live-card", "titre": "Une carte de plus"}
    )
    assert card.id and version


def test_the_organizer_restitution_page_shows_the_ranked_dots(app):
    event = demo_day.load(sample=True)
    db.session.commit()
    html = organizer_client(app, event).get(f"/organisateur/e/{event.slug}/restitution")
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    counts = [int(n) for n in re.findall(r'class="dots" data-dots="(\d+)"', page)]
    assert 7 in counts and sum(1 for n in counts if n > 0) >= 10
    first = page.index("Un observatoire social partagé de la Boucle")
    assert first < page.index("Un annuaire partagé des structures sociales de la Boucle")
