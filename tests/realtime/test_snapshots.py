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


def test_a_dot_keeps_the_shared_part_and_the_next_join_has_it(  # type: ignore[no-untyped-def]
    app, room, make_socket
) -> None:
    """A vote burst commits a dot after another: the wall cached for joins stays valid
    (domain/walls.py), and a joining voter still gets their own dots."""
    from tests.support.voting import facilitator_client

    atelier, nadia, karim = room
    console = make_socket(facilitator_client(app, atelier))
    opened = console.emit("vote:open", {"atelier_id": atelier.id}, callback=True)
    assert opened["ok"], opened
    card_id = snapshot(nadia, atelier.id)["contributions"][0]["id"]
    cache = snapshots.cache(app)
    builds = cache.builds
    tap = {"client_id": new_client_id(), "atelier_id": atelier.id, "contribution_id": card_id}
    assert karim.emit("dot:set", {**tap, "count": 1}, callback=True)["ok"]
    again = snapshot(karim, atelier.id)
    assert cache.builds == builds  # the dot's commit did not drop the cached wall
    assert again["vote"]["mine"]["dots"] == {str(card_id): 1}


def test_a_new_participant_keeps_the_shared_part_a_renamed_one_drops_it(  # type: ignore[no-untyped-def]
    app, room, joined_client, make_socket
) -> None:
    atelier, nadia, karim = room
    cache = snapshots.cache(app)
    nadia_id = snapshot(nadia, atelier.id)["contributions"][0]["author"]["id"]
    builds = cache.builds
    newcomer = make_socket(joined_client(atelier, display_name="Zoé"))  # a join commits
    snapshot(newcomer, atelier.id)
    assert cache.builds == builds
    # Nadia joins again under another name: her card's author changes, the wall is read again.
    renamed = app.test_client()  # her browser: its cookie names her
    with renamed.session_transaction() as session:
        session["participants"] = {str(atelier.event_id): nadia_id}
    from tests.support.csrf import form_token

    url = f"/e/{atelier.event.slug}/rejoindre"
    response = renamed.post(
        url,
        data={
            "csrf_token": form_token(renamed, url),
            "display_name": "Nadia B.",
            "structure": "CCAS",
            "commune": "Le Pecq",
            "atelier_id": str(atelier.id),
            "consent": "on",
        },
    )
    assert response.status_code == 303
    after = snapshot(karim, atelier.id)
    assert after["contributions"][0]["author"]["display_name"] == "Nadia B."
