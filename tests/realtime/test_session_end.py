"""Logout, a password change, a removal from the team and a revoked facilitator link cut live
access at once (issue 18.9): the open sockets are told (``session:ended``) and disconnected,
and every later event of that identity is refused server-side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import socketio as python_socketio
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio.test_client import SocketIOTestClient
from socketio.pubsub_manager import PubSubManager

from facilitation.domain import access, accounts
from facilitation.domain.contributions import create_contribution
from facilitation.edge.identity import LINKS_KEY
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Organizer
from facilitation.push import sessions
from tests.conftest import new_client_id
from tests.support.csrf import form_token

PASSWORD = "un-mot-de-passe-solide"


def received(socket: SocketIOTestClient, name: str) -> list[Any]:
    """What ``socket`` received, read even after the server disconnected it."""
    return [r["args"][0] for r in socket.queue if r["name"] == name]


def logged_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    url = "/organisateur/connexion"
    response = client.post(
        url, data={"email": email, "password": PASSWORD, "csrf_token": form_token(client, url)}
    )
    assert response.status_code == 303
    return client


def post(client: FlaskClient, url: str, token_page: str, **data: str) -> Any:
    return client.post(url, data={"csrf_token": form_token(client, token_page), **data})


def card(atelier: Atelier, participant: Any, title: str) -> Contribution:
    made, _ = create_contribution(
        participant, atelier, {"client_id": new_client_id(), "titre": title}
    )
    db.session.commit()
    return made


def hide(socket: SocketIOTestClient, atelier: Atelier, made: Contribution) -> dict[str, Any]:
    return socket.emit(  # type: ignore[no-any-return]
        "moderation:hide",
        {"atelier_id": atelier.id, "contribution_id": made.id, "hidden": True},
        callback=True,
    )


def test_a_console_stops_receiving_hidden_cards_once_its_link_is_revoked(
    app: Flask,
    make_atelier: Callable[..., Atelier],
    make_participant: Callable[..., Any],
    make_socket: Callable[..., SocketIOTestClient],
) -> None:
    atelier = make_atelier()
    slug = atelier.event.slug
    link, _token = access.create_facilitator_link(atelier.event, atelier, "Samia")
    owner = access.create_organizer("agence@example.org", PASSWORD)
    access.grant_event(owner, atelier.event)
    db.session.commit()
    facilitator = app.test_client()
    with facilitator.session_transaction() as session:
        session[LINKS_KEY] = [link.id]
    nadia = make_participant(atelier, display_name="Nadia")
    first, second = card(atelier, nadia, "Appels"), card(atelier, nadia, "Secret")

    console = make_socket(facilitator)
    assert console.emit("console:join", {"atelier_id": atelier.id}, callback=True)["ok"]
    organizer = logged_in(app, "agence@example.org")
    regie = make_socket(organizer)
    assert regie.emit("console:join", {"atelier_id": atelier.id}, callback=True)["ok"]
    assert hide(regie, atelier, first)["ok"]
    assert [m["contribution"]["id"] for m in received(console, "moderation:card")] == [first.id]

    links = f"/organisateur/e/{slug}/liens"
    assert post(organizer, links, links, action="revoke", link_id=str(link.id)).status_code == 303
    assert not console.is_connected()
    assert received(console, "session:ended") == [{"reason": "revoked"}]
    assert regie.is_connected()  # the organizer's own console is not this link's

    console.queue.clear()
    assert hide(regie, atelier, second)["ok"]
    assert received(console, "moderation:card") == []
    # The same browser opening a new socket is refused the console.
    again = make_socket(facilitator)
    refused = again.emit("console:join", {"atelier_id": atelier.id}, callback=True)
    assert refused["ok"] is False and refused["code"] == "forbidden"


def test_after_logout_the_control_room_is_cut_and_refuses_every_event(
    app: Flask,
    make_atelier: Callable[..., Atelier],
    make_socket: Callable[..., SocketIOTestClient],
) -> None:
    atelier = make_atelier()
    event_id = atelier.event_id
    owner = access.create_organizer("agence@example.org", PASSWORD)
    access.grant_event(owner, atelier.event)
    db.session.commit()
    browser = logged_in(app, "agence@example.org")
    # A copy of the cookie taken before the logout (another tab, or a thief).
    copy = app.test_client()
    domain = app.config["SERVER_NAME"]
    cookie = browser.get_cookie("session", domain=domain)
    assert cookie is not None
    copy.set_cookie("session", cookie.value, domain=domain)

    control = make_socket(browser)
    assert control.emit("control:join", {"event_id": event_id}, callback=True)["ok"]
    replayed = make_socket(copy)
    assert replayed.emit("control:snapshot", {"event_id": event_id}, callback=True)["ok"]

    home = "/organisateur/"
    assert post(browser, "/organisateur/deconnexion", home).status_code == 303
    assert not control.is_connected() and not replayed.is_connected()
    assert received(control, "session:ended") == [{"reason": "logout"}]

    # The old cookie on a new socket: every organizer event is refused server-side.
    late = make_socket(copy)
    snapshot = late.emit("control:snapshot", {"event_id": event_id}, callback=True)
    assert snapshot["ok"] is False and snapshot["code"] == "forbidden"
    sent = late.emit(
        "announcement:send",
        {"event_id": event_id, "client_id": new_client_id(), "text": "Retour en plénière"},
        callback=True,
    )
    assert sent["ok"] is False and sent["code"] == "forbidden"


def test_a_socket_missed_by_the_disconnect_is_refused_on_its_next_event(
    app: Flask,
    make_atelier: Callable[..., Atelier],
    make_socket: Callable[..., SocketIOTestClient],
) -> None:
    """On another worker, a client that ignores ``session:ended`` is still refused: the
    session version is read again for every event."""
    atelier = make_atelier()
    owner = access.create_organizer("agence@example.org", PASSWORD)
    access.grant_event(owner, atelier.event)
    db.session.commit()
    control = make_socket(logged_in(app, "agence@example.org"))
    assert control.emit("control:snapshot", {"event_id": atelier.event_id}, callback=True)["ok"]
    accounts.end_sessions(db.session.get(Organizer, owner.id))  # no push: as if missed
    db.session.commit()
    refused = control.emit("control:snapshot", {"event_id": atelier.event_id}, callback=True)
    assert refused["ok"] is False and refused["code"] == "forbidden"


def test_a_password_change_and_a_removal_disconnect_the_accounts_sockets(
    app: Flask,
    make_atelier: Callable[..., Atelier],
    make_socket: Callable[..., SocketIOTestClient],
) -> None:
    atelier = make_atelier()
    slug = atelier.event.slug
    owner = access.create_organizer("agence@example.org", PASSWORD)
    colleague = access.create_organizer("collegue@example.org", PASSWORD)
    accounts.add_to_team(owner, atelier.event, "owner")
    accounts.add_to_team(colleague, atelier.event, "organizer")
    db.session.commit()
    owner_browser = logged_in(app, "agence@example.org")
    elsewhere = make_socket(logged_in(app, "agence@example.org"))
    theirs = make_socket(logged_in(app, "collegue@example.org"))
    for socket in (elsewhere, theirs):
        assert socket.emit("control:join", {"event_id": atelier.event_id}, callback=True)["ok"]

    team = f"/organisateur/e/{slug}/equipe"
    removed = post(owner_browser, team, team, action="remove", organizer_id=str(colleague.id))
    assert removed.status_code == 303
    assert not theirs.is_connected() and received(theirs, "session:ended") == [
        {"reason": "removed"}
    ]
    assert elsewhere.is_connected()

    account = "/organisateur/compte"
    changed = post(
        owner_browser,
        account,
        account,
        current=PASSWORD,
        password="une autre phrase secrète",
        confirmation="une autre phrase secrète",
    )
    assert changed.status_code == 303
    assert not elsewhere.is_connected()
    # This browser stays logged in, and its new sockets work.
    fresh = make_socket(owner_browser)
    assert fresh.emit("control:snapshot", {"event_id": atelier.event_id}, callback=True)["ok"]


class _Queue(PubSubManager):
    """A message-queue manager whose queue is a list (no Redis): what a worker publishes."""

    name = "test"

    def __init__(self) -> None:
        super().__init__(write_only=True)
        self.published: list[dict[str, Any]] = []

    def _publish(self, data: dict[str, Any]) -> None:
        self.published.append(data)


def test_with_several_workers_a_notice_from_another_worker_disconnects_local_sockets() -> None:
    """The ``session:ended`` emit crosses workers through the queue; on arrival, the watched
    manager disconnects its own sockets in that room, even if their client ignores it."""
    manager = _Queue()
    server = python_socketio.Server(client_manager=manager, async_mode="threading")
    sessions.watch(server)
    sent: list[Any] = []
    server._send_packet = lambda eio_sid, pkt: sent.append((eio_sid, pkt))  # type: ignore[method-assign]
    mine = manager.connect("eio-1", "/")
    other = manager.connect("eio-2", "/")
    manager.enter_room(mine, "/", sessions.organizer_room(7))
    manager.enter_room(other, "/", sessions.organizer_room(8))

    manager._handle_emit(  # as the queue listener does, for another worker's message
        {
            "method": "emit",
            "event": sessions.SESSION_ENDED,
            "data": [{"reason": "logout"}],
            "namespace": "/",
            "room": sessions.organizer_room(7),
            "host_id": "another-worker",
        }
    )
    assert not manager.is_connected(mine, "/")
    assert manager.is_connected(other, "/")
    # This worker's own ending is published for the others.
    sessions.disconnect_room(server, sessions.organizer_room(8))
    assert not manager.is_connected(other, "/")
