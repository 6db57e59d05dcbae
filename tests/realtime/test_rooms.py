"""The room index (facilitation/realtime/rooms.py): a disconnect leaves exactly the rooms the
plain python-socketio manager would leave, without scanning the other sockets' rooms."""

from __future__ import annotations

import random
from typing import Any

import socketio

from facilitation.extensions import socketio as app_socketio
from facilitation.realtime.rooms import RoomIndexMixin, index_rooms


class FakeServer:
    def __init__(self, manager: Any) -> None:
        self.manager = manager
        self.packet_class = socketio.packet.Packet
        self.eio = self
        self._n = 0
        manager.set_server(self)

    def generate_id(self) -> str:
        self._n += 1
        return f"sid{self._n}"


def managers() -> tuple[Any, Any]:
    plain, indexed = socketio.Manager(), socketio.Manager()
    FakeServer(plain)
    index_rooms(FakeServer(indexed))
    assert isinstance(indexed, RoomIndexMixin) and not isinstance(plain, RoomIndexMixin)
    return plain, indexed


def table(manager: Any) -> dict[Any, dict[Any, dict[str, str]]]:
    return {ns: {room: dict(m) for room, m in rooms.items()} for ns, rooms in manager.rooms.items()}


def test_the_app_server_uses_the_index(app) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(app_socketio.server.manager, RoomIndexMixin)


def test_random_joins_leaves_and_disconnects_match_the_plain_manager() -> None:
    rng = random.Random(7)
    plain, indexed = managers()
    connected: list[tuple[str, str]] = []  # (sid, namespace), same ids in both managers
    for step in range(3000):
        action = rng.random()
        if action < 0.3 or not connected:
            ns = rng.choice(["/", "/other"])
            eio = f"eio{step}"
            sid = plain.connect(eio, ns)
            assert indexed.connect(eio, ns) == sid
            connected.append((sid, ns))
        elif action < 0.6:
            sid, ns = rng.choice(connected)
            room = f"atelier:{rng.randrange(5)}"
            plain.enter_room(sid, ns, room)
            indexed.enter_room(sid, ns, room)
        elif action < 0.75:
            sid, ns = rng.choice(connected)
            room = f"atelier:{rng.randrange(5)}"
            plain.leave_room(sid, ns, room)
            indexed.leave_room(sid, ns, room)
        elif action < 0.78:
            ns = rng.choice(["/", "/other"])
            plain.close_room("atelier:0", ns)
            indexed.close_room("atelier:0", ns)
        else:
            sid, ns = connected.pop(rng.randrange(len(connected)))
            assert sorted(plain.get_rooms(sid, ns), key=str) == sorted(
                indexed.get_rooms(sid, ns), key=str
            )
            plain.disconnect(sid, ns)
            indexed.disconnect(sid, ns)
        assert table(indexed) == table(plain)
    for sid, ns in connected:
        plain.disconnect(sid, ns)
        indexed.disconnect(sid, ns)
    assert table(indexed) == table(plain) == {}


class NoScan(dict):  # type: ignore[type-arg]
    """A namespace's room table that refuses to be scanned whole."""

    def copy(self) -> Any:
        raise AssertionError("scanned every room")

    def items(self) -> Any:
        raise AssertionError("scanned every room")


def test_a_disconnect_visits_only_the_sockets_own_rooms() -> None:
    _, indexed = managers()
    sids = [indexed.connect(f"eio{n}", "/") for n in range(50)]
    for n, sid in enumerate(sids):
        indexed.enter_room(sid, "/", f"atelier:{n % 3}")
    indexed.rooms["/"] = NoScan(indexed.rooms["/"])
    indexed.disconnect(sids[0], "/")
    assert sids[0] not in dict.get(indexed.rooms["/"], "atelier:0", {})
    assert len(dict.__getitem__(indexed.rooms["/"], "atelier:0")) == 16
