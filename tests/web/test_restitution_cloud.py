"""« En un mot » on the restitution page, the published page and the plenary's slides."""

from __future__ import annotations

import pytest

from facilitation.domain import wordcloud
from facilitation.domain.access import create_organizer, grant_event
from facilitation.edge.identity import ORGANIZER_KEY, ORGANIZER_VERSION_KEY
from facilitation.extensions import db
from tests.conftest import new_client_id
from tests.support.voting import facilitator_actor


@pytest.fixture
def cloud_event(make_event, make_atelier, make_participant):
    event = make_event()
    atelier = make_atelier(event, title="Atelier du matin")
    facilitator = facilitator_actor(atelier)
    cloud, _ = wordcloud.open_cloud(facilitator, atelier, "En un mot ?", 3)
    for text in ("Solidarité", "solidarités", "<script>x</script>", "Pénible"):
        wordcloud.send_word(
            make_participant(atelier),
            atelier,
            {"cloud_id": cloud.id, "client_id": new_client_id(), "text": text},
        )
    wordcloud.set_hidden(facilitator, atelier, cloud, wordcloud.phrase_key("pénible")[1], True)
    wordcloud.close_cloud(facilitator, atelier, cloud)
    account = create_organizer("nuage@example.org", "motdepasse-long", "Agence")
    grant_event(account, event)
    db.session.commit()
    return event, account


def organizer_client(app, account):
    client = app.test_client()
    with client.session_transaction() as session:
        session[ORGANIZER_KEY] = account.id
        session[ORGANIZER_VERSION_KEY] = account.session_version
    return client


def test_the_restitution_page_shows_the_cloud_and_its_ranked_words(app, cloud_event):
    event, account = cloud_event
    html = organizer_client(app, account).get(f"/organisateur/e/{event.slug}/restitution").text
    assert "En un mot : « En un mot ? »" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="word-cloud"' in html
    assert 'class="word-cloud-words__label">solidarité</span> — 2 téléphones' in html
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "pénible" not in html.lower()


def test_the_slides_have_a_cloud_slide(app, cloud_event):
    event, account = cloud_event
    client = organizer_client(app, account)
    slides = client.get(f"/organisateur/e/{event.slug}/restitution/presentation").text
    assert 'class="slide slide--nuage"' in slides
    section = slides.split('class="slide slide--nuage"')[1].split("</section>")[0]
    assert 'class="word-cloud"' in section and ">solidarité</text>" in section
    notes = client.get(f"/organisateur/e/{event.slug}/restitution/notes").text
    assert slides.count('class="slide slide--') == notes.count('class="note"')
