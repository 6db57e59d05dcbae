"""The facilitator's assistant: proposals of duplicates and themes, and their acceptance.

The assistant only proposes: nothing changes on the wall until the facilitator accepts, and
accepting uses the console's own actions (``moderation.merge``, ``create_category`` and
``categorize``). A proposal accepted or dismissed is stored (``AssistantDecision``) and never
proposed again in the atelier. The computation itself is ``domain.similarity`` (pure
Python); ``push.assistant`` runs it off the phones' way, debounced, for connected consoles.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from facilitation.domain import moderation, similarity
from facilitation.domain.access import Actor, require_facilitator
from facilitation.domain.errors import ValidationError
from facilitation.domain.once import add_once
from facilitation.domain.validation import integer_id
from facilitation.extensions import db
from facilitation.models import AssistantDecision, Atelier, Category, Contribution

#: At most this many proposals of each kind on the console at once (the likeliest).
MAX_DUPLICATES = 8
MAX_THEMES = 6
#: A theme proposal names at most this many cards (the console lists them).
MAX_THEME_CARDS = 200

_DUPLICATE_KEY = re.compile(r"^d:(\d{1,18})-(\d{1,18})$")
_THEME_KEY = re.compile(r"^t:[a-z0-9~+\-']{1,180}$")
_KEY_UNSAFE = re.compile(r"[^a-z0-9~+\-']")


def duplicate_key(ids: tuple[int, int]) -> str:
    a, b = sorted(ids)
    return f"d:{a}-{b}"


def theme_key(keys: tuple[str, ...]) -> str:
    """``t:`` and the theme's sorted keys; any other character (a typographic apostrophe,
    a letter beyond Latin) becomes ``-``: the key is an identity, never shown."""
    return "t:" + _KEY_UNSAFE.sub("-", "+".join(sorted(keys)))[:180]


@dataclass(frozen=True)
class Inputs:
    """What the computation needs, read from the database in one go (then the session can
    be given back before the CPU work starts)."""

    atelier_id: int
    cards: list[similarity.Card]
    titles: dict[int, str]
    uncategorized: set[int]
    decided: set[str]


def inputs(atelier: Atelier) -> Inputs:
    """The atelier's visible cards (with the text of cards merged into them) and decisions."""
    rows = list(
        db.session.scalars(
            select(Contribution)
            .where(Contribution.atelier_id == atelier.id, Contribution.visible)
            .order_by(Contribution.id)
        )
    )
    merged = moderation.merged_cards([c.id for c in rows])
    cards = []
    for card in rows:
        extra = " ".join(f"{m.titre} {m.description}" for m in merged.get(card.id, []))
        cards.append(similarity.Card(card.id, card.titre, f"{card.description} {extra}".strip()))
    decided = set(
        db.session.scalars(
            select(AssistantDecision.key).where(AssistantDecision.atelier_id == atelier.id)
        )
    )
    return Inputs(
        atelier.id,
        cards,
        {c.id: c.titre for c in rows},
        {c.id for c in rows if c.category_id is None},
        decided,
    )


def compute(data: Inputs, pause: Callable[[], None] | None = None) -> dict[str, Any]:
    """The proposals for ``data`` (no database access: safe off the request)."""
    result = similarity.analyse(data.cards, pause, theme_cards=data.uncategorized)
    duplicates = []
    for found in result.duplicates:
        key = duplicate_key(found.ids)
        if key in data.decided:
            continue
        duplicates.append(
            {
                "key": key,
                "ids": list(found.ids),
                "titres": [data.titles[i] for i in found.ids],
                "score": found.score,
            }
        )
        if len(duplicates) >= MAX_DUPLICATES:
            break
    themes = []
    for theme in result.themes:
        key = theme_key(theme.keys)
        if key in data.decided:
            continue
        ids = list(theme.ids[:MAX_THEME_CARDS])
        themes.append(
            {
                "key": key,
                "label": theme.label[:80],
                "ids": ids,
                "titres": [data.titles[i] for i in ids],
            }
        )
        if len(themes) >= MAX_THEMES:
            break
    return {"atelier_id": data.atelier_id, "duplicates": duplicates, "themes": themes}


