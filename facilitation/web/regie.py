"""The régie: an event's live control room (every atelier at a glance, announcements, agenda).

Server-rendered as a read-out; the controls are Socket.IO events sent by static/js/regie.js,
authorised on the server like every event.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from facilitation.domain import control
from facilitation.web.guards import EVENT_PREFIX, login_required, organizer_event

bp = Blueprint("regie", __name__, url_prefix=EVENT_PREFIX)


@bp.get("/regie")
@login_required
def control_room(slug: str):  # type: ignore[no-untyped-def]
    """The live control room of an event: every atelier at a glance, announcements, agenda."""
    event = organizer_event(slug)
    snapshot = control.control_snapshot(event, lambda _a: 0, lambda _a: 0)
    return render_template(
        "organizer/regie.html",
        event=event,
        snapshot=snapshot,
        idle_minutes=current_app.config.get("CONTROL_IDLE_MINUTES", control.IDLE_MINUTES),
    )
