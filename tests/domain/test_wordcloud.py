"""« En un mot »: grouping, the N-words limit, idempotence, hidden words (domain.wordcloud)."""

from __future__ import annotations

import pytest

from facilitation.domain import wordcloud
from facilitation.domain.errors import Forbidden, NotFound, NotJoined, ValidationError
from facilitation.extensions import db
from facilitation.models import CloudWord
from tests.conftest import new_client_id
from tests.support.voting import facilitator_actor, participant_actor


@pytest.fixture
def cloud_room(make_atelier, make_participant):
    class Room:
        pass

    r = Room()
    r.atelier = make_atelier()
    r.facilitator = facilitator_actor(r.atelier)
    r.phones = [make_participant(r.atelier) for _ in range(3)]
    r.cloud, _ = wordcloud.open_cloud(r.facilitator, r.atelier, None, 3)
    db.session.commit()
    return r


def send(r, phone, text, cid=None, cloud=None):
    sent = wordcloud.send_word(
        phone,
        r.atelier,
        {"cloud_id": (cloud or r.cloud).id, "client_id": cid or new_client_id(), "text": text},
    )
    db.session.commit()
    return sent


def test_a_new_cloud_has_the_default_question_and_three_words(cloud_room):
    assert cloud_room.cloud.question == "En un mot, ce que la crise a changé dans votre travail ?"
    assert cloud_room.cloud.max_words == 3 and cloud_room.cloud.is_open


def test_spellings_of_one_word_group_and_each_phone_counts_once(cloud_room):
    a, b, c = cloud_room.phones
    send(cloud_room, a, "Solidarité")
    send(cloud_room, a, "solidarités")  # same phone, same key: still one
    send(cloud_room, b, "solidarite")
    send(cloud_room, b, "Télétravail")
    send(cloud_room, c, "l'entraide")
    send(cloud_room, c, "Solidarités")
    words = wordcloud.tally(cloud_room.cloud)["words"]
    top = words[0]
    assert top["count"] == 3
    # The commonest spelling, lower case: « solidarités » twice beats the others once.
    assert top["label"] == "solidarités"
    assert {w["label"]: w["count"] for w in words[1:]} == {"l'entraide": 1, "télétravail": 1}
    assert wordcloud.tally(cloud_room.cloud)["phones"] == 3


def test_a_phrase_is_grouped_by_its_content_words():
    assert wordcloud.phrase_key("Le lien social")[1] == wordcloud.phrase_key("liens sociaux")[1]


def test_bad_words_are_refused_in_french(cloud_room):
    phone = cloud_room.phones[0]
    for text, needle in [
        ("   ", "Écrivez un mot"),
        ("x" * 41, "trop long"),
        ("le la de", "petits mots"),
        (12, "texte"),
    ]:
        with pytest.raises(ValidationError) as err:
            send(cloud_room, phone, text)
        assert needle in err.value.errors["text"]
        db.session.rollback()
    assert db.session.query(CloudWord).count() == 0


def test_a_phone_sends_at_most_n_words(cloud_room):
    phone = cloud_room.phones[0]
    for text in ("écoute", "lien", "temps"):
        send(cloud_room, phone, text)
    with pytest.raises(ValidationError) as err:
        send(cloud_room, phone, "fatigue")
    assert "vos 3 mots" in err.value.errors["text"]


def test_a_resend_stores_nothing_new_even_after_the_limit_or_the_close(cloud_room):
    phone = cloud_room.phones[0]
    cid = new_client_id()
    first = send(cloud_room, phone, "écoute", cid)
    assert first.created
    again = send(cloud_room, phone, "écoute", cid)
    assert not again.created and again.word.id == first.word.id
    wordcloud.close_cloud(cloud_room.facilitator, cloud_room.atelier, cloud_room.cloud)
    db.session.commit()
    late = send(cloud_room, phone, "écoute", cid)  # a lost ack, resent after the close
    assert not late.created
    assert db.session.query(CloudWord).count() == 1


def test_a_closed_cloud_takes_no_word(cloud_room):
    wordcloud.close_cloud(cloud_room.facilitator, cloud_room.atelier, cloud_room.cloud)
    db.session.commit()
    with pytest.raises(wordcloud.CloudClosed):
        send(cloud_room, cloud_room.phones[0], "écoute")


def test_only_participants_of_this_atelier_send(cloud_room, make_atelier, make_participant):
    other = make_participant(make_atelier(event=cloud_room.atelier.event))
    with pytest.raises(NotJoined):
        send(cloud_room, other, "écoute")
    with pytest.raises(NotJoined):
        send(cloud_room, None, "écoute")


