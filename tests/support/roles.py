"""Browsers holding a role: a facilitator link or an organizer login in the session cookie."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from facilitation.config import normalise_database_url
from facilitation.domain.access import create_facilitator_link, create_organizer, grant_event
from facilitation.extensions import db
from facilitation.identity import LINKS_KEY, ORGANIZER_KEY
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
    return client


def live_facilitator_cookie(server: Any, slug: str, atelier_id: int) -> str:
    """For a real server (``tests/support/live_server.py``): the value of a ``session`` cookie
    holding a new facilitator link for ``atelier_id``, as after opening the secret link.

    The link is made by the ``flask facilitator-link`` command; the cookie is signed with the
    server's ``SECRET_KEY`` the way Flask signs sessions.
    """
    label = f"Animation {uuid.uuid4().hex[:8]}"
    server.flask("facilitator-link", slug, "--atelier", str(atelier_id), "--label", label)
    engine = create_engine(normalise_database_url(server.env["DATABASE_URL"]))
    try:
        with engine.connect() as conn:
            link_id = conn.execute(
                text("SELECT id FROM facilitator_link WHERE label = :label"), {"label": label}
            ).scalar_one()
    finally:
        engine.dispose()
    signer = Flask("signer")
    signer.secret_key = server.env["SECRET_KEY"]
    serializer = signer.session_interface.get_signing_serializer(signer)  # type: ignore[attr-defined]
    return str(serializer.dumps({LINKS_KEY: [link_id]}))
