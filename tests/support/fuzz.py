"""Shared pieces of the fuzz tests (tests/realtime/test_fuzz.py, tests/web/test_fuzz.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st
from sqlalchemy import func, select

from facilitation.edge import identity
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Organizer, Participant
from tests.conftest import new_client_id

WEIRD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "x" * 5000,
        "é" * 3000,
        "\u202e\ufeff",
        "NaN",
        "-1",
        "1e309",
        "__proto__",
        # Text that cannot go into XML or be encoded: a lone surrogate, non-characters, C1
        # controls; digits Python reads as numbers but a database id is not.
        "\ud800",
        "x \ufffe\uffff",
        "\x85\x9f\u2028",
        "٣",
        "²",
        "2147483648",
        "9223372036854775808",
    ]
)

#: Ids at and beyond the databases' integer ranges (PostgreSQL INTEGER, SQLite 64-bit).
BIG_IDS = st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1])

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | BIG_IDS
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | WEIRD_TEXT,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def fingerprint() -> tuple[tuple[str, int], ...]:
    """Row counts of every table, plus each atelier's version: what a write would change.

    One round trip (a select of scalar subqueries), as it runs twice per fuzzed request.
    """
    db.session.expire_all()
    tables = db.metadata.sorted_tables
    counts = db.session.execute(
        select(*(select(func.count()).select_from(t).scalar_subquery() for t in tables))
    ).one()
    versions = db.session.execute(select(Atelier.id, Atelier.version).order_by(Atelier.id)).all()
    return tuple(zip((t.name for t in tables), counts, strict=True)) + tuple(
        (f"version:{i}", v) for i, v in versions
    )


@dataclass
class FuzzWorld:
    """An event with a pratiques atelier (holding a colleague's card) and a chantiers one."""

    atelier: Atelier
    chantiers: Atelier
    other: Participant
    organizer: Organizer
    participant: FlaskClient
    organizer_browser: FlaskClient


def build_world(
    app: Flask,
    make_atelier: Callable[..., Atelier],
    make_participant: Callable[..., Participant],
    joined_client: Callable[..., Any],
) -> FuzzWorld:
    """The data both fuzz tests send against, with a joined participant and a logged organizer."""
    atelier = make_atelier()
    chantiers = make_atelier(event=atelier.event, kind="ateliers_chantiers")
    other = make_participant(atelier)
    db.session.add(
        Contribution(
            atelier_id=atelier.id,
            participant_id=other.id,
            client_id=new_client_id(),
            kind="pratique",
            titre="Carte existante",
        )
    )
    organizer = Organizer(email="orga@example.org", password_hash="!", display_name="Orga")
    organizer.events.append(atelier.event)
    db.session.add(organizer)
    db.session.commit()
    participant = joined_client(atelier)
    organizer_browser = app.test_client()
    with organizer_browser.session_transaction() as session:
        session[identity.ORGANIZER_KEY] = organizer.id
        session[identity.ORGANIZER_VERSION_KEY] = organizer.session_version
    return FuzzWorld(atelier, chantiers, other, organizer, participant, organizer_browser)
