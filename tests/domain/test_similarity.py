"""The assistant's text computation (domain/similarity.py): keys, vectors, duplicates, themes."""

from __future__ import annotations

from collections import Counter

import pytest

from facilitation.domain import similarity
from facilitation.domain.similarity import Card


def cards(*titles: str) -> list[Card]:
    return [Card(i + 1, t) for i, t in enumerate(titles)]


def test_synonyms_and_expressions_share_one_key() -> None:
    assert similarity.keys_of("aînés")[0] == similarity.keys_of("seniors")[0]
    assert similarity.keys_of("Appeler")[0] == similarity.keys_of("téléphoner")[0]
    assert similarity.keys_of("une cellule de crise") == similarity.keys_of("réunion")
    assert similarity.keys_of("Épiceries") == similarity.keys_of("epicerie")


def test_a_lone_typo_joins_the_word_others_typed() -> None:
    assert similarity._typo_map(Counter({"solidair": 3, "solidar": 1})) == {"solidar": "solidair"}
    # One letter changed on a short word is another word (« auteur » / « acteur »).
    assert similarity._typo_map(Counter({"acteur": 2, "auteur": 1})) == {}
    # Only rare → common: two common words stay apart.
    assert similarity._typo_map(Counter({"solidair": 2, "solidar": 2})) == {}


def test_vectors_are_normalised_and_skip_words_found_everywhere() -> None:
    found = similarity.vectorize(cards(*(f"Action numéro {n} vélo{n}" for n in range(12))))
    for vec in found.vectors:
        assert sum(w * w for w in vec.values()) == pytest.approx(1.0)
    assert "action" not in found.idf  # in every card: says nothing


def test_two_cards_saying_the_same_thing_are_a_duplicate() -> None:
    result = similarity.analyse(
        cards(
            "Appels réguliers aux personnes âgées isolées",
            "Téléphoner chaque semaine aux aînés isolés",
            "Prêt d'ordinateurs aux familles",
            "Maraudes du soir maintenues",
        )
    )
    assert [d.ids for d in result.duplicates] == [(1, 2)]
    assert 0 < result.duplicates[0].score <= 1


def test_unrelated_cards_are_not_duplicates() -> None:
    result = similarity.analyse(
        cards("Épicerie solidaire", "Maraudes du soir", "Prêt d'ordinateurs", "")
    )
    assert result.duplicates == [] and result.themes == []


def test_a_theme_groups_cards_and_is_labelled_with_their_common_word() -> None:
    result = similarity.analyse(
        cards(
            "Maraudes du soir maintenues pendant le confinement",
            "Maraude sociale en journée dans les parcs",
            "Kits d'hygiène distribués en maraude",
            "Prêt d'ordinateurs aux familles",
            "Conseillers numériques dans les quartiers",
        )
    )
    (theme,) = result.themes
    assert theme.ids == (1, 2, 3)
    assert theme.label == "Maraude"
    assert theme.keys == ("~maraude",)


def test_themes_only_among_the_cards_asked() -> None:
    titles = ["Maraude du soir", "Maraude en journée", "Kits d'hygiène en maraude", "Maraude"]
    everything = similarity.analyse(cards(*titles))
    assert everything.themes and set(everything.themes[0].ids) == {1, 2, 3, 4}
    sorted_out = similarity.analyse(cards(*titles), theme_cards=[1, 2])
    assert sorted_out.themes == []  # two cards left: not a theme
    assert sorted_out.duplicates == everything.duplicates


def test_the_computation_yields_to_the_event_loop() -> None:
    calls = []
    titles = [f"Carte {n} épicerie solidaire quartier {n % 7}" for n in range(200)]
    similarity.analyse(cards(*titles), pause=lambda: calls.append(1))
    assert len(calls) >= 200 // similarity.PAUSE_EVERY
