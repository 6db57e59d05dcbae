"""The assistant's proposals from the database (domain/assistant.py): which cards it reads,
what it leaves out once decided."""

from __future__ import annotations

from facilitation.domain import assistant
from facilitation.domain.contributions import create_contribution
from facilitation.extensions import db
from facilitation.models import AssistantDecision, Category
from tests.conftest import new_client_id


def post(atelier, author, titre):
    card, _ = create_contribution(author, atelier, {"client_id": new_client_id(), "titre": titre})
    return card


def test_proposals_read_visible_cards_and_leave_decided_ones_out(make_atelier, make_participant):
    atelier = make_atelier()
    author = make_participant(atelier)
    a = post(atelier, author, "Épicerie solidaire sur rendez-vous")
    b = post(atelier, author, "L'épicerie solidaire prend des rendez-vous")
    hidden = post(atelier, author, "Épicerie solidaire ouverte sur rendez-vous")
    hidden.hidden = True
    db.session.commit()

    found = assistant.proposals(atelier)
    assert [p["ids"] for p in found["duplicates"]] == [[a.id, b.id]]
    assert found["duplicates"][0]["key"] == f"d:{a.id}-{b.id}"

    db.session.add(
        AssistantDecision(atelier_id=atelier.id, key=f"d:{a.id}-{b.id}", decision="dismissed")
    )
    db.session.commit()
    assert assistant.proposals(atelier)["duplicates"] == []


def test_sorted_cards_get_no_theme(make_atelier, make_participant):
    atelier = make_atelier()
    author = make_participant(atelier)
    cards = [
        post(atelier, author, t)
        for t in ("Maraude du soir", "Maraude en journée", "Kits d'hygiène en maraude")
    ]
    db.session.commit()
    (theme,) = assistant.proposals(atelier)["themes"]
    assert theme["ids"] == [c.id for c in cards] and theme["label"] == "Maraude"

    category = Category(atelier_id=atelier.id, name="Rue")
    db.session.add(category)
    db.session.flush()
    cards[0].category_id = category.id
    db.session.commit()
    assert assistant.proposals(atelier)["themes"] == []

    data = assistant.inputs(atelier)
    assert {c.id for c in data.cards} == {c.id for c in cards}
    assert data.uncategorized == {cards[1].id, cards[2].id}


def test_a_merged_card_lends_its_words_to_the_card_it_joined(make_atelier, make_participant):
    atelier = make_atelier()
    author = make_participant(atelier)
    target = post(atelier, author, "Appels aux aînés")
    source = post(atelier, author, "Chaîne téléphonique entre voisins")
    source.merged_into_id = target.id
    db.session.commit()
    (only,) = assistant.inputs(atelier).cards
    assert only.id == target.id and "Chaîne téléphonique" in only.description


def test_a_theme_key_is_always_one_the_events_accept():
    key = assistant.theme_key(("aujourd’hui", "ßtraße", "~appel"))
    assert assistant._THEME_KEY.match(key), key
    assert key == assistant.theme_key(("~appel", "ßtraße", "aujourd’hui"))