def proposals(atelier: Atelier) -> dict[str, Any]:
    """The proposals for ``atelier`` now (tests, and a console asking directly)."""
    return compute(inputs(atelier))


# ------------------------------------------------------------------------- decisions
def _key(raw: Any) -> str:
    if not isinstance(raw, str) or not (_DUPLICATE_KEY.match(raw) or _THEME_KEY.match(raw)):
        raise ValidationError(errors={"key": gettext("Cette proposition n'est pas reconnue.")})
    return raw


def _record(atelier: Atelier, key: str, decision: str) -> bool:
    """Store the decision once; False when this proposal was already decided."""
    stored = lambda: db.session.scalar(  # noqa: E731
        select(AssistantDecision).where(
            AssistantDecision.atelier_id == atelier.id, AssistantDecision.key == key
        )
    )
    if stored() is not None:
        return False
    _, created = add_once(
        AssistantDecision(atelier_id=atelier.id, key=key, decision=decision), stored
    )
    return created


def dismiss(actor: Actor, atelier: Atelier, raw_key: Any) -> bool:
    """The facilitator sets a proposal aside for good; False when already decided."""
    require_facilitator(actor, atelier)
    return _record(atelier, _key(raw_key), "dismissed")


@dataclass
class MergeDone:
    target: Contribution
    source: Contribution
    version: int | None


def accept_duplicate(actor: Actor, atelier: Atelier, raw_key: Any) -> MergeDone:
    """Merge the newer card of the pair into the older one (``moderation.merge``).

    A repeat (the same pair already merged that way) changes nothing: ``version`` None.
    """
    require_facilitator(actor, atelier)
    key = _key(raw_key)
    match = _DUPLICATE_KEY.match(key)
    if match is None:
        raise ValidationError(errors={"key": gettext("Cette proposition n'est pas reconnue.")})
    first = integer_id(match.group(1), "key", "une carte")
    second = integer_id(match.group(2), "key", "une carte")
    target_id, source_id = sorted((first, second))
    target = db.session.get(Contribution, target_id)
    source = db.session.get(Contribution, source_id)
    if (
        target is not None
        and source is not None
        and target.atelier_id == atelier.id
        and source.merged_into_id == target.id
    ):
        _record(atelier, key, "accepted")
        return MergeDone(target, source, None)
    target = moderation.get_card(atelier, target_id, "key")
    source = moderation.get_card(atelier, source_id, "key")
    version = moderation.merge(actor, atelier, target, source)
    _record(atelier, key, "accepted")
    return MergeDone(target, source, version)


@dataclass
class ThemeDone:
    category: Category
    category_version: int | None
    #: The cards moved into the category, each with the version its move gave.
    cards: list[tuple[Contribution, int]]


def accept_theme(
    actor: Actor, atelier: Atelier, raw_key: Any, raw_name: Any, raw_ids: Any
) -> ThemeDone:
    """The theme becomes a category (by name: an existing one is reused) holding its cards.

    Cards gone since the proposal (withdrawn, merged, hidden) are left out; a repeat
    changes nothing.
    """
    require_facilitator(actor, atelier)
    key = _key(raw_key)
    if not key.startswith("t:"):
        raise ValidationError(errors={"key": gettext("Cette proposition n'est pas reconnue.")})
    if not isinstance(raw_ids, list) or not raw_ids or len(raw_ids) > MAX_THEME_CARDS:
        raise ValidationError(errors={"card_ids": gettext("Indiquez les cartes du thème.")})
    ids = sorted({integer_id(raw, "card_ids", "une carte") for raw in raw_ids})
    category, category_version = moderation.create_category(actor, atelier, raw_name)
    moved: list[tuple[Contribution, int]] = []
    for card in db.session.scalars(
        select(Contribution).where(Contribution.id.in_(ids), Contribution.atelier_id == atelier.id)
    ):
        if not card.visible:
            continue
        version = moderation.categorize(actor, atelier, card, category.id)
        if version is not None:
            moved.append((card, version))
    _record(atelier, key, "accepted")
    return ThemeDone(category, category_version, moved)
