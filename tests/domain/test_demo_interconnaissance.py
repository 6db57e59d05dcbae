"""``flask demo --sample`` gives some sample people a profile, once, with matches to show."""

from sqlalchemy import func, select

from facilitation.domain import matching, profiles
from facilitation.extensions import db
from facilitation.models import Participant, Profile
from facilitation.ops.demo import day as demo_day


def test_sample_profiles_are_idempotent_and_make_matches(app):
    event = demo_day.load(sample=True)
    db.session.commit()
    demo_day.load(sample=True)
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(Profile)) == 6
    # The ten sample people and the fifteen more phones of the « en un mot » cloud.
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 25
    visible = profiles.visible_in_event(event)
    assert len(visible) == 5  # Marc V. did not consent
    karim = next(p for p, _ in visible if p.display_name == "Karim A.")
    found = matching.matches_for(karim)
    assert found and found[0].other.display_name == "Fatou S."
    assert any("épicerie solidaire" in s for s in found[0].sentences)
    atelier = karim.current_atelier
    assert atelier is not None and profiles.whoswho(atelier)["visible"] == 5
