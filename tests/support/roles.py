"""Browsers holding a role: a facilitator link or an organizer login in the session cookie."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from facilitation.domain.access import create_facilitator_link, create_organizer, grant_event
from facilitation.edge.identity import LINKS_KEY, ORGANIZER_KEY, ORGANIZER_VERSION_KEY
from facilitation.extensions import db
from facilitation.models import Atelier, Event


def facilitator_client(app: Flask, atelier: Atelier) -> FlaskClient:
    """A browser that opened a facilitator link scoped to ``atelier``."""
    link, _ = create_facilitator_link(atelier.event, atelier, label="Animation")
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session[LINKS_KEY] = [link.id]
    return client


def organizer_client(app: Flask, event: Event, email: str = "agence@example.org") -> FlaskClient:
    """A browser logged in as an organizer of ``event``."""
    organizer = create_organizer(email, "mot-de-passe-solide")
    grant_event(organizer, event)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session[ORGANIZER_KEY] = organizer.id
        session[ORGANIZER_VERSION_KEY] = organizer.session_version
    return client


def live_facilitator_path(server: Any, slug: str, atelier_id: int) -> str:
    """For a real server (``tests/support/live_server.py``): the path ``/f/<token>`` of a new
    facilitator link for ``atelier_id``, made by ``flask facilitator-link`` as an organizer
    would; opening it in a browser (or an HTTP session) makes that browser a facilitator.
    """
    out = server.flask("facilitator-link", slug, "--atelier", str(atelier_id)).stdout
    match = re.search(r"(/f/[A-Za-z0-9_-]+)\s*$", out)
    assert match, out
    return match.group(1)
