"""Which sockets belong to whom, so that a logout or a revoked link cuts them at once.

A socket whose cookie carries an organizer login joins ``organizer:<id>``; one carrying
facilitator links joins ``link:<id>`` for each (``push.sessions`` ends those rooms). Done when
the socket connects, and again when it joins a console, the control room or a vote panel
(the rooms where organizer and facilitator data arrive). Cheap: the cookie is read, not the
database; a stale id only puts the socket in a room that nobody ends.
"""

from __future__ import annotations

from flask import session
from flask_socketio import join_room

from facilitation.edge.identity import LINKS_KEY, ORGANIZER_KEY
from facilitation.push.sessions import link_room, organizer_room


def bind() -> None:
    """Put the current socket in the rooms of the identities its cookie carries."""
    organizer_id = session.get(ORGANIZER_KEY)
    if isinstance(organizer_id, int):
        join_room(organizer_room(organizer_id))
    for link_id in session.get(LINKS_KEY) or []:
        if isinstance(link_id, int):
            join_room(link_room(link_id))
