"""The « tour de table » of an atelier: one person at a time on the projector.

The facilitator starts it (the order is the visible profiles present, by structure), steps
with « suivant » / « précédent » and may set a timer per person. Only people who made their
profile visible are in the tour. State lives in ``TourDeTable`` so every worker agrees.

Steps are idempotent: the client sends the ``version`` it saw; a step built on an older version
(a retried « suivant ») changes nothing, so one tap never skips two people.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import update

from facilitation.domain.errors import ValidationError
from facilitation.domain.profiles import get_profile, public_card, visible_in_atelier
from facilitation.domain.validation import as_int
from facilitation.extensions import db
from facilitation.models import Atelier, Participant, TourDeTable
from facilitation.models.base import utcnow

MAX_TIMER_SECONDS = 600


def get_tour(atelier: Atelier) -> TourDeTable | None:
    return db.session.get(TourDeTable, atelier.id)


def _timer(raw: Any) -> int:
    if raw is None or raw == "":
        return 0
    raw = as_int(raw)
    if raw is None or not 0 <= raw <= MAX_TIMER_SECONDS:
        raise ValidationError(
            errors={
                "seconds": gettext(
                    "Indiquez une durée entre 0 et %(MAX_TIMER_SECONDS)s secondes (0 : sans minuteur).",
                    MAX_TIMER_SECONDS=MAX_TIMER_SECONDS,
                )
            }
        )
    return raw


def _expected_version(payload: Mapping[str, Any]) -> int | None:
    raw = payload.get("version")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise ValidationError(errors={"version": gettext("Version invalide : rechargez la page.")})
    return raw


def start(atelier: Atelier, payload: Mapping[str, Any]) -> TourDeTable:
    """(Re)start the tour from the first person; ``seconds`` sets the timer (0: none)."""
    seconds = _timer(payload.get("seconds"))
    order = [p.id for p, _ in visible_in_atelier(atelier)]
    tour = get_tour(atelier)
    if tour is None:
        tour = TourDeTable(atelier_id=atelier.id, version=0)
        db.session.add(tour)
    tour.order = order
    tour.position = 0
    tour.timer_seconds = seconds
    tour.person_started_at = utcnow()
    tour.active = True
    tour.version = (tour.version or 0) + 1
    db.session.flush()
    return tour


def _require_active(atelier: Atelier) -> TourDeTable:
    tour = get_tour(atelier)
    if tour is None or not tour.active:
        raise ValidationError(gettext("Le tour de table n'est pas commencé : lancez-le d'abord."))
    return tour


def step(atelier: Atelier, payload: Mapping[str, Any], delta: int) -> tuple[TourDeTable, bool]:
    """Move by ``delta`` (+1 / -1); returns ``(tour, changed)``. Stays within the list."""
    tour = _require_active(atelier)
    expected = _expected_version(payload)
    base = tour.version if expected is None else expected
    if base != tour.version:
        return tour, False  # a retry or a second facilitator's late tap: nothing to do
    # People who joined (or became visible) after the start speak at the end.
    order = list(tour.order or [])
    known = set(order)
    order += [p.id for p, _ in visible_in_atelier(atelier) if p.id not in known]
    target = min(max(tour.position + delta, 0), max(len(order) - 1, 0))
    if target == tour.position and order == tour.order:
        return tour, False
    # Compare-and-set on the version: two taps racing on two workers move the tour once.
    moved = db.session.execute(
        update(TourDeTable)
        .where(TourDeTable.atelier_id == atelier.id, TourDeTable.version == base)
        .values(
            order=order,
            position=target,
            person_started_at=utcnow() if target != tour.position else tour.person_started_at,
            version=base + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(tour)
    return tour, bool(moved)


def set_timer(atelier: Atelier, payload: Mapping[str, Any]) -> TourDeTable:
    """Set the time per person; the current person's timer restarts from now."""
    tour = _require_active(atelier)
    tour.timer_seconds = _timer(payload.get("seconds"))
    tour.person_started_at = utcnow()
    tour.version += 1
    db.session.flush()
    return tour


def stop(atelier: Atelier) -> TourDeTable | None:
    tour = get_tour(atelier)
    if tour is not None and tour.active:
        tour.active = False
        tour.version += 1
        db.session.flush()
    return tour


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def tour_state(atelier: Atelier, tour: TourDeTable | None = None) -> dict[str, Any]:
    """What the projector and the facilitator control show; safe for any viewer.

    The current person is given only while their profile is visible (someone who withdrew
    their consent mid-tour shows as « profil masqué »).
    """
    tour = tour if tour is not None else get_tour(atelier)
    base: dict[str, Any] = {
        "atelier_id": atelier.id,
        "server_time": utcnow().isoformat(),
    }
    if tour is None:
        return base | {
            "active": False,
            "version": 0,
            "position": 0,
            "total": 0,
            "person": None,
            "hidden": False,
            "timer_seconds": 0,
            "person_started_at": None,
        }
    person = None
    hidden = False
    order = list(tour.order or [])
    if tour.active and order:
        participant = db.session.get(Participant, order[min(tour.position, len(order) - 1)])
        profile = get_profile(participant) if participant is not None else None
        if participant is not None and profile is not None and profile.visible:
            person = public_card(participant, profile)
        else:
            hidden = True
    return base | {
        "active": bool(tour.active),
        "version": tour.version,
        "position": tour.position,
        "total": len(order),
        "person": person,
        "hidden": hidden,
        "timer_seconds": tour.timer_seconds,
        "person_started_at": _iso(tour.person_started_at),
    }


def tour_order(atelier: Atelier, tour: TourDeTable | None = None) -> list[dict[str, Any]]:
    """The speaking order, for the facilitator's control only (never broadcast to the room).

    Each entry is ``{id, display_name, structure, hidden: False}`` or, for someone who withdrew
    their consent since the start, ``{id, hidden: True}`` with no name.
    """
    tour = tour if tour is not None else get_tour(atelier)
    if tour is None:
        return []
    entries = []
    for pid in tour.order or []:
        participant = db.session.get(Participant, pid)
        profile = get_profile(participant) if participant is not None else None
        if participant is not None and profile is not None and profile.visible:
            entries.append(
                {
                    "id": pid,
                    "display_name": participant.display_name,
                    "structure": participant.structure,
                    "hidden": False,
                }
            )
        else:
            entries.append({"id": pid, "hidden": True})
    return entries