def test_opening_a_cloud_closes_the_open_one_and_keeps_it(cloud_room):
    send(cloud_room, cloud_room.phones[0], "écoute")
    newer, _ = wordcloud.open_cloud(cloud_room.facilitator, cloud_room.atelier, "Et demain ?", 1)
    db.session.commit()
    assert not cloud_room.cloud.is_open
    assert wordcloud.current_cloud(cloud_room.atelier).id == newer.id
    assert [c.id for c in wordcloud.clouds_of([cloud_room.atelier.id])] == [
        cloud_room.cloud.id,
        newer.id,
    ]
    # A word for the old cloud is refused: phones answer the newest.
    with pytest.raises(wordcloud.CloudClosed):
        send(cloud_room, cloud_room.phones[1], "lien")


def test_settings_are_checked(cloud_room):
    for n in (0, 11, "trois", True):
        with pytest.raises(ValidationError) as err:
            wordcloud.open_cloud(cloud_room.facilitator, cloud_room.atelier, "Q ?", n)
        assert "max_words" in err.value.errors
    with pytest.raises(ValidationError):
        wordcloud.open_cloud(cloud_room.facilitator, cloud_room.atelier, "Q" * 201, 3)


def test_only_the_facilitator_opens_closes_and_hides(cloud_room):
    phone = participant_actor(cloud_room.phones[0])
    with pytest.raises(Forbidden):
        wordcloud.open_cloud(phone, cloud_room.atelier, None, 3)
    with pytest.raises(Forbidden):
        wordcloud.close_cloud(phone, cloud_room.atelier, cloud_room.cloud)
    with pytest.raises(Forbidden):
        wordcloud.set_hidden(phone, cloud_room.atelier, cloud_room.cloud, "ecout", True)


def test_a_hidden_word_leaves_the_public_tally_only(cloud_room):
    a, b, _ = cloud_room.phones
    send(cloud_room, a, "Écoute")
    send(cloud_room, b, "Colère")
    key = wordcloud.phrase_key("colère")[1]
    assert wordcloud.set_hidden(
        cloud_room.facilitator, cloud_room.atelier, cloud_room.cloud, key, True
    )
    assert not wordcloud.set_hidden(
        cloud_room.facilitator, cloud_room.atelier, cloud_room.cloud, key, True
    )
    db.session.commit()
    public = wordcloud.tally(cloud_room.cloud)
    assert [w["label"] for w in public["words"]] == ["écoute"]
    full = wordcloud.tally(cloud_room.cloud, with_hidden=True)
    assert {w["label"]: w["hidden"] for w in full["words"]} == {"écoute": False, "colère": True}
    wordcloud.set_hidden(cloud_room.facilitator, cloud_room.atelier, cloud_room.cloud, key, False)
    db.session.commit()
    assert len(wordcloud.tally(cloud_room.cloud)["words"]) == 2


def test_another_ateliers_cloud_is_not_found(cloud_room, make_atelier):
    with pytest.raises(NotFound):
        wordcloud.get_cloud(make_atelier(event=cloud_room.atelier.event), cloud_room.cloud.id)


def test_the_snapshot_carries_the_open_cloud_and_my_words(cloud_room):
    from facilitation.domain.snapshot import atelier_snapshot

    a = cloud_room.phones[0]
    send(cloud_room, a, "écoute")
    snap = atelier_snapshot(cloud_room.atelier, 1, actor=participant_actor(a))
    assert snap["cloud"]["cloud"]["id"] == cloud_room.cloud.id
    assert [w["text"] for w in snap["cloud"]["mine"]] == ["écoute"]
    assert snap["cloud"]["tally"]["words"][0]["count"] == 1
    wordcloud.close_cloud(cloud_room.facilitator, cloud_room.atelier, cloud_room.cloud)
    db.session.commit()
    assert atelier_snapshot(cloud_room.atelier, 1)["cloud"]["cloud"] is None
    console = atelier_snapshot(cloud_room.atelier, 1, moderation=True)
    assert console["cloud"]["cloud"]["status"] == "clos"


def test_my_data_lists_my_words_and_forgetting_me_keeps_them_anonymous(cloud_room):
    from facilitation.domain.privacy import person

    a = cloud_room.phones[0]
    send(cloud_room, a, "écoute")
    data = person.my_data(a)
    assert data["cloud_words"] == [
        {
            "atelier": cloud_room.atelier.title,
            "question": cloud_room.cloud.question,
            "text": "écoute",
        }
    ]
    person.forget_participant(a)
    db.session.commit()
    assert wordcloud.tally(cloud_room.cloud)["words"][0]["count"] == 1  # the result holds
