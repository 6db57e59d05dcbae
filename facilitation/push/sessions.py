"""Ending live sessions: the sockets of an organizer who logged out (or changed or reset their
password, or was removed from an event's team), and of a revoked facilitator link, are told
and disconnected at once, on every worker.

Rooms: ``organizer:<id>`` (every socket whose cookie carries that organizer's login) and
``link:<id>`` (every socket whose cookie carries that facilitator link); ``realtime.sessions``
puts a socket in them when it connects and when it joins a console, the control room or a
vote panel. They are a per-worker index of « which sockets belong to whom »: python-socketio
keeps each worker's room members in that worker.

``end_organizer`` / ``end_link`` emit ``session:ended`` to the room (the page reloads: the
server then shows the login page or the 403) and disconnect the room's sockets. With several
workers, the emit goes through the message queue; each worker's manager, watched by
``watch(server)``, disconnects its own members of the room when the notice reaches it, so a
client that ignores the notice is cut all the same. Every later event of a reconnected socket
is refused anyway: ``edge.identity.current_organizer`` and ``facilitator_links`` re-read the
session version and the link's revocation on every event.
"""

from __future__ import annotations

from typing import Any

from socketio.pubsub_manager import PubSubManager

from facilitation.extensions import socketio

SESSION_ENDED = "session:ended"
NAMESPACE = "/"


def organizer_room(organizer_id: int) -> str:
    return f"organizer:{organizer_id}"


def link_room(link_id: int) -> str:
    return f"link:{link_id}"


def end_organizer(organizer_id: int, reason: str = "logout") -> None:
    """After the commit: every socket of this organizer, on every worker, is cut."""
    _end(organizer_room(organizer_id), reason)


def end_link(link_id: int, reason: str = "revoked") -> None:
    """After the commit: every socket holding this facilitator link, on every worker, is cut."""
    _end(link_room(link_id), reason)


def _end(room: str, reason: str) -> None:
    server = socketio.server
    if server is None:
        return
    socketio.emit(SESSION_ENDED, {"reason": reason}, to=room, namespace=NAMESPACE)
    # This worker's sockets at once (a watched queue manager does it again: harmless).
    disconnect_room(server, room)


def disconnect_room(server: Any, room: str) -> int:
    """Disconnect this worker's sockets in ``room``; how many."""
    try:
        members = [sid for sid, _eio in server.manager.get_participants(NAMESPACE, room)]
    except KeyError:
        return 0
    for sid in members:
        server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)
    return len(members)


class SessionEndMixin:
    """In front of a message-queue manager: a ``session:ended`` notice arriving from any
    worker disconnects this worker's members of its room, after delivering the notice."""

    server: Any

    def _handle_emit(self, message: dict[str, Any]) -> None:
        super()._handle_emit(message)  # type: ignore[misc]
        room = message.get("room")
        if message.get("event") == SESSION_ENDED and isinstance(room, str):
            disconnect_room(self.server, room)


_classes: dict[type, type] = {}


def watch(server: Any) -> None:
    """Give a python-socketio server's queue manager the ``session:ended`` hook (several
    workers); the in-memory manager of one worker needs none (``_end`` disconnects)."""
    manager = server.manager
    cls = type(manager)
    if not isinstance(manager, PubSubManager) or issubclass(cls, SessionEndMixin):
        return
    watched = _classes.get(cls)
    if watched is None:
        watched = _classes[cls] = type(f"SessionEnd{cls.__name__}", (SessionEndMixin, cls), {})
    manager.__class__ = watched
