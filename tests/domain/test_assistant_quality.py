"""How good the facilitator's assistant is, on a labelled set of cards.

tests/domain/data/assistant_cards.json: 93 cards in the style of the demo day (« pratiques de
l'action sociale en temps de crise »), the 21 pairs a facilitator would merge and the theme
each card would be sorted into. The floors below sit just under what the assistant reaches
(README, « Assistant de l'animateur »); run ``python -m tests.domain.test_assistant_quality``
to print the figures.
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations
from math import comb
from pathlib import Path
from typing import Any

from facilitation.domain import similarity
from facilitation.domain.similarity import Card

DATA = Path(__file__).parent / "data" / "assistant_cards.json"


def labelled() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def cards_of(data: dict[str, Any]) -> list[Card]:
    return [Card(c["id"], c["titre"], c.get("description", "")) for c in data["cards"]]


def duplicate_scores(
    found: set[tuple[int, int]], expected: set[tuple[int, int]]
) -> tuple[float, float]:
    """(precision, recall) of proposed pairs against the labelled ones."""
    hits = len(found & expected)
    return (hits / len(found) if found else 1.0), (hits / len(expected) if expected else 1.0)


def pair_f1(predicted: dict[int, Any], truth: dict[int, Any]) -> float:
    """Pairwise F1: among pairs of cards, « same group » predicted versus labelled."""
    ids = sorted(truth)
    same_pred = {(a, b) for a, b in combinations(ids, 2) if predicted[a] == predicted[b]}
    same_true = {(a, b) for a, b in combinations(ids, 2) if truth[a] == truth[b]}
    hits = len(same_pred & same_true)
    if not hits:
        return 0.0
    precision, recall = hits / len(same_pred), hits / len(same_true)
    return 2 * precision * recall / (precision + recall)


def adjusted_rand(predicted: dict[int, Any], truth: dict[int, Any]) -> float:
    """Adjusted Rand index (Hubert and Arabie): 1 identical, about 0 by chance."""
    ids = sorted(truth)
    table = Counter((predicted[i], truth[i]) for i in ids)
    rows = Counter(predicted[i] for i in ids)
    cols = Counter(truth[i] for i in ids)
    index = sum(comb(n, 2) for n in table.values())
    a = sum(comb(n, 2) for n in rows.values())
    b = sum(comb(n, 2) for n in cols.values())
    expected = a * b / comb(len(ids), 2)
    top = (a + b) / 2
    return (index - expected) / (top - expected) if top != expected else 1.0


def evaluate() -> dict[str, float]:
    data = labelled()
    result = similarity.analyse(cards_of(data))
    found = {d.ids for d in result.duplicates}
    expected = {tuple(sorted(p)) for p in data["duplicates"]}
    precision, recall = duplicate_scores(found, expected)  # type: ignore[arg-type]
    truth = {c["id"]: c["theme"] for c in data["cards"]}
    # Cards in no proposed theme are each their own group (not one big « other » group).
    predicted: dict[int, Any] = {i: ("alone", i) for i in truth}
    for n, theme in enumerate(result.themes):
        for i in theme.ids:
            predicted[i] = n
    covered = sum(len(t.ids) for t in result.themes) / len(truth)
    return {
        "precision": precision,
        "recall": recall,
        "proposed": len(found),
        "theme_pair_f1": pair_f1(predicted, truth),
        "theme_ari": adjusted_rand(predicted, truth),
        "themes": len(result.themes),
        "covered": covered,
    }


def test_the_labelled_set_is_what_the_brief_asks() -> None:
    data = labelled()
    assert len(data["cards"]) >= 80
    assert len(data["duplicates"]) >= 15
    ids = {c["id"] for c in data["cards"]}
    assert all(a in ids and b in ids for a, b in data["duplicates"])


def test_metrics_on_known_cases() -> None:
    assert duplicate_scores({(1, 2), (3, 4)}, {(1, 2)}) == (0.5, 1.0)
    same = {1: "a", 2: "a", 3: "b"}
    assert pair_f1(same, same) == 1.0
    assert adjusted_rand(same, same) == 1.0
    assert adjusted_rand({1: 0, 2: 1, 3: 2}, same) == 0.0


def test_duplicate_proposals_precision_and_recall() -> None:
    scores = evaluate()
    assert scores["precision"] >= PRECISION_FLOOR, scores
    assert scores["recall"] >= RECALL_FLOOR, scores


def test_themes_agree_with_the_labelled_ones() -> None:
    scores = evaluate()
    assert scores["theme_pair_f1"] >= THEME_F1_FLOOR, scores
    assert scores["theme_ari"] >= THEME_ARI_FLOOR, scores


PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.75
THEME_F1_FLOOR = 0.2
THEME_ARI_FLOOR = 0.15


if __name__ == "__main__":
    for name, value in evaluate().items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")
