"""Rate limits: Flask-Limiter for HTTP forms, token buckets for Socket.IO events.

Shared by ``web`` and ``realtime`` (which never import each other), like ``identity``.

HTTP (per client address, behind ``PROXY_FIX`` the address the proxy saw):

- ``limit_join``: the join form, ``RATELIMIT_JOIN`` (default 300/minute, 3,000/hour). New
  participants count per address; a whole venue may share one public address behind its
  Wi-Fi (300 phones scanning the QR code at 9h45), so the limit stops scripts, not people.
  A browser that already joined this event (changing atelier at 13h30 posts the form again)
  counts on its own participant, not on the venue's address.
- ``limit_photo``: photo uploads, ``RATELIMIT_PHOTO`` per participant (else per address).
- ``limit_login``: for the organizer login. ``RATELIMIT_LOGIN`` per address and per
  submitted identifier; only failed attempts count (a successful login redirects).

Socket.IO (per participant, or per socket for a viewer without participant cookie; a cookie
holding several participants takes from each one's bucket):

- ``take_socket_token(kind)``: a token bucket of ``SOCKET_RATE_BURST`` tokens refilled at
  ``SOCKET_RATE_PER_SECOND``; write events take from the ``write`` bucket, reads (joins,
  snapshots) from a separate, twice as large ``read`` bucket. When empty the event is refused
  with the error code ``rate_limited`` and ``retry_after`` seconds.

Storage: ``RATELIMIT_STORAGE_URI`` (``memory://`` by default; with a Redis
``SOCKETIO_MESSAGE_QUEUE`` and no explicit URI, the same Redis, so every worker counts
together; ``RATELIMIT_KEY_PREFIX`` keeps apart two apps sharing one Redis).
A slow or stopped Redis is waited for ``REDIS_TIMEOUT`` at most; then this process counts
alone (Flask-Limiter's in-memory fallback, ``FallbackBuckets``) until Redis answers again.
``RATELIMIT_ENABLED=0`` turns every limit off (the test suite does, except in the
tests of the limits themselves).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import Flask, current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from facilitation.domain.errors import RateLimited
from facilitation.edge.identity import knows_login, participant_for
from facilitation.extensions import db
from facilitation.models import Event

F = TypeVar("F", bound=Callable[..., Any])

EXTENSION = "facilitation.edge.ratelimit"

#: One Limiter for the process; its storage comes from the app config at ``init_app``.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def storage_uri(config: dict[str, Any] | Any) -> str:
    """The limits' storage: explicit, else the Redis message queue, else process memory."""
    explicit = config.get("RATELIMIT_STORAGE_URI")
    if explicit:
        return str(explicit)
    queue = config.get("SOCKETIO_MESSAGE_QUEUE") or ""
    if str(queue).startswith(("redis://", "rediss://", "unix://")):
        return str(queue)
    return "memory://"


def init_app(app: Flask) -> None:
    """Attach Flask-Limiter and the Socket.IO buckets to ``app``."""
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config)
    # A storage outage must not lock everyone out of the workshop: let requests through,
    # counted in this process meanwhile, and never wait long for a slow Redis.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if not uri.startswith("memory://"):
        options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        options.setdefault("socket_timeout", REDIS_TIMEOUT)
        options.setdefault("socket_connect_timeout", REDIS_TIMEOUT)
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options
    limiter.init_app(app)
    buckets: Buckets
    if uri.startswith("memory://"):
        buckets = MemoryBuckets()
    else:
        buckets = FallbackBuckets(RedisBuckets(uri), MemoryBuckets())
    app.extensions[EXTENSION] = buckets


# ---------------------------------------------------------------------------- HTTP
def _join_limit() -> str:
    return str(current_app.config["RATELIMIT_JOIN"])


def _login_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN"])


def _login_identifier() -> str:
    """The account being tried, whatever the form calls it, so one account cannot be
    brute-forced from many addresses either."""
    for field in ("email", "username", "login", "identifiant"):
        value = request.form.get(field)
        if value:
            return "login:" + value.strip().lower()[:200]
    return "login:" + get_remote_address()


def _known_browser() -> bool:
    """The submitted account has logged in from this browser before."""
    return knows_login(_login_identifier().removeprefix("login:"))


def _failed(response: Any) -> bool:
    """A login attempt counts unless it succeeded (a redirect)."""
    return not (300 <= response.status_code < 400)


def _join_key() -> str:
    """The address for a new participant; the participant for one who already joined."""
    slug = (request.view_args or {}).get("slug")
    event_id = (
        db.session.scalar(select(Event.id).where(Event.slug == slug))
        if isinstance(slug, str)
        else None
    )
    participant = participant_for(event_id) if event_id is not None else None
    if participant is not None:
        return f"join:participant:{participant.id}"
    return "join:address:" + get_remote_address()


#: The join form (POST only); the page itself (GET) is never limited.
limit_join = limiter.limit(_join_limit, key_func=_join_key, methods=["POST"], per_method=True)


def _photo_limit() -> str:
    return str(current_app.config["RATELIMIT_PHOTO"])


def _photo_key() -> str:
    """The participant (a venue shares one address), else the address (facilitators)."""
    slug = (request.view_args or {}).get("slug")
    event_id = (
        db.session.scalar(select(Event.id).where(Event.slug == slug))
        if isinstance(slug, str)
        else None
    )
    participant = participant_for(event_id) if event_id is not None else None
    if participant is not None:
        return f"photo:participant:{participant.id}"
    return "photo:address:" + get_remote_address()


#: Photo uploads (POST): ``RATELIMIT_PHOTO`` per participant, else per address.
limit_photo = limiter.limit(_photo_limit, key_func=_photo_key, methods=["POST"], per_method=True)


