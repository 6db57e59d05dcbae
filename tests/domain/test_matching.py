"""Matching « je cherche » × « je peux apporter »: explainable, accent- and plural-proof, symmetric."""

import pytest

from facilitation.domain import matching
from facilitation.domain.matching import fold, keywords, matches_for, reasons_between, stem
from facilitation.domain.profiles import save_profile
from facilitation.extensions import db
from facilitation.models import Profile


def profile(needs=(), offers=()):
    return Profile(needs=list(needs), offers=list(offers))


def test_words_are_folded_stemmed_and_stop_words_removed():
    assert fold("Hébergement d'Urgence") == "hebergement d'urgence"
    assert stem("logements") == "logement"
    assert stem("sociaux") == "social"
    assert stem("bus") == "bus"
    assert keywords("Les logements d'urgence pour les familles") == {
        "logement",
        "urgence",
        "famille",
    }


def test_a_need_meets_an_offer_with_a_reason_naming_both_tags():
    reasons = reasons_between(
        1, profile(needs=["logement"]), 2, profile(offers=["logement d'urgence"])
    )
    (reason,) = reasons
    assert (reason.seeker_id, reason.helper_id) == (1, 2)
    assert reason.shared == ("logement",)
    assert (
        reason.text_for(1, "Karim")
        == "Vous cherchez « logement », Karim peut apporter « logement d'urgence »"
    )
    assert (
        reason.text_for(2, "Nadia")
        == "Nadia cherche « logement », vous pouvez apporter « logement d'urgence »"
    )


def test_accents_case_and_plurals_do_not_prevent_a_match():
    reasons = reasons_between(
        1, profile(needs=["Hébergements"]), 2, profile(offers=["hebergement temporaire"])
    )
    assert [r.shared for r in reasons] == [("hebergement",)]


def test_stop_words_alone_never_match():
    assert (
        reasons_between(1, profile(needs=["aide pour les"]), 2, profile(offers=["pour les"])) == []
    )
    assert reasons_between(1, profile(needs=["de la"]), 2, profile(offers=["de la"])) == []


def test_unrelated_tags_do_not_match():
    assert reasons_between(1, profile(needs=["mobilité"]), 2, profile(offers=["logement"])) == []


def test_matching_is_symmetric_and_counts_both_directions():
    a = profile(needs=["bénévoles"], offers=["aide alimentaire"])
    b = profile(needs=["colis alimentaires"], offers=["bénévoles formés"])
    ab, ba = reasons_between(1, a, 2, b), reasons_between(2, b, 1, a)
    assert matching.score(ab) == matching.score(ba) > 0
    assert {(r.seeker_id, r.sought) for r in ab} == {(1, "bénévoles"), (2, "colis alimentaires")}


def test_the_same_tag_scores_higher_than_a_shared_word():
    exact = reasons_between(
        1, profile(needs=["aide alimentaire"]), 2, profile(offers=["Aide alimentaire"])
    )
    partial = reasons_between(
        1, profile(needs=["aide alimentaire"]), 2, profile(offers=["colis alimentaires"])
    )
    assert matching.score(exact) > matching.score(partial) > 0


@pytest.fixture
def person(make_atelier, make_participant):
    atelier = make_atelier()

    def make(name, visible=True, **fields):
        participant = make_participant(atelier, display_name=name)
        save_profile(participant, {"visible": "on" if visible else ""} | fields)
        db.session.commit()
        return participant

    return make


def test_matches_for_lists_visible_people_best_first_with_sentences(person):
    nadia = person("Nadia", needs="logement, bénévoles", offers="aide alimentaire")
    karim = person("Karim", offers="logement d'urgence")
    lea = person("Léa", offers="bénévoles, logement", needs="aide alimentaire")
    person("Marc", offers="mobilité")

    found = matches_for(nadia)

    assert [m.other.display_name for m in found] == ["Léa", "Karim"]
    assert found[0].score > found[1].score
    assert (
        "Vous cherchez « logement », Karim peut apporter « logement d'urgence »"
        in found[1].sentences
    )
    assert (
        "Léa cherche « aide alimentaire », vous pouvez apporter « aide alimentaire »"
        in found[0].sentences
    )
    assert found[1].as_dict()["person"]["display_name"] == "Karim"
    assert "contact" not in found[1].as_dict()["person"]
    assert [m.other.display_name for m in matches_for(karim)] == ["Nadia"]  # both only offer
    assert all(m.other.id != lea.id for m in matches_for(lea))


def test_hidden_profiles_are_neither_matched_nor_shown(person):
    nadia = person("Nadia", needs="logement")
    karim = person("Karim", visible=False, offers="logement")
    assert matches_for(nadia) == []
    # ...and someone hidden sees no matches either: one sees once one is seen.
    assert matches_for(karim) == []
    assert matching.event_matches(nadia.event) == []


def test_matches_stay_within_the_event(person, make_atelier, make_participant):
    nadia = person("Nadia", needs="logement")
    elsewhere = make_participant(make_atelier(), display_name="Ailleurs")
    save_profile(elsewhere, {"visible": "on", "offers": "logement"})
    db.session.commit()
    assert matches_for(nadia) == []


def test_a_general_word_alone_is_not_a_match_but_an_identical_tag_is():
    assert (
        reasons_between(
            1, profile(needs=["aide alimentaire"]), 2, profile(offers=["aides d'urgence"])
        )
        == []
    )
    (same,) = reasons_between(1, profile(needs=["Aides"]), 2, profile(offers=["aide"]))
    assert same.shared == ("aide",)
    (with_meaning,) = reasons_between(
        1, profile(needs=["aide alimentaire"]), 2, profile(offers=["aide alimentaire d'urgence"])
    )
    assert with_meaning.shared == ("aide", "alimentaire")
