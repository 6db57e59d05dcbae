"""The coalesced ``presence`` (facilitation/push/presence.py): one message per atelier per
interval, carrying the count when it is sent, from a background task that starts on demand."""

from __future__ import annotations

from typing import Any

import pytest

from facilitation.push import coalesce
from facilitation.push import presence as presence_module
from facilitation.push.presence import Presence, PresenceFlusher


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """What ``presence.send_count`` was asked to send, in order."""
    out: list[tuple[int, int]] = []
    monkeypatch.setattr(presence_module, "send_count", lambda aid, n: out.append((aid, n)))
    return out


def test_many_changes_make_one_message_per_atelier_with_the_latest_count(app, sent) -> None:
    registry = Presence()
    flusher = PresenceFlusher(app, registry)
    for n in range(50):  # a reconnect storm in one atelier, two people in another
        registry.enter(f"sid-{n}", 1, n)
        flusher.mark(1)
    for n in range(2):
        registry.enter(f"other-{n}", 2, 100 + n)
        flusher.mark(2)
    registry.leave("sid-0")
    flusher.mark(1)
    assert sent == []  # PRESENCE_INTERVAL = 0 in the tests: only flush() sends
    assert set(flusher.pending()) == {1, 2}

    assert flusher.flush() == 2
    assert sent == [(1, 49), (2, 2)]
    assert flusher.sent == 2
    assert flusher.flush() == 0
    assert sent == [(1, 49), (2, 2)]


def test_an_atelier_emptied_before_the_flush_says_zero(app, sent) -> None:
    registry = Presence()
    flusher = PresenceFlusher(app, registry)
    registry.enter("a", 7, 1)
    flusher.mark(7)
    registry.leave("a")
    flusher.mark(7)
    flusher.flush()
    assert sent == [(7, 0)]


def test_the_background_task_flushes_without_being_asked_and_stops(app, sent) -> None:
    app.config["PRESENCE_INTERVAL"] = 0.01
    registry = Presence()
    flusher = PresenceFlusher(app, registry)
    try:
        registry.enter("a", 3, 1)
        flusher.mark(3)
        assert flusher.flushed.wait(timeout=10), "the background task never flushed"
        assert sent[0] == (3, 1)
    finally:
        flusher.stop()
    assert not flusher.pending()


def test_no_background_task_without_an_interval(app, monkeypatch, sent) -> None:
    started: list[Any] = []
    monkeypatch.setattr(coalesce.socketio, "start_background_task", lambda *a: started.append(a))
    flusher = PresenceFlusher(app, Presence())
    flusher.mark(1)
    assert started == []
    app.config["PRESENCE_INTERVAL"] = 0.5
    flusher.mark(1)
    flusher.mark(2)
    assert len(started) == 1  # one task for any number of marks