def limit_login(view: F) -> F:
    """Throttle a login view: ``RATELIMIT_LOGIN`` per address and per identifier.

    Only POSTs that do not redirect count (failed attempts); a refused attempt answers 429
    with the French page. The per-identifier limit spares a browser that has logged in as
    that account before: strangers failing on an account from elsewhere cannot lock its
    owner out, while guessing still costs one attempt per address and period. Usage::

        @bp.route("/organisation/connexion", methods=["GET", "POST"])
        @limit_login
        def login(): ...
    """
    per_address = limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
    per_account = limiter.limit(
        _login_limit,
        methods=["POST"],
        key_func=_login_identifier,
        deduct_when=_failed,
        exempt_when=_known_browser,
    )
    return per_address(per_account(view))  # type: ignore[return-value]


def limit_token_form(view: F) -> F:
    """Throttle a page reached by a one-time link (invitation, password reset):
    ``RATELIMIT_LOGIN`` failed POSTs per address. The 24-byte token cannot be guessed, but an
    address that keeps failing (tokens tried, accounts created in a loop from a leaked link)
    is stopped like a failed login; a POST that succeeds (a redirect) does not count."""
    return limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)(view)  # type: ignore[return-value]


# ---------------------------------------------------------------------------- Socket.IO
class Buckets(Protocol):
    def take(self, key: str, capacity: float, per_second: float) -> float:
        """Take one token from ``key``'s bucket; 0.0 if taken, else seconds to wait."""


class MemoryBuckets:
    """Token buckets in this process (one worker). ``clock`` is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}
        self._takes = 0

    def take(self, key: str, capacity: float, per_second: float) -> float:
        with self._lock:
            now = self._clock()
            tokens, updated = self._state.get(key, (capacity, now))
            tokens = min(capacity, tokens + max(0.0, now - updated) * per_second)
            if tokens >= 1:
                self._state[key] = (tokens - 1, now)
                wait = 0.0
            else:
                self._state[key] = (tokens, now)
                wait = (1 - tokens) / per_second
            self._takes += 1
            if self._takes % 1000 == 0:
                self._forget_full(now, capacity, per_second)
            return wait

    def _forget_full(self, now: float, capacity: float, per_second: float) -> None:
        """Drop buckets that have refilled: they hold nothing a fresh bucket would not."""
        refill = capacity / per_second
        self._state = {k: v for k, v in self._state.items() if now - v[1] < refill}


_REDIS_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return tostring(wait)
"""


#: Seconds a rate-limit call may wait for Redis before the local buckets take over.
REDIS_TIMEOUT = 0.25


class RedisBuckets:
    """The same buckets in Redis (atomic Lua script, Redis clock): shared by every worker."""

    PREFIX = "facilitation:bucket:"

    def __init__(self, url: str, timeout: float = REDIS_TIMEOUT) -> None:
        import redis

        self._redis = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._script = self._redis.register_script(_REDIS_TAKE)

    def take(self, key: str, capacity: float, per_second: float) -> float:
        return float(self._script(keys=[self.PREFIX + key], args=[capacity, per_second]))


class FallbackBuckets:
    """Shared buckets while their storage answers; this process's own when it does not.

    A slow or stopped Redis must not stall every write of the day: a failed or timed-out
    call switches to local buckets for ``cooldown`` seconds (no call to Redis meanwhile),
    then Redis is tried again. Limits are then per worker instead of shared: looser, never
    blocking.
    """

    def __init__(
        self,
        primary: Buckets,
        fallback: Buckets,
        cooldown: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary, self.fallback = primary, fallback
        self._cooldown, self._clock = cooldown, clock
        self._down_until = 0.0

    def take(self, key: str, capacity: float, per_second: float) -> float:
        if self._clock() >= self._down_until:
            try:
                return self.primary.take(key, capacity, per_second)
            except Exception:
                self._down_until = self._clock() + self._cooldown
                current_app.logger.warning(
                    "rate-limit storage unavailable: local buckets for %.0f s", self._cooldown
                )
        return self.fallback.take(key, capacity, per_second)


#: Buckets per cookie: one per participant it holds (a browser joins few events).
MAX_KEYS = 5


def socket_keys() -> list[str]:
    """Who is sending: each participant in the signed cookie, else this socket.

    One bucket per participant, all of them taken from: a copy of an older cookie, or one
    that joined other events since, still shares the buckets of every participant it
    holds, so holding several cookies does not multiply anyone's rate.
    """
    ids = session.get("participants")
    if isinstance(ids, dict) and ids:
        participants = sorted({v for v in ids.values() if isinstance(v, int)})[-MAX_KEYS:]
        if participants:
            return [f"p:{pid}" for pid in participants]
    return ["sid:" + str(getattr(request, "sid", "") or get_remote_address())]


def take_socket_token(kind: str = "write") -> None:
    """Take a token for the current Socket.IO event or raise ``RateLimited``.

    ``kind`` is ``"write"`` (anything that changes state) or ``"read"``.
    """
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return
    buckets: Buckets | None = current_app.extensions.get(EXTENSION)
    if buckets is None:
        return
    burst = float(config["SOCKET_RATE_BURST"])
    rate = float(config["SOCKET_RATE_PER_SECOND"])
    if kind != "write":
        burst, rate = burst * 2, rate * 2
    prefix = config.get("RATELIMIT_KEY_PREFIX") or ""
    try:
        wait = max(buckets.take(f"{prefix}{kind}:{key}", burst, rate) for key in socket_keys())
    except Exception:  # same policy as RATELIMIT_SWALLOW_ERRORS: never block on an outage
        current_app.logger.exception("rate limit storage unavailable")
        return
    if wait > 0:
        raise RateLimited(retry_after=math.ceil(wait))
