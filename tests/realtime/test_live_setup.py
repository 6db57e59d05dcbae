"""Organizer edits while the day runs (PROTOCOL.md, "Organizer edits while the day runs"): an
atelier edited over HTTP reaches its open phones and projectors as a versioned
``atelier:updated``; an event's new name or branding reaches every atelier of the event as
``event:updated``; nothing else is sent, and nobody else receives it."""

from __future__ import annotations

from typing import Any

from facilitation.domain import setup as event_setup
from facilitation.extensions import db
from facilitation.models import Atelier, Event
from tests.support.csrf import form_token
from tests.support.roles import organizer_client


def received(socket: Any, name: str) -> list[dict[str, Any]]:
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


def joined(make_socket: Any, atelier: Atelier, flask_client: Any = None) -> Any:
    """A socket in the atelier's room (a phone with ``flask_client``, else a projector)."""
    socket = make_socket(flask_client)
    ack = socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    assert ack["ok"] is True, ack
    socket.get_received()  # the snapshot
    return socket


def version_of(atelier: Atelier) -> int:
    db.session.expire_all()
    return db.session.get(Atelier, atelier.id).version


def save_form(organizer: Any, url: str, form: dict[str, str], **changes: str) -> None:
    """Post an organizer form as shown (``form``) with ``changes``; it must be saved (303)."""
    data = form | changes
    data["csrf_token"] = form_token(organizer, url)
    response = organizer.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)


def edit_atelier(organizer: Any, atelier: Atelier, **changes: str) -> None:
    url = f"/organisateur/e/{atelier.event.slug}/programme/ateliers/{atelier.id}"
    save_form(organizer, url, event_setup.atelier_form(atelier), **changes)


def edit_event(organizer: Any, event: Event, **changes: str) -> None:
    save_form(
        organizer,
        f"/organisateur/e/{event.slug}/reglages",
        event_setup.event_form(event),
        **changes,
    )


def edit_sequence(organizer: Any, atelier: Atelier, **changes: str) -> None:
    sequence = atelier.sequence
    url = f"/organisateur/e/{atelier.event.slug}/programme/sequences/{sequence.id}"
    save_form(organizer, url, event_setup.sequence_form(sequence), **changes)


def test_an_atelier_edited_over_http_reaches_phones_and_projectors_live(
    app, make_atelier, joined_client, make_socket
):
    atelier = make_atelier(title="Isolement", question="Qu'est-ce qui a marché ?", room="")
    other = make_atelier(event=atelier.event, title="Numérique")
    organizer = organizer_client(app, atelier.event)
    phone = joined(make_socket, atelier, joined_client(atelier, display_name="Nadia"))
    projector = joined(make_socket, atelier)
    elsewhere = joined(make_socket, other)
    before = version_of(atelier)

    edit_atelier(
        organizer,
        atelier,
        title="Isolement des aînés",
        question="<b>Qui</b> appeler en premier ?",
        room="Salle Ravel",
    )

    for socket in (phone, projector):
        [message] = received(socket, "atelier:updated")
        assert message["atelier_id"] == atelier.id
        assert message["version"] == before + 1 == version_of(atelier)
        shown = message["atelier"]
        assert (shown["title"], shown["question"], shown["room"]) == (
            "Isolement des aînés",
            "<b>Qui</b> appeler en premier ?",  # data: the page puts it in with textContent
            "Salle Ravel",
        )
        assert shown["event"] == {"slug": atelier.event.slug, "title": atelier.event.title}
    assert received(elsewhere, "atelier:updated") == []

    # A rejoin's snapshot holds the same atelier and version: a screen that was away agrees.
    ack = phone.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    [snapshot] = received(phone, "atelier:snapshot")
    assert ack["version"] == snapshot["version"] == before + 1
    assert snapshot["atelier"]["title"] == "Isolement des aînés"


def test_a_renamed_sequence_reaches_the_screens_of_its_ateliers_only(
    app, make_atelier, make_socket
):
    atelier = make_atelier(title="Isolement")
    sibling = make_atelier(event=atelier.event, title="Numérique")  # same sequence
    assert sibling.sequence_id == atelier.sequence_id
    organizer = organizer_client(app, atelier.event)
    screens = [joined(make_socket, atelier), joined(make_socket, sibling)]
    before = [version_of(atelier), version_of(sibling)]

    edit_sequence(organizer, atelier, ends_at="12:30")  # a time: no header shows it
    assert [received(s, "atelier:updated") for s in screens] == [[], []]

    edit_sequence(organizer, atelier, title="Ateliers du matin")
    for screen, target, version in zip(screens, (atelier, sibling), before, strict=True):
        [message] = received(screen, "atelier:updated")
        assert message["atelier_id"] == target.id
        assert message["version"] == version + 1 == version_of(target)
        assert message["atelier"]["sequence"]["title"] == "Ateliers du matin"
        assert message["atelier"]["title"] == target.title


def test_an_edit_no_screen_shows_sends_nothing(app, make_atelier, make_socket):
    atelier = make_atelier(title="Isolement")
    organizer = organizer_client(app, atelier.event)
    projector = joined(make_socket, atelier)
    before = version_of(atelier)

    edit_atelier(organizer, atelier, capacity="30", facilitators="Samia")  # the organizer's
    edit_atelier(organizer, atelier)  # saved again as it is

    assert received(projector, "atelier:updated") == []
    assert version_of(atelier) == before


def test_a_refused_edit_sends_nothing(app, make_atelier, make_socket):
    atelier = make_atelier(title="Isolement")
    make_atelier(event=atelier.event, title="Numérique")
    organizer = organizer_client(app, atelier.event)
    projector = joined(make_socket, atelier)
    url = f"/organisateur/e/{atelier.event.slug}/programme/ateliers/{atelier.id}"
    data = event_setup.atelier_form(atelier) | {"title": "Numérique", "question": "Autre ?"}
    data["csrf_token"] = form_token(organizer, url)

    assert organizer.post(url, data=data).status_code == 422  # same title in the sequence

    assert received(projector, "atelier:updated") == []
    assert db.session.get(Atelier, atelier.id).question == "Quoi ?"


def test_a_renamed_event_reaches_every_atelier_of_the_event_only(app, make_atelier, make_socket):
    atelier = make_atelier(title="Isolement")
    afternoon = make_atelier(event=atelier.event, kind="ateliers_chantiers", title="Veille")
    foreign = make_atelier(title="Ailleurs")
    organizer = organizer_client(app, atelier.event)
    screens = [joined(make_socket, a) for a in (atelier, afternoon)]
    stranger = joined(make_socket, foreign)
    versions = [version_of(atelier), version_of(afternoon)]

    edit_event(organizer, atelier.event, title="Journée des solidarités", brand_name="Réseau 78")

    for socket in screens:
        [message] = received(socket, "event:updated")
        assert message["event_id"] == atelier.event.id
        assert message["event"]["title"] == "Journée des solidarités"
        assert message["brand"]["name"] == "Réseau 78"
        assert message["brand"]["css_url"] == ""  # no colour chosen
    assert received(stranger, "event:updated") == []
    # Event-wide, like an announcement: no atelier version moves.
    assert [version_of(atelier), version_of(afternoon)] == versions

    edit_event(organizer, atelier.event)  # saved again unchanged: nothing to redraw
    assert all(received(socket, "event:updated") == [] for socket in screens)
