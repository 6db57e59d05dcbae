"""``atelier:join`` gives its database connection back before it emits (issue 18.2).

Under eventlet an emit waits (the snapshot's JSON, the Redis publish of the message queue)
and lets other green threads run: a read transaction held across it sat « idle in
transaction » and, with two workers in a storm of rejoins, ran the pool out.
"""

from __future__ import annotations

from typing import Any

import pytest

from facilitation.extensions import db
from facilitation.realtime import handlers


def test_the_snapshot_is_emitted_with_no_transaction_open(  # type: ignore[no-untyped-def]
    app, make_atelier, joined_client, make_socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    atelier = make_atelier()
    atelier_id = atelier.id
    phone = make_socket(joined_client(atelier))
    open_at_emit: list[bool] = []
    real_emit = handlers.emit

    def spy(event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "atelier:snapshot":
            open_at_emit.append(db.session().in_transaction())
        return real_emit(event, *args, **kwargs)

    monkeypatch.setattr(handlers, "emit", spy)
    ack = phone.emit("atelier:join", {"atelier_id": atelier_id}, callback=True)
    assert ack["ok"] is True and isinstance(ack["version"], int)
    assert open_at_emit == [False]
    snapshot = next(m for m in phone.get_received() if m["name"] == "atelier:snapshot")
    assert snapshot["args"][0]["atelier"]["id"] == atelier_id
