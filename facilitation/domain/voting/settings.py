"""A ballot's settings: dots per person, the per-card maximum, live tallies, own card.

Parsed the same way from the vote panel's form and from a socket payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from facilitation.domain.errors import ValidationError
from facilitation.domain.validation import N_
from facilitation.models.vote import MAX_DOTS_PER_PARTICIPANT, Ballot

DEFAULT_DOTS = 3


@dataclass(frozen=True)
class BallotSettings:
    dots_per_participant: int = DEFAULT_DOTS
    #: ``None``: no limit per card beyond the budget.
    max_per_card: int | None = None
    tallies_visible_live: bool = False
    allow_own_card: bool = True

    @classmethod
    def of(cls, ballot: Ballot) -> BallotSettings:
        return cls(
            dots_per_participant=ballot.dots_per_participant,
            max_per_card=ballot.max_per_card,
            tallies_visible_live=ballot.tallies_visible_live,
            allow_own_card=ballot.allow_own_card,
        )


def _int_setting(raw: Any, name: str, label: str, low: int, high: int) -> tuple[int | None, str]:
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        return None, gettext(
            "« %(label)s » doit être un nombre entre %(low)s et %(high)s.",
            label=gettext(label),
            low=low,
            high=high,
        )
    return raw, ""


def _bool_setting(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.lower() in {"on", "1", "true", "oui"})


def parse_settings(raw: Mapping[str, Any] | None) -> BallotSettings:
    """Settings from a form or a socket payload; missing keys take the defaults.

    Booleans are true for ``true``/``"on"``/``"1"``/``"oui"``; a missing ``allow_own_card``
    keeps the default (allowed) unless ``raw`` comes from an HTML form, which sends
    ``allow_own_card_present`` to tell "unchecked" from "absent".
    """
    raw = raw if isinstance(raw, Mapping) else {}
    errors: dict[str, str] = {}
    dots = DEFAULT_DOTS
    if raw.get("dots_per_participant") not in (None, ""):
        value, error = _int_setting(
            raw["dots_per_participant"],
            "dots_per_participant",
            N_("Points par personne"),
            1,
            MAX_DOTS_PER_PARTICIPANT,
        )
        if error:
            errors["dots_per_participant"] = error
        else:
            dots = value or DEFAULT_DOTS
    max_per_card: int | None = None
    if raw.get("max_per_card") not in (None, ""):
        value, error = _int_setting(
            raw["max_per_card"], "max_per_card", N_("Points au plus par carte"), 1, max(dots, 1)
        )
        if error:
            errors["max_per_card"] = error
        else:
            max_per_card = value
    if errors:
        raise ValidationError(errors=errors)
    allow_own = True
    if "allow_own_card" in raw or raw.get("allow_own_card_present"):
        allow_own = _bool_setting(raw.get("allow_own_card"))
    return BallotSettings(
        dots_per_participant=dots,
        max_per_card=max_per_card,
        tallies_visible_live=_bool_setting(raw.get("tallies_visible_live")),
        allow_own_card=allow_own,
    )
