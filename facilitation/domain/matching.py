"""Who could help whom: simple, explainable matching of « je cherche » and « je peux apporter ».

A's « je cherche » tags are compared with B's « je peux apporter » tags, and the other way
round. Tags are compared on normalised words: lower case, accents folded, French stop words
removed, a light stemming (plural « s »/« x », « -aux » → « -al »); a few general words
(« aide », « public »...) never match alone. Every overlap becomes a
``Reason`` that names both original tags, so the page can say *why* two people were matched.
The score is symmetric: ``score(A, B) == score(B, A)``.

Only visible (consenting) profiles are matched: see ``matches_for``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from facilitation.domain.profiles import public_card, visible_in_event
from facilitation.models import Event, Participant, Profile

#: Compared after folding accents (« à » is « a », « très » is « tres »).
STOP_WORDS = frozenset(
    {
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "cet",
        "cette",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "etc",
        "il",
        "ils",
        "je",
        "j",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "ma",
        "mes",
        "mon",
        "n",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "s",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
        "plus",
        "moins",
        "tres",
        "bien",
        "faire",
        "avoir",
        "etre",
        "sont",
        "est",
    }
)

#: Words too general to make a match on their own: « aide alimentaire » and « aides
#: d'urgence » share « aide » but are not the same help. They still count alongside a
#: meaningful word, and an identical tag always matches.
GENERIC_WORDS = frozenset({"aide", "soutien", "besoin", "personne", "public", "service"})

_WORD = re.compile(r"[a-z0-9]+")
#: An exact tag match counts more than a shared word.
SAME_TAG_BONUS = 2


def fold(text: str) -> str:
    """Lower case without accents: « Hébergement d'Urgence » → « hebergement d'urgence »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A deliberately light French stemming: plurals only, so matches stay explainable."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"  # sociaux → social, locaux → local
    if len(word) > 3 and word.endswith(("s", "x")) and not word.endswith("ss"):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=4096)
def keywords(text: str) -> frozenset[str]:
    """The normalised words of a tag, stop words removed."""
    words = _WORD.findall(fold(text))
    return frozenset(stem(w) for w in words if w not in STOP_WORDS and len(w) > 1)


@dataclass(frozen=True)
class Reason:
    """One overlap: ``seeker`` looks for ``sought``, ``helper`` can bring ``offered``."""

    seeker_id: int
    helper_id: int
    sought: str
    offered: str
    shared: tuple[str, ...]
    weight: int

    def text_for(self, viewer_id: int, other_name: str) -> str:
        """The sentence shown to ``viewer_id`` about the other person."""
        if self.seeker_id == viewer_id:
            return f"Vous cherchez « {self.sought} », {other_name} peut apporter « {self.offered} »"
        return f"{other_name} cherche « {self.sought} », vous pouvez apporter « {self.offered} »"


@dataclass(frozen=True)
class Match:
    """A person ``other`` matched with ``viewer``, with the reasons, best first."""

    viewer: Participant
    other: Participant
    other_profile: Profile
    score: int
    reasons: tuple[Reason, ...]

    @property
    def sentences(self) -> list[str]:
        return [r.text_for(self.viewer.id, self.other.display_name) for r in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": public_card(self.other, self.other_profile),
            "score": self.score,
            "reasons": self.sentences,
        }


def _one_way(seeker_id: int, needs: list[str], helper_id: int, offers: list[str]) -> list[Reason]:
    reasons = []
    for sought in needs:
        sought_words = keywords(sought)
        if not sought_words:
            continue
        for offered in offers:
            offered_words = keywords(offered)
            shared = sought_words & offered_words
            if not shared or (shared <= GENERIC_WORDS and offered_words != sought_words):
                continue
            weight = len(shared) + (SAME_TAG_BONUS if offered_words == sought_words else 0)
            reasons.append(
                Reason(seeker_id, helper_id, sought, offered, tuple(sorted(shared)), weight)
            )
    return reasons


def reasons_between(a_id: int, a: Profile, b_id: int, b: Profile) -> list[Reason]:
    """Every overlap between A and B, both directions, strongest first (ties: A's needs first)."""
    reasons = _one_way(a_id, list(a.needs or []), b_id, list(b.offers or [])) + _one_way(
        b_id, list(b.needs or []), a_id, list(a.offers or [])
    )
    return sorted(reasons, key=lambda r: -r.weight)


def score(reasons: list[Reason] | tuple[Reason, ...]) -> int:
    return sum(r.weight for r in reasons)


def matches_for(participant: Participant, limit: int = 20) -> list[Match]:
    """The people of ``participant``'s event matched with them, best first.

    Empty unless ``participant`` has a visible profile: one only sees matches once one has
    agreed to be seen. Only other visible profiles are considered.
    """
    people = visible_in_event(participant.event)
    mine = next((prof for p, prof in people if p.id == participant.id), None)
    if mine is None:
        return []
    found = []
    for other, profile in people:
        if other.id == participant.id:
            continue
        reasons = reasons_between(participant.id, mine, other.id, profile)
        if reasons:
            found.append(Match(participant, other, profile, score(reasons), tuple(reasons)))
    found.sort(key=lambda m: (-m.score, m.other.display_name.casefold(), m.other.id))
    return found[:limit]


def event_matches(event: Event) -> list[tuple[int, int, int]]:
    """Every matched pair ``(a_id, b_id, score)`` of the event, ``a_id < b_id`` (for counts)."""
    people = visible_in_event(event)
    pairs = []
    for i, (a, pa) in enumerate(people):
        for b, pb in people[i + 1 :]:
            reasons = reasons_between(a.id, pa, b.id, pb)
            if reasons:
                lo, hi = sorted((a.id, b.id))
                pairs.append((lo, hi, score(reasons)))
    return pairs
