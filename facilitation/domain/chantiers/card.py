"""Finding a chantier and keeping its versions: the lookups and checks every write starts with."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import update

from facilitation.domain.access import Actor
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import Closed, NotFound
from facilitation.domain.once import add_once
from facilitation.domain.validation import integer_id
from facilitation.extensions import db
from facilitation.models import Atelier, ChantierDetail, Contribution, Event


def get_chantier(chantier_id: Any, event: Event | None = None) -> Contribution:
    """The chantier card ``chantier_id`` (of ``event`` when given), with its detail row."""
    cid = integer_id(chantier_id, "chantier_id", "un chantier")
    card = db.session.get(Contribution, cid)
    if card is None or card.kind != "chantier" or (event and card.atelier.event_id != event.id):
        raise NotFound(gettext("Ce chantier n'existe pas."))
    ensure_detail(card)
    return card


def ensure_detail(card: Contribution) -> ChantierDetail:
    """The detail row, created empty for a chantier posted without one (``contribution:create``)."""
    detail = db.session.get(ChantierDetail, card.id)
    if detail is None:
        # Created at the same moment by a concurrent first write: use that one.
        detail, _ = add_once(
            ChantierDetail(contribution_id=card.id, communes=[], consolidated={}),
            lambda: db.session.get(ChantierDetail, card.id, populate_existing=True),
        )
    return detail


def check_visible(actor: Actor, card: Contribution) -> None:
    """A chantier hidden, merged or withdrawn by moderation is shown to its facilitators only."""
    if not card.visible and not actor.facilitates(card.atelier):
        raise NotFound(gettext("Ce chantier n'est plus affiché sur le mur."))


def check_open(atelier: Atelier) -> None:
    """``Closed`` once the event is closed: a chantier takes no more writes."""
    if not atelier.event.is_open:
        raise Closed()


def bump_versions(card: Contribution) -> int:
    """Bump the chantier's version and the atelier's, in this transaction; returns the
    atelier's, which the caller broadcasts with the chantier's view after its commit."""
    db.session.execute(
        update(ChantierDetail)
        .where(ChantierDetail.contribution_id == card.id)
        .values(version=ChantierDetail.version + 1)
        .execution_options(synchronize_session=False)
    )
    detail = db.session.get(ChantierDetail, card.id)
    if detail is not None:
        db.session.expire(detail, ["version"])
    return bump_version(card.atelier_id)
