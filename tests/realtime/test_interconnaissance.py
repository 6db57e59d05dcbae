"""Protocol of the live who's who and of the tour de table (PROTOCOL.md, « Interconnaissance »)."""

import pytest

from facilitation.domain import profiles
from facilitation.extensions import db
from facilitation.models import Participant
from tests.support.csrf import form_token
from tests.support.roles import facilitator_client


def events(socket, name):
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


def in_room(socket, atelier):
    assert socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"]
    socket.get_received()
    return socket


@pytest.fixture
def phone(joined_client, make_socket):
    """Factory: ``(http_client, socket)`` of a participant in ``atelier``'s room."""

    def make(atelier, name="Nadia"):
        client = joined_client(atelier, display_name=name)
        return client, in_room(make_socket(client), atelier)

    return make


def show(name, **fields):
    participant = db.session.scalars(
        db.select(Participant).where(Participant.display_name == name)
    ).one()
    profiles.save_profile(participant, {"visible": "on"} | fields)
    db.session.commit()
    return participant


def test_a_visible_newcomer_makes_the_room_reread_the_whoswho(
    app, make_atelier, phone, make_socket
):
    atelier = make_atelier()
    other = make_atelier(event=atelier.event)
    _, nadia = phone(atelier)
    _, elsewhere = phone(other, "Léa")
    projector = in_room(make_socket(), atelier)

    client = app.test_client()
    url = f"/e/{atelier.event.slug}/rejoindre"
    response = client.post(
        url,
        data={
            "csrf_token": form_token(client, url),
            "display_name": "Karim",
            "structure": "Crous",
            "atelier_id": str(atelier.id),
            "consent": "on",
            "offers": "logement étudiant",
            "visible": "on",
        },
    )
    assert response.status_code == 303

    for socket in (nadia, projector):
        (changed,) = events(socket, "whoswho:changed")
        # Only a count goes to the room (projectors are anonymous): no names.
        assert changed == {"atelier_id": atelier.id, "visible": 1}
    assert events(elsewhere, "whoswho:changed") == []

    ack = nadia.emit("whoswho:get", {"atelier_id": atelier.id}, callback=True)
    assert ack["ok"] is True
    (group,) = ack["whoswho"]["groups"]
    assert group["structure"] == "Crous"
    assert [p["display_name"] for p in group["people"]] == ["Karim"]
    assert group["people"][0]["offers"] == ["logement étudiant"]
    assert ack["whoswho"]["hidden"] == 1  # Nadia, present without a visible profile


def test_editing_a_profile_notifies_the_room_and_hidden_profiles_stay_out(app, make_atelier, phone):
    atelier = make_atelier()
    nadia_http, nadia = phone(atelier)
    _, karim = phone(atelier, "Karim")
    url = f"/e/{atelier.event.slug}/profil"
    response = nadia_http.post(
        url,
        data={"csrf_token": form_token(nadia_http, url), "role": "Secret", "contact": "n@x.fr"},
    )
    assert response.status_code == 303
    (changed,) = events(karim, "whoswho:changed")
    assert changed["visible"] == 0
    ack = karim.emit("whoswho:get", {"atelier_id": atelier.id}, callback=True)
    assert ack["whoswho"]["groups"] == [] and ack["whoswho"]["hidden"] == 2

    nadia_http.post(
        url, data={"csrf_token": form_token(nadia_http, url), "role": "Cheffe", "visible": "on"}
    )
    assert events(karim, "whoswho:changed") == [{"atelier_id": atelier.id, "visible": 1}]
    ack = karim.emit("whoswho:get", {"atelier_id": atelier.id}, callback=True)
    person = ack["whoswho"]["groups"][0]["people"][0]
    assert person["role"] == "Cheffe" and "contact" not in person


def test_an_anonymous_viewer_cannot_read_the_whoswho(make_atelier, phone, make_socket):
    atelier = make_atelier()
    phone(atelier)
    show("Nadia", role="Directrice")
    viewer = in_room(make_socket(), atelier)
    ack = viewer.emit("whoswho:get", {"atelier_id": atelier.id}, callback=True)
    assert ack["ok"] is False and ack["code"] == "forbidden"
    (error,) = events(viewer, "app:error")
    assert error["event"] == "whoswho:get"
    assert error["message"] == "Rejoignez l'événement pour voir qui participe à cet atelier."


