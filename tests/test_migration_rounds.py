"""Migration 0003 on a database that already holds a day: every atelier gets round 1 open
for contributions and its cards belong to it, so walls keep working after the upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import text

from facilitation import create_app
from facilitation.domain.contributions import create_contribution
from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Participant


def test_existing_ateliers_open_round_one(app_config: dict[str, Any], tmp_path: Path) -> None:
    app = create_app(
        app_config | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"}
    )
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO event (id, slug, title, date, venue, city, join_code, timezone,"
                    " status, communes, organiser_name, created_at) VALUES (1, 'jour', 'Jour',"
                    " '2021-06-24', '', '', 'J1', 'Europe/Paris', 'ouvert', '[]', '',"
                    " '2021-06-24 08:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO sequence (id, event_id, position, kind, title, starts_at)"
                    " VALUES (1, 1, 0, 'ateliers_pratiques', 'Ateliers', '10:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO atelier (id, event_id, sequence_id, position, title, theme,"
                    " question, room, version) VALUES (1, 1, 1, 0, 'Isolement', '', '', '', 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO participant (id, event_id, display_name, structure, commune,"
                    " consent_at, current_atelier_id, created_at) VALUES (1, 1, 'Nadia', 'CCAS',"
                    " '', '2021-06-24 08:00:00', 1, '2021-06-24 08:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO contribution (id, atelier_id, participant_id, client_id, kind,"
                    " titre, description, structure, commune, public_concerne, created_at)"
                    " VALUES (1, 1, 1, 'avant-migration', 'pratique', 'Appels', '', '', '', '',"
                    " '2021-06-24 10:05:00')"
                )
            )

        upgrade(revision="heads")

        atelier = db.session.get(Atelier, 1)
        rnd = current_round(atelier)
        assert (rnd.number, rnd.phase) == (1, "contributions")
        old = db.session.get(Contribution, 1)
        assert old.round_id == rnd.id and old.visible and not old.pinned
        card, version = create_contribution(
            db.session.get(Participant, 1),
            atelier,
            {"client_id": "apres-migration", "titre": "Encore"},
        )
        assert card.round_id == rnd.id and version == 2
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
