"""Rate limits (facilitation/edge/ratelimit.py): the join form, the login helper, the token buckets.

The test suite runs with ``RATELIMIT_ENABLED=False``; these tests build an app with the
limits on and small numbers. Flask-Limiter keeps its state on one process-wide object, so the
limited app is always the last one created in a test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, redirect, request

from facilitation import create_app
from facilitation.edge.identity import remember_known_login
from facilitation.edge.ratelimit import (
    FallbackBuckets,
    MemoryBuckets,
    RedisBuckets,
    limit_login,
    storage_uri,
)
from facilitation.extensions import db
from facilitation.models import Atelier, Participant
from facilitation.web.csrf import csrf_input
from tests.support.csrf import form_token


@pytest.fixture
def limited(app_config: dict[str, Any], _migrated: None) -> Callable[..., Flask]:
    """Factory: an app with the limits on (and ``settings`` on top)."""

    def make(**settings: Any) -> Flask:
        return create_app(app_config | {"RATELIMIT_ENABLED": True} | settings)

    return make


def join_data(atelier: Atelier, token: str, name: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "display_name": name,
        "structure": "CCAS",
        "atelier_id": str(atelier.id),
        "consent": "on",
    }


# ---------------------------------------------------------------------------- HTTP join
def test_the_join_form_is_limited_per_address_with_a_french_429(
    limited: Callable[..., Flask], make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    app = limited(RATELIMIT_JOIN="2 per minute")
    url = f"/e/{atelier.event.slug}/rejoindre"

    def newcomer(name: str):  # type: ignore[no-untyped-def]
        client = app.test_client()
        return client, client.post(url, data=join_data(atelier, form_token(client, url), name))

    statuses = [newcomer(f"Personne {n}")[1].status_code for n in range(2)]
    client, refused = newcomer("Encore")

    assert statuses == [303, 303]
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Trop de tentatives" in html
    assert "Patientez une minute" in html
    assert int(refused.headers["Retry-After"]) > 0
    # The refused post created nobody.
    names = {p.display_name for p in db.session.query(Participant).all()}
    assert names == {"Personne 0", "Personne 1"}
    # Reading the page is never limited.
    assert client.get(url).status_code == 200


def test_the_join_limit_counts_each_address_apart(
    limited: Callable[..., Flask], make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    app = limited(RATELIMIT_JOIN="1 per minute")
    url = f"/e/{atelier.event.slug}/rejoindre"

    for n, address in enumerate(("192.0.2.1", "192.0.2.2")):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        token = form_token(client, url)
        response = client.post(url, data=join_data(atelier, token, f"Personne {n}"))
        assert response.status_code == 303, address


def test_limits_can_be_turned_off(
    app_config: dict[str, Any], _migrated: None, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    client = create_app(
        app_config | {"RATELIMIT_ENABLED": False, "RATELIMIT_JOIN": "1 per minute"}
    ).test_client()
    url = f"/e/{atelier.event.slug}/rejoindre"
    token = form_token(client, url)

    for n in range(3):
        assert client.post(url, data=join_data(atelier, token, f"P{n}")).status_code == 303


# ---------------------------------------------------------------------------- login helper
def login_app(limited: Callable[..., Flask]) -> Flask:
    """An app with a stand-in login view: the password ``ok`` redirects, others fail."""
    app = limited(RATELIMIT_LOGIN="2 per minute")

    @limit_login
    def login():  # type: ignore[no-untyped-def]
        if request.method == "POST" and request.form.get("password") == "ok":
            remember_known_login(request.form["email"])  # as identity.login_organizer does
            return redirect("/", 303)
        return f"<form method=post>{csrf_input()}</form>", 200 if request.method == "GET" else 401

    app.add_url_rule("/test-login", view_func=login, methods=["GET", "POST"])
    return app


def attempt(client: Any, token: str, email: str, password: str) -> int:
    data = {"csrf_token": token, "email": email, "password": password}
    return client.post("/test-login", data=data).status_code


def test_limit_login_throttles_failed_attempts_but_not_successes(
    limited: Callable[..., Flask],
) -> None:
    client = login_app(limited).test_client()
    token = form_token(client, "/test-login")

    successes = [attempt(client, token, "orga@example.org", "ok") for _ in range(3)]
    failures = [attempt(client, token, "orga@example.org", "faux") for _ in range(3)]

    assert successes == [303, 303, 303]
    assert failures == [401, 401, 429]


def test_limit_login_throttles_one_account_tried_from_many_addresses(
    limited: Callable[..., Flask],
) -> None:
    app = login_app(limited)
    statuses = []
    for n in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        token = form_token(client, "/test-login")
        statuses.append(attempt(client, token, "Orga@Example.org ", "faux"))

    assert statuses == [401, 401, 429]


def test_strangers_cannot_lock_the_owner_out_of_their_account(
    limited: Callable[..., Flask],
) -> None:
    app = login_app(limited)
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    owner_token = form_token(owner, "/test-login")
    assert attempt(owner, owner_token, "orga@example.org", "ok") == 303  # logged in before
    for n in range(4):  # strangers elsewhere exhaust the account's limit
        stranger = app.test_client()
        stranger.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        attempt(stranger, form_token(stranger, "/test-login"), "orga@example.org", "faux")
    newcomer = app.test_client()
    newcomer.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    newcomer_token = form_token(newcomer, "/test-login")

    assert attempt(owner, owner_token, "orga@example.org", "ok") == 303
    # An unknown browser still meets the account's limit, and so does the owner's for
    # another account.
    assert attempt(newcomer, newcomer_token, "orga@example.org", "ok") == 429
    assert attempt(owner, owner_token, "autre@example.org", "faux") == 401


# ---------------------------------------------------------------------------- buckets
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_a_burst_then_refills_at_its_rate() -> None:
    clock = FakeClock()
    buckets = MemoryBuckets(clock=clock)

    burst = [buckets.take("p:1", capacity=3, per_second=0.5) for _ in range(4)]
    clock.now += 1.0  # half a token back: still empty
    half = buckets.take("p:1", capacity=3, per_second=0.5)
    clock.now += 1.5  # 0.5 + 0.75 ≥ 1 token
    again = buckets.take("p:1", capacity=3, per_second=0.5)
    other = buckets.take("p:2", capacity=3, per_second=0.5)

    assert burst[:3] == [0.0, 0.0, 0.0]
    assert burst[3] == pytest.approx(2.0)  # one token at 0.5/s
    assert half == pytest.approx(1.0)
    assert again == 0.0
    assert other == 0.0


def test_a_bucket_never_holds_more_than_its_capacity() -> None:
    clock = FakeClock()
    buckets = MemoryBuckets(clock=clock)
    buckets.take("k", capacity=2, per_second=1)
    clock.now += 3600

    taken = [buckets.take("k", capacity=2, per_second=1) for _ in range(3)]

    assert taken[:2] == [0.0, 0.0]
    assert taken[2] > 0


def test_redis_buckets_are_shared_between_workers(test_redis_url: str) -> None:
    import secrets

    import redis

    key = f"test:{secrets.token_hex(6)}"
    worker_a, worker_b = RedisBuckets(test_redis_url), RedisBuckets(test_redis_url)
    try:
        taken = [
            (worker_a if n % 2 else worker_b).take(key, capacity=3, per_second=0.01)
            for n in range(4)
        ]
    finally:
        redis.Redis.from_url(test_redis_url).delete(RedisBuckets.PREFIX + key)

    assert taken[:3] == [0.0, 0.0, 0.0]
    assert taken[3] > 90  # about 100 s for one token at 0.01/s


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, "memory://"),
        ({"SOCKETIO_MESSAGE_QUEUE": "redis://queue:6379/0"}, "redis://queue:6379/0"),
        (
            {"SOCKETIO_MESSAGE_QUEUE": "redis://q/0", "RATELIMIT_STORAGE_URI": "redis://l/1"},
            "redis://l/1",
        ),
        ({"SOCKETIO_MESSAGE_QUEUE": "amqp://rabbit//"}, "memory://"),
    ],
)
def test_the_storage_follows_the_message_queue_unless_given(
    config: dict[str, str], expected: str
) -> None:
    assert storage_uri(config) == expected


def test_a_participant_changing_atelier_counts_apart_from_the_venue_address(
    limited: Callable[..., Flask], make_atelier: Callable[..., Atelier]
) -> None:
    """Behind one venue Wi-Fi, the afternoon's change of atelier must not be refused because
    the morning's newcomers used up the address's joins (and the other way round)."""
    atelier = make_atelier()
    other = make_atelier(event=atelier.event)
    app = limited(RATELIMIT_JOIN="2 per minute")
    url = f"/e/{atelier.event.slug}/rejoindre"
    phone = app.test_client()
    token = form_token(phone, url)
    assert phone.post(url, data=join_data(atelier, token, "Nadia")).status_code == 303
    newcomer = app.test_client()  # same address (the venue's)
    newcomer_token = form_token(newcomer, url)
    assert newcomer.post(url, data=join_data(atelier, newcomer_token, "Karim")).status_code == 303
    third = app.test_client()
    third_token = form_token(third, url)
    assert third.post(url, data=join_data(atelier, third_token, "Léa")).status_code == 429

    # Nadia, already a participant, moves twice: counted on her, not on the address.
    for target in (other, atelier):
        assert phone.post(url, data=join_data(target, token, "Nadia")).status_code == 303
    assert phone.post(url, data=join_data(other, token, "Nadia")).status_code == 429
    names = {p.display_name for p in db.session.query(Participant).all()}
    assert names == {"Nadia", "Karim"}


class Failing:
    def __init__(self) -> None:
        self.calls = 0

    def take(self, key: str, capacity: float, per_second: float) -> float:
        self.calls += 1
        raise ConnectionError("redis down")


def test_local_buckets_take_over_while_the_shared_storage_is_down(app: Flask) -> None:
    clock = FakeClock()
    down = Failing()
    buckets = FallbackBuckets(down, MemoryBuckets(clock=clock), cooldown=10, clock=clock)

    taken = [buckets.take("p:1", capacity=2, per_second=0.001) for _ in range(3)]
    clock.now += 5
    buckets.take("p:1", capacity=2, per_second=0.001)

    assert taken[:2] == [0.0, 0.0] and taken[2] > 0  # still limited, per worker
    assert down.calls == 1  # not asked again during the cooldown
    clock.now += 6
    buckets.take("p:1", capacity=2, per_second=0.001)
    assert down.calls == 2  # tried again after it


def test_a_stalled_redis_does_not_stall_a_socket_write(app: Flask, test_redis_url: str) -> None:
    import time

    import redis

    admin = redis.Redis.from_url(test_redis_url)
    buckets = FallbackBuckets(RedisBuckets(test_redis_url), MemoryBuckets(), cooldown=10)
    assert buckets.take("stall:probe", capacity=5, per_second=1) == 0.0  # Redis answers
    admin.client_pause(3000)  # every other client's command waits 3 s, as in a Redis stall
    try:
        started = time.monotonic()
        wait = buckets.take("stall:probe", capacity=5, per_second=1)
        elapsed = time.monotonic() - started
    finally:
        admin.client_unpause()
    assert wait == 0.0
    assert elapsed < 1.0, f"a rate-limit check waited {elapsed:.1f} s for a stalled Redis"