def test_a_facilitator_may_read_the_whoswho(app, make_atelier, phone, make_socket):
    atelier = make_atelier()
    phone(atelier)
    show("Nadia")
    facilitator = make_socket(facilitator_client(app, atelier))
    ack = facilitator.emit("whoswho:get", {"atelier_id": atelier.id}, callback=True)
    assert ack["ok"] is True and ack["whoswho"]["visible"] == 1


@pytest.mark.parametrize(
    "name,payload",
    [
        ("tour:start", {"seconds": 60}),
        ("tour:next", {}),
        ("tour:prev", {}),
        ("tour:timer", {"seconds": 30}),
        ("tour:stop", {}),
    ],
)
def test_participants_and_viewers_may_not_drive_the_tour(
    app, make_atelier, phone, make_socket, name, payload
):
    atelier = make_atelier()
    _, participant = phone(atelier)
    show("Nadia")
    viewer = in_room(make_socket(), atelier)
    elsewhere = make_atelier(event=atelier.event)
    other_facilitator = in_room(make_socket(facilitator_client(app, elsewhere)), atelier)
    for socket in (participant, viewer, other_facilitator):
        ack = socket.emit(name, {"atelier_id": atelier.id} | payload, callback=True)
        assert ack["ok"] is False and ack["code"] == "forbidden"
        (error,) = events(socket, "app:error")
        assert error["event"] == name
        assert error["message"] == "Réservé à l'animateur ou l'animatrice de cet atelier."
    for socket in (participant, viewer, other_facilitator):
        assert events(socket, "tour:changed") == []


def test_the_facilitator_steps_the_tour_and_the_room_follows(app, make_atelier, phone, make_socket):
    atelier = make_atelier()
    for name, structure in (("Nadia", "A"), ("Karim", "B"), ("Caché", "C")):
        phone(atelier, name)
        db.session.scalars(
            db.select(Participant).where(Participant.display_name == name)
        ).one().structure = structure
    db.session.commit()
    show("Nadia", role="Directrice", contact="secret@x.fr")
    show("Karim")
    projector = in_room(make_socket(), atelier)
    facilitator = in_room(make_socket(facilitator_client(app, atelier)), atelier)

    ack = facilitator.emit("tour:start", {"atelier_id": atelier.id, "seconds": 90}, callback=True)
    assert ack["ok"] is True
    (state,) = events(projector, "tour:changed")
    assert state == ack["tour"]
    assert state["person"]["display_name"] == "Nadia" and state["total"] == 2
    assert state["timer_seconds"] == 90 and state["server_time"] and state["person_started_at"]
    assert "secret@x.fr" not in repr(state)

    version = state["version"]
    ack = facilitator.emit(
        "tour:next", {"atelier_id": atelier.id, "version": version}, callback=True
    )
    assert ack["changed"] is True
    (state,) = events(projector, "tour:changed")
    assert state["person"]["display_name"] == "Karim" and state["position"] == 1

    # The same « suivant » sent again (a retry) changes nothing and broadcasts nothing.
    retry = facilitator.emit(
        "tour:next", {"atelier_id": atelier.id, "version": version}, callback=True
    )
    assert retry["ok"] is True and retry["changed"] is False
    assert events(projector, "tour:changed") == []

    facilitator.emit("tour:timer", {"atelier_id": atelier.id, "seconds": 0}, callback=True)
    (state,) = events(projector, "tour:changed")
    assert state["timer_seconds"] == 0

    got = projector.emit("tour:get", {"atelier_id": atelier.id}, callback=True)
    assert got["ok"] is True and got["tour"]["person"]["display_name"] == "Karim"


def test_a_bad_timer_is_refused_in_french(app, make_atelier, make_socket):
    atelier = make_atelier()
    facilitator = make_socket(facilitator_client(app, atelier))
    ack = facilitator.emit("tour:start", {"atelier_id": atelier.id, "seconds": -5}, callback=True)
    assert ack["ok"] is False and ack["code"] == "invalid"
    assert "secondes" in ack["errors"]["seconds"]
    ack = facilitator.emit("tour:next", {"atelier_id": atelier.id}, callback=True)
    assert ack["message"] == "Le tour de table n'est pas commencé : lancez-le d'abord."


