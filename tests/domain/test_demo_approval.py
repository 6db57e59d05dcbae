"""``flask demo --sample`` shows issue 20: an anonymous round, a card waiting in the console's
queue and a declined one with its reason; loading twice stores them once."""

from __future__ import annotations

from sqlalchemy import func, select

from facilitation.domain import approval
from facilitation.domain.snapshot import contribution_dict
from facilitation.extensions import db
from facilitation.models import Contribution
from facilitation.ops.demo import day as demo_day


def test_the_sample_has_an_anonymous_round_and_an_approval_queue(app):
    event = demo_day.load(sample=True)
    db.session.commit()
    demo_day.load(sample=True)
    db.session.commit()
    pratiques = next(s for s in event.sequences if s.kind == "ateliers_pratiques")
    atelier = pratiques.ateliers[demo_day.SENSITIVE_ATELIER]
    assert atelier.card_approval is True
    assert [c.titre for c in approval.queue(atelier)] == [demo_day.SAMPLE_QUEUE[0][1]]
    declined = db.session.scalars(
        select(Contribution).where(Contribution.status == "declined")
    ).all()
    assert [c.decline_reason for c in declined] == [demo_day.SAMPLE_QUEUE[1][3]]
    signed = db.session.scalars(
        select(Contribution).where(Contribution.atelier_id == atelier.id, Contribution.visible)
    ).all()
    assert signed and all(contribution_dict(c)["author"] is None for c in signed)
    assert db.session.scalar(
        select(func.count())
        .select_from(Contribution)
        .where(Contribution.client_id.like("demo-queue-%"))
    ) == len(demo_day.SAMPLE_QUEUE)
