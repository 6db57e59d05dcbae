"""What a card keeps of its « structure » and « commune » once its author is forgotten.

The card form is prefilled from the join form, so a card's structure and commune are most
often its author's own; a structure typed once may be a person's name (a self-employed
worker, « Marie Dupont »), and a structure with a single person at the event points at that
person. So when a card loses its author (« Mes données », the purge), it keeps:

* a structure only if at least ``SHARED_BY`` participants of the event joined with it;
* a commune only if it is one of the event's communes, or if ``SHARED_BY`` participants
  joined from it;

and the other values are blanked. Names are compared as the rest of the app compares them
(case, accents and spaces ignored). Once the event is purged the participants' names are
gone, so the figures frozen by the purge (``retention.kept_figures``), which keep the
counts of the shared names only, tell which names are shared: a second run of the purge
decides as the first did.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from facilitation.domain.retention import kept_figures
from facilitation.extensions import db
from facilitation.models import Contribution, Event, Participant

#: How many participants must have named a structure (or commune) for a card to keep it: one
#: name given by one person may be that person's name, or points at them.
SHARED_BY = 2


def name_key(text: str | None) -> str:
    """Case-folded, no accents, single spaces (as ``setup.parsing.compare_key``, which this
    layer does not import)."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("_", " ").split())


def _shared(counted: Iterable[tuple[str, int]]) -> set[str]:
    totals: Counter[str] = Counter()
    for name, count in counted:
        key = name_key(name)
        if key:
            totals[key] += count
    return {key for key, n in totals.items() if n >= SHARED_BY}


@dataclass(frozen=True)
class KeptNames:
    """The keys (``name_key``) of the structures and communes a card may keep."""

    structures: frozenset[str]
    communes: frozenset[str]

    def structure(self, value: str) -> str:
        return value if name_key(value) in self.structures else ""

    def commune(self, value: str) -> str:
        return value if name_key(value) in self.communes else ""


def kept_names(event: Event) -> KeptNames:
    """The structures and communes shared enough to stay on the event's cards."""
    frozen = kept_figures(event)
    if "structures_list" in frozen:
        # Purged: the participants are blank; the frozen tallies still hold the counts.
        structures = _shared((e["name"], e["count"]) for e in frozen["structures_list"])
        communes = _shared((e["name"], e["count"]) for e in frozen.get("communes_list", []))
    else:
        rows = db.session.execute(
            select(Participant.structure, Participant.commune).where(
                Participant.event_id == event.id
            )
        ).all()
        structures = _shared((row.structure, 1) for row in rows)
        communes = _shared((row.commune, 1) for row in rows)
    communes |= {name_key(c) for c in event.communes or []}
    return KeptNames(frozenset(structures), frozenset(communes))


def unshared_places(cards: Iterable[Contribution], kept: KeptNames) -> list[Contribution]:
    """The cards whose structure or commune is not shared enough to be kept."""
    return [
        c
        for c in cards
        if kept.structure(c.structure) != c.structure or kept.commune(c.commune) != c.commune
    ]


def blank_unshared(cards: Iterable[Contribution], kept: KeptNames) -> int:
    """Blank the structure and commune that ``kept`` does not keep; how many cards changed."""
    changed = unshared_places(cards, kept)
    for card in changed:
        card.structure = kept.structure(card.structure)
        card.commune = kept.commune(card.commune)
    return len(changed)


def shared_tally(entries: list[dict[str, Any]], keys: frozenset[str]) -> list[dict[str, Any]]:
    """A restitution tally (``[{name, count}]``) without the names ``keys`` does not keep."""
    return [e for e in entries if name_key(e["name"]) in keys]