def test_hiding_my_profile_during_the_tour_masks_me_on_the_projector_at_once(
    app, make_atelier, phone, make_socket
):
    atelier = make_atelier()
    nadia_http, _ = phone(atelier)
    show("Nadia", role="Directrice")
    projector = in_room(make_socket(), atelier)
    facilitator = make_socket(facilitator_client(app, atelier))
    started = facilitator.emit("tour:start", {"atelier_id": atelier.id}, callback=True)["tour"]
    assert started["person"]["display_name"] == "Nadia"
    projector.get_received()

    url = f"/e/{atelier.event.slug}/profil"
    nadia_http.post(url, data={"csrf_token": form_token(nadia_http, url), "role": "Directrice"})

    (state,) = events(projector, "tour:changed")
    assert state["version"] == started["version"]  # same step, new content
    assert state["person"] is None and state["hidden"] is True


def test_only_the_facilitator_gets_the_speaking_order(app, make_atelier, phone, make_socket):
    atelier = make_atelier()
    for name, structure in (("Nadia", "A"), ("Karim", "B")):
        phone(atelier, name)
        db.session.scalars(
            db.select(Participant).where(Participant.display_name == name)
        ).one().structure = structure
    db.session.commit()
    show("Nadia")
    karim = show("Karim")
    facilitator = make_socket(facilitator_client(app, atelier))
    viewer = in_room(make_socket(), atelier)

    started = facilitator.emit("tour:start", {"atelier_id": atelier.id}, callback=True)
    assert [e["display_name"] for e in started["order"]] == ["Nadia", "Karim"]
    (broadcast,) = events(viewer, "tour:changed")
    assert "order" not in broadcast
    assert "order" not in viewer.emit("tour:get", {"atelier_id": atelier.id}, callback=True)

    profiles.save_profile(karim, {})  # Karim withdraws his consent
    db.session.commit()
    got = facilitator.emit("tour:get", {"atelier_id": atelier.id}, callback=True)
    assert got["order"][1] == {"id": karim.id, "hidden": True}


def test_whoswho_and_tour_reads_do_not_spend_write_tokens(app_config, _migrated, make_atelier):
    """``whoswho:get`` and ``tour:get`` are reads: a burst of them leaves the writes intact."""
    from facilitation import create_app
    from facilitation.extensions import socketio
    from tests.realtime.test_hardening import card, join

    limited = create_app(
        app_config
        | {"RATELIMIT_ENABLED": True, "SOCKET_RATE_BURST": 2, "SOCKET_RATE_PER_SECOND": 0.001}
    )
    atelier = make_atelier()
    socket = socketio.test_client(limited, flask_test_client=join(limited, atelier, "Nadia"))
    try:
        for name in ("whoswho:get", "tour:get", "whoswho:get", "tour:get"):
            ack = socket.emit(name, {"atelier_id": atelier.id}, callback=True)
            assert ack["ok"] is True, (name, ack)
        writes = [
            socket.emit("contribution:create", card(atelier), callback=True) for _ in range(3)
        ]
        assert [w["ok"] for w in writes] == [True, True, False]
    finally:
        socket.disconnect()


def test_plain_joins_are_told_to_the_room_once_per_interval(app, make_atelier, phone, make_socket):
    """A ramp of joins without a profile: one whoswho:changed per atelier and interval, not
    one to the whole room for every phone (issue 21); a visible profile is still told at once."""
    from facilitation.push import interconnaissance

    atelier = make_atelier()
    _, nadia = phone(atelier)
    projector = in_room(make_socket(), atelier)
    for name in ("Karim", "Léa", "Zoé"):
        phone(atelier, name)
    assert events(projector, "whoswho:changed") == []
    assert interconnaissance.flush() == 1
    assert events(projector, "whoswho:changed") == [{"atelier_id": atelier.id, "visible": 0}]
    ack = nadia.emit("whoswho:get", {"atelier_id": atelier.id}, callback=True)
    assert ack["whoswho"]["hidden"] == 4
    assert interconnaissance.flush() == 0
