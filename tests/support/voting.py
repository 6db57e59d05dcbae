"""Helpers for the dot-voting tests: cards, actors and a facilitator's browser session."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient

from facilitation.domain.access import Actor, create_facilitator_link
from facilitation.edge.identity import LINKS_KEY
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Participant


def make_card(atelier: Atelier, author: Participant | None = None, titre: str = "") -> Contribution:
    card = Contribution(
        atelier_id=atelier.id,
        participant_id=author.id if author else None,
        client_id=uuid.uuid4().hex,
        kind="pratique",
        titre=titre or f"Carte {uuid.uuid4().hex[:6]}",
    )
    db.session.add(card)
    db.session.commit()
    return card


def participant_actor(participant: Participant) -> Actor:
    return Actor(event_id=participant.event_id, participant=participant)


def facilitator_actor(atelier: Atelier) -> Actor:
    link, _token = create_facilitator_link(atelier.event, atelier, "Animation")
    db.session.commit()
    return Actor(event_id=atelier.event_id, links=(link,))


def facilitator_client(app: Flask, atelier: Atelier) -> FlaskClient:
    """A browser holding a facilitator link for ``atelier`` (as after opening the link)."""
    link, _token = create_facilitator_link(atelier.event, atelier, "Animation")
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session[LINKS_KEY] = [link.id]
    return client
