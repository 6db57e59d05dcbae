"""``flask demo --sample`` adds « Moi aussi » on the morning pratiques, once however often
loaded, so `make run` shows counts, who reacted, suggestions and the restitution's figures."""

from __future__ import annotations

from sqlalchemy import func, select

from facilitation.domain import reactions, restitution
from facilitation.extensions import db
from facilitation.models import Contribution, Reaction
from facilitation.ops.demo import day as demo_day
from facilitation.ops.demo import reactions as demo_reactions


def test_sample_reactions_are_stored_once_and_show_in_the_restitution(app):
    event = demo_day.load(sample=True)
    db.session.commit()
    first = db.session.scalar(select(func.count(Reaction.id)))
    demo_day.load(sample=True)
    db.session.commit()
    assert db.session.scalar(select(func.count(Reaction.id))) == first
    expected = sum(len(a) + len(b) for a, b in demo_reactions.REACTIONS.values())
    assert first == expected > 20

    canicule = db.session.scalar(
        select(Contribution).where(Contribution.client_id == "demo-ateliers_pratiques-000")
    )
    assert reactions.counts_of([canicule.id])[canicule.id] == {"nous_aussi": 6, "interesse": 3}
    model = restitution.restitution(event)
    cards = {c["titre"]: c for a in restitution.ateliers(model) for c in a["contributions"]}
    assert cards[canicule.titre]["reactions"] == {"nous_aussi": 6, "interesse": 3}
    # Nobody reacts to their own card.
    own = db.session.scalar(
        select(func.count(Reaction.id))
        .join(Contribution, Contribution.id == Reaction.contribution_id)
        .where(Contribution.participant_id == Reaction.participant_id)
    )
    assert own == 0
