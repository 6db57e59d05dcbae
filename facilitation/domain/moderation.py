"""Moderation of an atelier's wall by its facilitator, and authors changing their own cards.

Every change is a *set* ("this card is hidden"), never a toggle, so a retried event is
harmless: a repeat that changes nothing returns ``None`` instead of a new version and the
caller broadcasts nothing. Each function checks the actor first (``domain.access``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from facilitation.domain import voting
from facilitation.domain.access import Actor, require_facilitator, require_participant_in
from facilitation.domain.contributions import CONTRIBUTION_FIELDS, bump_version
from facilitation.domain.errors import DomainError, NotFound, ValidationError
from facilitation.domain.once import add_once
from facilitation.domain.phases import check_open_for_contributions
from facilitation.domain.validation import N_, TextField, clean, client_id, integer_id
from facilitation.extensions import db
from facilitation.models import Atelier, Category, Contribution
from facilitation.models.base import utcnow
from facilitation.models.contribution import CardStatus

CATEGORY_NAME = TextField("name", N_("Nom de la catégorie"), 80, required=True)


def get_card(atelier: Atelier, raw_id: Any, field: str = "contribution_id") -> Contribution:
    card_id = integer_id(raw_id, field, "une carte")
    card = db.session.get(Contribution, card_id)
    if card is None or card.atelier_id != atelier.id or card.withdrawn_at is not None:
        raise NotFound(gettext("Cette carte n'existe pas (ou plus) dans cet atelier."))
    return card


def _apply_text(card: Contribution, data: Mapping[str, Any], now: datetime) -> bool:
    """Set the fields present in ``data`` (validated; absent ones are kept); return whether
    any changed."""
    fields = tuple(f for f in CONTRIBUTION_FIELDS if f.name in data)
    if not fields:
        raise ValidationError(gettext("Rien à modifier : indiquez au moins le titre."))
    values = clean(data, fields)
    changed = False
    for name, value in values.items():
        if getattr(card, name) != value:
            setattr(card, name, value)
            changed = True
    if changed:
        card.edited_at = now
    return changed


def edit_card(
    actor: Actor,
    atelier: Atelier,
    card: Contribution,
    data: Mapping[str, Any],
    now: datetime | None = None,
) -> int | None:
    """The facilitator rewrites a card (typo, clarity); its author sees « modifié »."""
    require_facilitator(actor, atelier)
    if card.merged_into_id is not None:
        raise DomainError(
            gettext("Cette carte a été fusionnée : modifiez la carte qui la regroupe.")
        )
    if not _apply_text(card, data, now or utcnow()):
        return None
    db.session.flush()
    return bump_version(atelier.id)


def set_flag(
    actor: Actor, atelier: Atelier, card: Contribution, flag: str, value: Any
) -> int | None:
    """``hidden`` or ``pinned`` set to ``value`` (a boolean)."""
    require_facilitator(actor, atelier)
    if flag not in ("hidden", "pinned"):
        raise ValidationError(gettext("Réglage inconnu."))
    if not isinstance(value, bool):
        raise ValidationError(errors={"value": gettext("Oui ou non attendu.")})
    if card.merged_into_id is not None:
        raise DomainError(gettext("Cette carte a été fusionnée dans une autre."))
    if getattr(card, flag) == value:
        return None
    setattr(card, flag, value)
    if flag == "hidden" and value:
        # Voters get their dots back to spend elsewhere; unhiding does not put them back.
        voting.on_card_removed(card)
    db.session.flush()
    return bump_version(atelier.id)


# ------------------------------------------------------------------------- categories
def categories(atelier: Atelier) -> list[Category]:
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.atelier_id == atelier.id)
            .order_by(Category.position, Category.id)
        )
    )


def create_category(actor: Actor, atelier: Atelier, raw_name: Any) -> tuple[Category, int | None]:
    """A category by name; the same name again returns the existing one (idempotent)."""
    require_facilitator(actor, atelier)
    name, error = CATEGORY_NAME.clean(raw_name)
    if error:
        raise ValidationError(errors={"name": error})
    existing = _category_named(atelier, name)
    if existing is not None:
        return existing, None
    position = (
        db.session.scalar(
            select(func.max(Category.position)).where(Category.atelier_id == atelier.id)
        )
        or 0
    ) + 1
    category = Category(atelier_id=atelier.id, name=name, position=position)
    category, created = add_once(category, lambda: _category_named(atelier, name))
    return category, (bump_version(atelier.id) if created else None)


def _category_named(atelier: Atelier, name: str) -> Category | None:
    """The atelier's category of that name, whatever the case. Compared in Python: SQLite's
    ``lower()`` leaves « É » as it is, so « Épicerie » twice was a unique-constraint error
    instead of the existing category (an atelier has a handful of categories)."""
    wanted = name.casefold()
    for category in categories(atelier):
        if category.name.casefold() == wanted:
            return category
    return None


def categorize(actor: Actor, atelier: Atelier, card: Contribution, raw_category: Any) -> int | None:
    """Put ``card`` in a category of the atelier (``None``: no category)."""
    require_facilitator(actor, atelier)
    category_id = None
    if raw_category is not None:
        category_id = integer_id(raw_category, "category_id", "une catégorie")
        category = db.session.get(Category, category_id)
        if category is None or category.atelier_id != atelier.id:
            raise NotFound(gettext("Cette catégorie n'existe pas dans cet atelier."))
    if card.category_id == category_id:
        return None
    card.category_id = category_id
    db.session.flush()
    return bump_version(atelier.id)


# ------------------------------------------------------------------------- merge
def merge_contributions(target: Contribution, source: Contribution) -> None:
    """Merge the duplicate ``source`` into ``target``: no text, author or dot is lost.

    ``source`` stays in the database with ``merged_into_id``; the target's read model shows
    its text and author (``merged_cards``). Authorisation is the caller's (``merge``).
    """
    if target.id == source.id:
        raise DomainError(gettext("Une carte ne peut pas être fusionnée avec elle-même."))
    if target.atelier_id != source.atelier_id:
        raise DomainError(gettext("Seules des cartes du même atelier peuvent être fusionnées."))
    if target.merged_into_id is not None or source.merged_into_id is not None:
        raise DomainError(
            gettext("L'une de ces cartes a déjà été fusionnée : l'écran est mis à jour.")
        )
    # Cards already merged into the source now belong to the target: one level only.
    for child in db.session.scalars(
        select(Contribution).where(Contribution.merged_into_id == source.id)
    ):
        child.merged_into_id = target.id
    target.pinned = target.pinned or source.pinned
    if target.category_id is None:
        target.category_id = source.category_id
    source.merged_into_id = target.id
    source.pinned = False
    db.session.flush()
    _merge_hook(target, source)


def merge(actor: Actor, atelier: Atelier, target: Contribution, source: Contribution) -> int:
    """The facilitator merges two duplicates; returns the atelier's new version."""
    require_facilitator(actor, atelier)
    merge_contributions(target, source)
    return bump_version(atelier.id)


