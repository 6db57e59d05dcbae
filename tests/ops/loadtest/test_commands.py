"""``flask loadtest`` refuses real events and foreign URLs before any connection;
``flask loadtest-event`` creates and removes only throwaway events."""

from __future__ import annotations

from facilitation.extensions import db
from facilitation.models import Event


def test_refuses_a_real_event_slug(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(
        args=["loadtest", "--url", "http://127.0.0.1:9", "--event", "rencontres-2021",
              "--participants", "1", "--ateliers", "1", "--duration", "1"]
    )  # fmt: skip
    assert result.exit_code != 0
    assert "loadtest-" in result.output


def test_refuses_a_bad_url(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(
        args=["loadtest", "--url", "ftp://127.0.0.1", "--token", "t",
              "--participants", "1", "--ateliers", "1", "--duration", "1"]
    )  # fmt: skip
    assert result.exit_code != 0
    assert "adresse invalide" in result.output


def test_needs_a_token_or_a_loadtest_event(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(
        args=["loadtest", "--url", "http://127.0.0.1:9",
              "--participants", "1", "--ateliers", "1", "--duration", "1"],
        env={"LOADTEST_TOKEN": ""},
    )  # fmt: skip
    assert result.exit_code != 0
    assert "--token" in result.output


def test_loadtest_event_create_then_remove(app) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    created = runner.invoke(args=["loadtest-event", "create", "--ateliers", "2"])
    assert created.exit_code == 0, created.output
    slug = created.output.strip()
    assert slug.startswith("loadtest-")
    db.session.remove()
    removed = runner.invoke(args=["loadtest-event", "remove", slug])
    assert removed.exit_code == 0, removed.output
    db.session.remove()
    assert db.session.query(Event).filter_by(slug=slug).count() == 0


def test_loadtest_event_remove_refuses_a_real_event(app, make_event) -> None:  # type: ignore[no-untyped-def]
    real = make_event()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["loadtest-event", "remove", real.slug])
    assert result.exit_code != 0
    assert db.session.get(Event, real.id) is not None
