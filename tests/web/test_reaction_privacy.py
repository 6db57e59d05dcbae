"""« Mes données » (issue 19.2): one's « Moi aussi » are shown, downloadable, and deleted with
one's data; the room's counts go down after the commit."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from facilitation.domain import reactions
from facilitation.domain.access import Actor
from facilitation.extensions import db
from facilitation.models import Contribution, Participant, Reaction
from facilitation.push import reactions as reactions_push
from tests.support.csrf import form_token


def test_my_reactions_are_shown_and_deleted_with_my_data(
    app, make_atelier, make_participant, joined_client, make_socket
):
    atelier = make_atelier()
    client = joined_client(atelier, "Nadia")
    nadia = db.session.scalars(select(Participant).where(Participant.display_name == "Nadia")).one()
    author = make_participant(atelier)
    card = Contribution(
        atelier_id=atelier.id,
        participant_id=author.id,
        client_id=uuid.uuid4().hex,
        kind="pratique",
        titre="Appels de convivialité",
    )
    db.session.add(card)
    db.session.commit()
    reactions.set_reaction(Actor(atelier.event_id, nadia), card.id, "interesse", True)
    db.session.commit()
    watcher = make_socket()
    watcher.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    watcher.get_received()

    slug = atelier.event.slug
    html = client.get(f"/e/{slug}/mes-donnees").get_data(as_text=True)
    assert "Mes réactions aux pratiques" in html
    assert "Ça m’intéresse — Appels de convivialité" in html
    data = client.get(f"/e/{slug}/mes-donnees.json").get_json()
    assert data["reactions"][0]["kind"] == "interesse"

    token = form_token(client, f"/e/{slug}/mes-donnees")
    response = client.post(
        f"/e/{slug}/mes-donnees/supprimer", data={"csrf_token": token, "confirm": "1"}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Reaction.id))) == 0
    assert reactions_push.flush() == 1
    counts = [m["args"][0] for m in watcher.get_received() if m["name"] == "reaction:counts"]
    assert counts == [{"atelier_id": atelier.id, "counts": {}}]
