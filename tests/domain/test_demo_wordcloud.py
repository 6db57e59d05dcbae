"""``flask demo --sample`` adds a closed « en un mot » cloud with 25 phones' words in a
morning atelier, once however often it is loaded, and the restitution shows it."""

from __future__ import annotations

from sqlalchemy import func, select

from facilitation.domain import restitution
from facilitation.extensions import db
from facilitation.models import CloudWord, WordCloud
from facilitation.ops.demo import day as demo_day


def test_the_sample_day_has_a_closed_cloud_of_25_phones_once(app):
    event = demo_day.load(sample=True)
    db.session.commit()
    demo_day.load(sample=True)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(WordCloud)) == 1
    assert db.session.scalar(select(func.count()).select_from(CloudWord)) == 75
    model = restitution.restitution(event)
    clouds = [c for a in restitution.ateliers(model) for c in a["clouds"]]
    (cloud,) = clouds
    assert cloud["status"] == "clos" and cloud["phones"] == 25
    top = cloud["words"][0]
    # « Solidarité », « solidarités », « solidarite » … one word, counted once per phone.
    assert top["label"] == "solidarité" and top["count"] >= 15
    assert any(w["label"] == "lien social" and w["count"] == 4 for w in cloud["words"])
