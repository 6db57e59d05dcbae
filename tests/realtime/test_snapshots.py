"""Joins share the snapshot's common part (facilitation/realtime/snapshots.py) only while it
is still the truth: same version, no commit since, younger than SNAPSHOT_CACHE_SECONDS; the
personal parts (own dots, presence count) are read for every join."""

from __future__ import annotations

from typing import Any

import pytest

from facilitation.extensions import db
from facilitation.models import Contribution, Participant
from facilitation.realtime import snapshots
from tests.conftest import new_client_id


def snapshot(socket: Any, atelier_id: int) -> dict[str, Any]:
    socket.get_received()
    assert socket.emit("atelier:join", {"atelier_id": atelier_id}, callback=True)["ok"]
    (found,) = [r["args"][0] for r in socket.get_received() if r["name"] == "atelier:snapshot"]
    return found


@pytest.fixture
def room(make_atelier, joined_client, make_socket):  # type: ignore[no-untyped-def]
    atelier = make_atelier()
    nadia = make_socket(joined_client(atelier, display_name="Nadia"))
    karim = make_socket(joined_client(atelier, display_name="Karim"))
    ack = nadia.emit(
        "contribution:create",
        {"client_id": new_client_id(), "atelier_id": atelier.id, "titre": "Première carte"},
        callback=True,
    )
    assert ack["ok"], ack
    return atelier, nadia, karim


def shared_keys(snap: dict[str, Any]) -> dict[str, Any]:
    return {k: snap[k] for k in ("atelier", "version", "contributions", "chantiers",
                                 "categories", "projector")}  # fmt: skip


def test_joins_without_change_share_the_common_part(app, room) -> None:  # type: ignore[no-untyped-def]
    atelier, nadia, karim = room
    cache = snapshots.cache(app)
    first = snapshot(nadia, atelier.id)
    builds = cache.builds
    second = snapshot(karim, atelier.id)
    assert cache.builds == builds and cache.hits >= 1  # reused, not read again
    assert shared_keys(second) == shared_keys(first)
    assert [c["titre"] for c in second["contributions"]] == ["Première carte"]
    assert second["connected"] == 2  # personal and live parts are per join


def test_a_new_card_is_in_the_next_snapshot(app, room) -> None:  # type: ignore[no-untyped-def]
    atelier, nadia, karim = room
    snapshot(nadia, atelier.id)
    ack = karim.emit(
        "contribution:create",
        {"client_id": new_client_id(), "atelier_id": atelier.id, "titre": "Deuxième"},
        callback=True,
    )
    assert ack["ok"], ack
    again = snapshot(nadia, atelier.id)
    assert again["version"] == ack_version(atelier.id)
    assert {c["titre"] for c in again["contributions"]} == {"Première carte", "Deuxième"}


def ack_version(atelier_id: int) -> int:
    from facilitation.models import Atelier

    db.session.expire_all()
    return db.session.get(Atelier, atelier_id).version


def test_a_commit_that_does_not_bump_the_version_is_seen_at_the_next_join(app, room) -> None:  # type: ignore[no-untyped-def]
    atelier, nadia, karim = room
    before = snapshot(nadia, atelier.id)
    assert before["contributions"][0]["author"]["display_name"] == "Nadia"
    author = db.session.get(Participant, before["contributions"][0]["author"]["id"])
    author.display_name = "Nadia B."  # a profile edit: no atelier version bump
    db.session.commit()
    after = snapshot(karim, atelier.id)
    assert after["version"] == before["version"]
    assert after["contributions"][0]["author"]["display_name"] == "Nadia B."


def test_entries_expire_after_snapshot_cache_seconds(app, room, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    atelier, nadia, karim = room
    cache = snapshots.cache(app)
    clock = [1000.0]
    monkeypatch.setattr(snapshots.time, "monotonic", lambda: clock[0])
    snapshot(nadia, atelier.id)
    builds = cache.builds
    clock[0] += 0.5
    snapshot(karim, atelier.id)
    assert cache.builds == builds
    clock[0] += 1.0  # older than the default 1 s
    snapshot(karim, atelier.id)
    assert cache.builds == builds + 1


def test_zero_seconds_turns_the_cache_off(app, room) -> None:  # type: ignore[no-untyped-def]
    atelier, nadia, karim = room
    app.config["SNAPSHOT_CACHE_SECONDS"] = 0
    cache = snapshots.cache(app)
    snapshot(nadia, atelier.id)
    snapshot(karim, atelier.id)
    assert cache.hits == 0


def test_hidden_cards_read_by_a_console_never_reach_the_shared_part(app, room) -> None:  # type: ignore[no-untyped-def]
    atelier, nadia, karim = room
    card = db.session.query(Contribution).filter_by(atelier_id=atelier.id).one()
    card.hidden = True
    db.session.commit()
    from facilitation.domain.snapshot import atelier_snapshot

    console_view = atelier_snapshot(atelier, 0, moderation=True)
    assert [c["titre"] for c in console_view["contributions"]] == ["Première carte"]
    assert snapshot(nadia, atelier.id)["contributions"] == []
    assert snapshot(karim, atelier.id)["contributions"] == []
