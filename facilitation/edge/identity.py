"""Who is this browser? Read from the signed session cookie, for ``web`` and ``realtime``.

The session holds, per event, the participant id; the organizer id after a login; the ids of
the facilitator links opened in this browser. ``actor_for(event_id)`` turns that into the
domain's ``Actor``; every rule is then checked by ``domain.access``.
"""

from __future__ import annotations

import hashlib

from flask import session
from sqlalchemy import select

from facilitation.domain.access import Actor
from facilitation.extensions import db
from facilitation.models import FacilitatorLink, Organizer, Participant

SESSION_KEY = "participants"
ORGANIZER_KEY = "organizer_id"
#: The organizer's ``session_version`` at login: a logout, password change or reset bumps
#: it in the database, so this cookie (and a socket opened with it) stops counting at once.
ORGANIZER_VERSION_KEY = "organizer_session"
LINKS_KEY = "facilitator_links"
#: A browser rarely holds more; the cap keeps the cookie small.
MAX_LINKS = 20
#: Hashes of the accounts this browser logged in as (not the emails: the cookie is readable).
KNOWN_LOGINS_KEY = "known_logins"
MAX_KNOWN_LOGINS = 5


def participant_for(event_id: int) -> Participant | None:
    ids = session.get(SESSION_KEY) or {}
    pid = ids.get(str(event_id)) if isinstance(ids, dict) else None
    if not isinstance(pid, int):
        return None
    participant = db.session.get(Participant, pid)
    if participant is None or participant.event_id != event_id:
        return None
    if not participant.display_name:
        # Forgotten at their request or purged (domain.privacy): the row is an anonymous
        # number now, nobody's identity, even for a socket opened before the deletion.
        return None
    return participant


#: atelier id → its event id, learnt from ateliers loaded by socket events (``note_atelier``):
#: with it a tap finds the participant its cookie names for the atelier's event without
#: loading the atelier. Never trusted for authorisation: ``domain.voting.quick_set_dots``
#: checks the pair in SQL (a stale entry only sends the tap down the ordinary path).
_ATELIER_EVENTS: dict[int, int] = {}
_ATELIER_EVENTS_MAX = 50_000


def note_atelier(atelier_id: int, event_id: int) -> None:
    """Remember an atelier's event (see ``participant_id_in``)."""
    if len(_ATELIER_EVENTS) >= _ATELIER_EVENTS_MAX:
        _ATELIER_EVENTS.clear()
    _ATELIER_EVENTS[atelier_id] = event_id


def participant_id_in(atelier_id: int) -> int | None:
    """The participant id this cookie holds for the event of ``atelier_id``, without any query;
    ``None`` when the atelier is not known yet or the cookie holds none. Not authorisation:
    the caller checks it in SQL (the participant's event, atelier and name)."""
    event_id = _ATELIER_EVENTS.get(atelier_id)
    if event_id is None:
        return None
    ids = session.get(SESSION_KEY) or {}
    pid = ids.get(str(event_id)) if isinstance(ids, dict) else None
    return pid if isinstance(pid, int) and not isinstance(pid, bool) else None


def remember(participant: Participant) -> None:
    """Bind the participant to this browser; the cookie outlives the tab and a restart."""
    ids = dict(session.get(SESSION_KEY) or {})
    ids[str(participant.event_id)] = participant.id
    session[SESSION_KEY] = ids
    session.permanent = True


def current_organizer() -> Organizer | None:
    """The logged-in organizer, unless their sessions were ended since this cookie's login."""
    oid = session.get(ORGANIZER_KEY)
    organizer = db.session.get(Organizer, oid) if isinstance(oid, int) else None
    if organizer is None or session.get(ORGANIZER_VERSION_KEY) != organizer.session_version:
        return None
    return organizer


def login_organizer(organizer: Organizer) -> None:
    session[ORGANIZER_KEY] = organizer.id
    session[ORGANIZER_VERSION_KEY] = organizer.session_version
    session.permanent = True
    remember_known_login(organizer.email)


def _login_mark(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()[:16]


def remember_known_login(email: str) -> None:
    """This browser logged in as ``email`` once: it stays known after a logout, so strangers
    failing on the account elsewhere cannot lock its owner out (``ratelimit.limit_login``)."""
    mark = _login_mark(email)
    known = [m for m in (session.get(KNOWN_LOGINS_KEY) or []) if isinstance(m, str) and m != mark]
    session[KNOWN_LOGINS_KEY] = [mark, *known][:MAX_KNOWN_LOGINS]
    session.permanent = True


def knows_login(email: str) -> bool:
    """Has this browser logged in as ``email`` before?"""
    return _login_mark(email) in (session.get(KNOWN_LOGINS_KEY) or [])


def logout_organizer() -> None:
    """Forget the organizer in this cookie (ending their other sessions is the domain's:
    ``accounts.end_sessions``)."""
    session.pop(ORGANIZER_KEY, None)
    session.pop(ORGANIZER_VERSION_KEY, None)


def remember_facilitator_link(link: FacilitatorLink) -> None:
    ids = [i for i in (session.get(LINKS_KEY) or []) if isinstance(i, int) and i != link.id]
    session[LINKS_KEY] = [link.id, *ids][:MAX_LINKS]
    session.permanent = True


def facilitator_links(event_id: int) -> tuple[FacilitatorLink, ...]:
    """The active links of this browser for one event (revoked ones stop working at once)."""
    ids = [i for i in (session.get(LINKS_KEY) or []) if isinstance(i, int)]
    if not ids:
        return ()
    return tuple(
        db.session.scalars(
            select(FacilitatorLink).where(
                FacilitatorLink.id.in_(ids),
                FacilitatorLink.event_id == event_id,
                FacilitatorLink.revoked_at.is_(None),
            )
        )
    )


def actor_for(event_id: int) -> Actor:
    return Actor(
        event_id=event_id,
        participant=participant_for(event_id),
        organizer=current_organizer(),
        links=facilitator_links(event_id),
    )