def merged_cards(target_ids: list[int]) -> dict[int, list[Contribution]]:
    """For each target id, the cards merged into it (oldest first)."""
    if not target_ids:
        return {}
    out: dict[int, list[Contribution]] = {}
    for card in db.session.scalars(
        select(Contribution)
        .where(Contribution.merged_into_id.in_(target_ids), Contribution.withdrawn_at.is_(None))
        .order_by(Contribution.created_at, Contribution.id)
    ):
        out.setdefault(card.merged_into_id or 0, []).append(card)
    return out


def _merge_hook(target: Contribution, source: Contribution) -> None:
    """Move the source's dots onto the target (budget and per-card max kept by voting)."""
    voting.on_merge(target, source)


# ------------------------------------------------------------------------- authors
def own_card(actor: Actor, atelier: Atelier, data: Mapping[str, Any]) -> Contribution:
    """The participant's own card in ``atelier``, found by the client id it was posted with."""
    participant = require_participant_in(actor, atelier)
    cid = client_id(data.get("client_id"))
    card = db.session.scalar(
        select(Contribution).where(
            Contribution.participant_id == participant.id,
            Contribution.client_id == cid,
            Contribution.atelier_id == atelier.id,
        )
    )
    if card is None:
        raise NotFound(gettext("Cette carte n'existe pas, ou ce n'est pas la vôtre."))
    return card


def update_own(
    actor: Actor, atelier: Atelier, data: Mapping[str, Any], now: datetime | None = None
) -> tuple[Contribution, int | None]:
    """The author rewrites their card while contributions are open (a set: retry-safe)."""
    card = own_card(actor, atelier, data)
    if card.withdrawn_at is not None:
        raise DomainError(gettext("Vous avez retiré cette carte."))
    if card.merged_into_id is not None:
        raise DomainError(
            gettext("L'animation a regroupé cette carte avec une autre : elle ne se modifie plus.")
        )
    check_open_for_contributions(atelier, now)
    changed = _apply_text(card, data, now or utcnow())
    if card.status != CardStatus.ACCEPTED:
        # Off the wall (waiting, or declined and reworked): nothing for the room; a declined
        # card goes back to the queue with its new text (the caller tells the consoles).
        if card.status == CardStatus.DECLINED:
            card.status = CardStatus.PENDING.value
            card.decided_at = None
        db.session.flush()
        return card, None
    if not changed:
        return card, None
    db.session.flush()
    return card, bump_version(atelier.id)


def withdraw_own(
    actor: Actor, atelier: Atelier, data: Mapping[str, Any], now: datetime | None = None
) -> tuple[Contribution, int | None]:
    """The author withdraws their card while contributions are open; a repeat is a no-op."""
    card = own_card(actor, atelier, data)
    if card.withdrawn_at is not None:
        return card, None
    check_open_for_contributions(atelier, now)
    card.withdrawn_at = now or utcnow()
    card.pinned = False
    voting.on_card_removed(card)
    db.session.flush()
    return card, bump_version(atelier.id)


# ------------------------------------------------------------------------- projector
PROJECTOR_MODES = ("all", "card", "categories", "results", "paperboards")


def set_projector_mode(
    actor: Actor, atelier: Atelier, mode: Any, focus_id: Any = None
) -> int | None:
    """What the room's screen shows: all cards, one card enlarged, by category, results."""
    require_facilitator(actor, atelier)
    if mode not in PROJECTOR_MODES:
        raise ValidationError(errors={"mode": gettext("Choisissez un affichage du projecteur.")})
    focus = None
    if mode == "card":
        card = get_card(atelier, focus_id, "contribution_id")
        if not card.visible:
            raise DomainError(
                gettext("Cette carte est masquée ou fusionnée : elle ne peut pas être projetée.")
            )
        focus = card.id
    if atelier.projector_mode == mode and atelier.projector_focus_id == focus:
        return None
    atelier.projector_mode = mode
    atelier.projector_focus_id = focus
    db.session.flush()
    return bump_version(atelier.id)
