"""French words grouped as a reader expects (facilitation/domain/french.py)."""

from __future__ import annotations

import pytest

from facilitation.domain import french


@pytest.mark.parametrize(
    "spellings",
    [
        ("Solidarité", "solidarités", "solidarite", "SOLIDARITES"),
        ("épicerie", "Épiceries", "epicerie"),
        ("réseau", "réseaux", "Reseau"),
        ("isolé", "isolés", "isolement"),
        ("l'accueil", "accueil", "Accueils"),
    ],
)
def test_spellings_of_one_word_share_one_key(spellings: tuple[str, ...]) -> None:
    keys = {french.stem(french.words(s)[0]) for s in spellings}
    assert len(keys) == 1, keys


def test_different_words_keep_different_keys() -> None:
    assert french.stem("logement") != french.stem("lien")
    assert french.stem("solidarité") != french.stem("solide")


def test_stop_words_and_elisions_are_left_out() -> None:
    text = "L'entraide entre les communes, c'est très bien la solidarité de proximité !"
    assert french.content_words(text) == ["entraide", "communes", "solidarité", "proximité"]


def test_stop_words_typed_without_accents_are_left_out() -> None:
    assert french.content_words("tres etre apres") == []


def test_fold_removes_case_accents_and_ligatures() -> None:
    assert french.fold("Élan Œuvre Çà") == "elan oeuvre ca"
