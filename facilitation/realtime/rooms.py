"""Leaving every room of a disconnecting socket in time proportional to *its* rooms.

python-socketio's ``BaseManager.basic_disconnect`` copies the namespace's whole room table
and tests every room for the leaving socket. Every socket has a room of its own (its sid),
and each voter a ``participant:<id>`` room, so one disconnect costs O(all sockets), and a
reconnect storm of n phones O(n²), enough to show in a profile of a large room.
``index_rooms`` gives the server's manager, whichever class it is
(in-memory, or Redis/Kombu with several workers), a sid → rooms index kept by
``basic_enter_room``/``basic_leave_room``, and a ``basic_disconnect`` that only visits
those rooms. The room table itself is python-socketio's, unchanged.
"""

from __future__ import annotations

from typing import Any

INDEXED = "_facilitation_room_index"


class RoomIndexMixin:
    """Mixed in front of a python-socketio manager class (see :func:`index_rooms`)."""

    rooms: dict[Any, dict[Any, Any]]
    callbacks: dict[Any, Any]
    pending_connect: dict[Any, list[Any]]
    pending_disconnect: dict[Any, list[Any]]

    def _room_index(self) -> dict[tuple[Any, Any], set[Any]]:
        index = self.__dict__.get(INDEXED)
        if index is None:
            index = self.__dict__[INDEXED] = {}
            # A manager that already had rooms (indexed late): learn them once.
            for namespace, table in self.rooms.items():
                for room, members in table.items():
                    for sid in members:
                        index.setdefault((namespace, sid), set()).add(room)
        return index

    def basic_enter_room(self, sid: Any, namespace: Any, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self._room_index().setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: Any, namespace: Any, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        index = self._room_index()
        rooms = index.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del index[(namespace, sid)]

    def basic_disconnect(self, sid: Any, namespace: Any, **kwargs: Any) -> None:
        # Same effects as BaseManager.basic_disconnect, without scanning every room.
        if namespace not in self.rooms:
            return
        for room in list(self._room_index().get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: Any, namespace: Any) -> list[Any]:
        return [r for r in self._room_index().get((namespace, sid), ()) if r is not None]


_classes: dict[type, type] = {}


def index_rooms(server: Any) -> None:
    """Give ``server.manager`` (a python-socketio server's) the sid → rooms index."""
    manager = server.manager
    cls = type(manager)
    if issubclass(cls, RoomIndexMixin):
        return
    indexed = _classes.get(cls)
    if indexed is None:
        indexed = _classes[cls] = type(f"Indexed{cls.__name__}", (RoomIndexMixin, cls), {})
    manager.__class__ = indexed
