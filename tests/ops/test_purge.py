"""``flask purge SLUG`` and ``flask purge --due`` (facilitation/ops/purge.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from facilitation.domain import privacy
from facilitation.extensions import db
from facilitation.models import Contribution, Participant, Profile
from tests.support.restitution_day import build_sample_day

DEPLOY = Path(__file__).resolve().parents[2] / "facilitation" / "ops" / "deploy"


def _day(make_event, make_atelier, make_participant):
    day = build_sample_day(make_event, make_atelier, make_participant)
    from facilitation.domain import profiles

    profiles.save_profile(day.people["alice"], {"role": "CESF", "visible": "on"})
    db.session.commit()
    return day


def _names() -> set[str]:
    return set(db.session.scalars(select(Participant.display_name)))


def test_dry_run_shows_the_summary_and_changes_nothing(
    app, make_event, make_atelier, make_participant
):
    day = _day(make_event, make_atelier, make_participant)
    result = app.test_cli_runner().invoke(args=["purge", day.event.slug, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "5  participant·es anonymisé·es" in result.output
    assert "1  profils supprimés" in result.output
    assert "Simulation" in result.output
    db.session.expire_all()
    assert "Alice" in _names()


def test_asks_before_purging_and_a_no_keeps_everything(
    app, make_event, make_atelier, make_participant
):
    day = _day(make_event, make_atelier, make_participant)
    result = app.test_cli_runner().invoke(args=["purge", day.event.slug], input="n\n")
    assert result.exit_code == 1
    assert "Aborted" in result.output
    db.session.expire_all()
    assert "Alice" in _names()


def test_purge_with_confirmation_then_again_is_a_no_op(
    app, make_event, make_atelier, make_participant
):
    day = _day(make_event, make_atelier, make_participant)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["purge", day.event.slug], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Données personnelles supprimées" in result.output
    db.session.expire_all()
    assert _names() == {""}
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 0
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 5
    again = runner.invoke(args=["purge", day.event.slug, "--yes"])
    assert again.exit_code == 0, again.output
    assert "déjà purgé" in again.output


def test_due_purges_only_events_past_their_date(app, make_event, make_atelier, make_participant):
    past = _day(make_event, make_atelier, make_participant)
    future = _day(make_event, make_atelier, make_participant)
    yesterday = date.today() - timedelta(days=1)
    privacy.privacy_of(past.event, create=True).purge_after = max(yesterday, past.event.date)
    privacy.privacy_of(future.event, create=True).purge_after = date.today() + timedelta(days=30)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge", "--due"])
    assert result.exit_code == 0, result.output
    assert past.event.slug in result.output and future.event.slug not in result.output
    db.session.expire_all()
    assert db.session.get(Participant, past.people["alice"].id).display_name == ""
    assert db.session.get(Participant, future.people["alice"].id).display_name == "Alice"
    quiet = app.test_cli_runner().invoke(args=["purge", "--due"])
    assert "Aucun événement à purger" in quiet.output


def test_slug_or_due_and_unknown_event(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["purge"]).exit_code == 2
    unknown = runner.invoke(args=["purge", "nulle-part", "--yes"])
    assert unknown.exit_code == 1


def test_the_timer_runs_the_due_purge():
    service = (DEPLOY / "facilitation-purge.service").read_text()
    timer = (DEPLOY / "facilitation-purge.timer").read_text()
    assert "flask --app facilitation purge --due" in service
    assert "OnCalendar=" in timer and "Persistent=true" in timer
