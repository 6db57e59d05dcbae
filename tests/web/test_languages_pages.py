"""Languages (issue 6): every organizer, facilitator, restitution, chantier and
interconnaissance page rendered in English carries no French text of its own.

What the people of the day typed (titles, names, cards …) stays as typed: every text stored in
the database is taken out of the page before looking. What is left must not contain a French
accent or one of the little words every French sentence needs; a string someone forgot to wrap
in ``_()`` (template), ``gettext`` (Python) or ``tr()`` (script) shows up here.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import String, Text, select

from facilitation.domain import access, accounts, profiles, restitution
from facilitation.edge.identity import LINKS_KEY, ORGANIZER_KEY, ORGANIZER_VERSION_KEY, SESSION_KEY
from facilitation.extensions import db
from facilitation.web.i18n import TR_CALL, TRANSLATIONS
from tests.support.restitution_day import build_sample_day

#: Little French words no English sentence uses (whole words, case-insensitive).
FRENCH_WORDS = (
    "le", "la", "les", "des", "du", "une", "est", "sont", "pour", "sur", "avec", "dans",
    "vous", "votre", "vos", "aucun", "aucune", "enregistrer", "ouvrir", "choisissez",
    "indiquez", "télécharger", "retour", "manche", "atelier", "ateliers", "chantier",
    "chantiers", "événement", "régie", "déroulé", "minuteur", "annuler", "supprimer",
)  # fmt: skip
_WORD = re.compile(r"\b(" + "|".join(FRENCH_WORDS) + r")\b", re.IGNORECASE)
_ACCENT = re.compile(r"[àâçéèêëîïôûùüœ]", re.IGNORECASE)
JS_DIR = Path(__file__).resolve().parents[2] / "static" / "js"
_ATTRS = re.compile(r'\s(?:aria-label|title|placeholder|alt)="([^"]*)"')


def visible_text(page: str) -> str:
    """The page's text and its labelling attributes, without scripts, styles nor tags."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    labels = " \n ".join(_ATTRS.findall(page))
    text = re.sub(r"<[^>]+>", "\n", page)
    return html.unescape(text + "\n" + labels)


def stored_texts() -> list[str]:
    """Every text value in the database (what people typed, seeded data), longest first."""
    values: set[str] = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for value in row:
                if isinstance(value, str) and value.strip():
                    values.add(value)
                    values.update(part.strip() for part in value.splitlines() if part.strip())
    return sorted(values, key=len, reverse=True)


def french_left(page: str, data: list[str]) -> list[str]:
    text = visible_text(page)
    for value in data:
        text = text.replace(value, " ")
    text = text.replace("Français", " ")  # the language switch, named in its own language
    text = re.sub(r"(https?://|/)\S+", " ", text)  # addresses (/e/…/rejoindre?atelier=1)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    # A long title shortened on a chart (« Chantiers Δ : coopérer entre commun… ») or wrapped
    # over several lines of it (« Chantiers Δ : coopérer entre ») is data too.
    lines = [
        line
        for line in lines
        if not (line.endswith("…") and any(v.startswith(line[:-1]) for v in data))
        and not (len(line) >= 12 and any(line in v for v in data))
    ]
    return [line for line in lines if line and (_ACCENT.search(line) or _WORD.search(line))]


@pytest.fixture
def day(make_event, make_atelier, make_participant):
    return build_sample_day(make_event, make_atelier, make_participant)


@pytest.fixture
def english(app: Flask) -> Callable[..., FlaskClient]:
    """Factory: an English browser whose session holds an organizer, links or a participant."""

    def make(organizer: Any = None, links: Any = (), participant: Any = None) -> FlaskClient:
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
        with client.session_transaction() as session:
            if organizer is not None:
                session[ORGANIZER_KEY] = organizer.id
                session[ORGANIZER_VERSION_KEY] = organizer.session_version
            if links:
                session[LINKS_KEY] = [link.id for link in links]
            if participant is not None:
                session[SESSION_KEY] = {str(participant.event_id): participant.id}
        return client

    return make


def _check(client: FlaskClient, urls: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    data = stored_texts()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = response.get_data(as_text=True)
        assert '<html lang="en"' in page, url
        left = french_left(page, data)
        if left:
            found[url] = left
    return found


def test_organizer_pages_in_english(app: Flask, day: Any, english: Callable[..., Any]) -> None:
    account = access.create_organizer("agence@example.org", "motdepasse-long", "Agence")
    access.grant_event(account, day.event)
    db.session.commit()
    slug = day.event.slug
    restitution.publish(day.event)
    db.session.commit()
    token = restitution.settings_for(day.event).public_token
    client = english(organizer=account)
    urls = [
        "/organisateur/",
        f"/organisateur/e/{slug}/regie",
        f"/organisateur/e/{slug}/liens",
        f"/organisateur/e/{slug}/import",
        f"/organisateur/e/{slug}/qr",
        f"/organisateur/e/{slug}/acteurs",
        f"/organisateur/e/{slug}/restitution",
        f"/organisateur/e/{slug}/restitution/presentation",
        f"/organisateur/e/{slug}/restitution/notes",
        f"/organisateur/e/{slug}/a/{day.chantiers.id}/synthese",
        f"/animation/e/{slug}/",
        f"/animation/e/{slug}/a/{day.pratiques.id}",
        f"/animation/e/{slug}/a/{day.chantiers.id}",
        f"/f/atelier/{day.pratiques.id}/tour",
        # Setting up the day, and its personal data.
        "/organisateur/nouvel-evenement",
        f"/organisateur/e/{slug}/reglages",
        f"/organisateur/e/{slug}/programme",
        f"/organisateur/e/{slug}/programme/sequences/{day.pratiques.sequence_id}",
        f"/organisateur/e/{slug}/programme/sequences/{day.pratiques.sequence_id}/ateliers/nouveau",
        f"/organisateur/e/{slug}/programme/ateliers/{day.pratiques.id}",
        f"/organisateur/e/{slug}/dupliquer",
        f"/organisateur/e/{slug}/import/participants",
        f"/organisateur/e/{slug}/donnees",
    ]
    assert _check(client, urls) == {}
    assert _check(english(), ["/organisateur/connexion", f"/r/{token}"]) == {}
    chart = client.get(f"/organisateur/e/{slug}/acteurs.svg").get_data(as_text=True)
    assert "Participants by type of organisation" in chart and "personne" not in chart
    votes = client.get(f"/e/{slug}/a/{day.pratiques.id}/resultats.svg").get_data(as_text=True)
    assert "Vote results ·" in votes and "1st" in votes and "ᵉ" not in votes
    # The same control room in French: the check does see French when there is some.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    french = client.get(f"/organisateur/e/{slug}/regie").get_data(as_text=True)
    assert "Passer toute la journée à la séquence suivante" in french_left(french, stored_texts())


def test_account_and_team_pages_in_english(
    app: Flask, make_event: Callable[..., Any], english: Callable[..., Any]
) -> None:
    """« Équipe », « Mon compte », the invitation and reset links, their refusals."""
    from tests.support.csrf import form_token

    event = make_event()
    owner = access.create_organizer("agence@example.org", "motdepasse-long", "Agence")
    member = access.create_organizer("collegue@example.org", "motdepasse-long", "Collègue")
    outsider = access.create_organizer("autre@example.org", "motdepasse-long", "Autre")
    accounts.add_to_team(owner, event, "owner")
    accounts.add_to_team(member, event, "organizer")
    as_owner = access.Actor(event_id=event.id, organizer=owner)
    spent = accounts.invite(as_owner, event, "Camille")
    accounts.accept_invitation(spent, member)
    accounts.invite(as_owner, event, "Sam")
    accounts.revoke_invitation(as_owner, event, accounts.pending_invitations(event)[0].id)
    token = accounts.invite(as_owner, event, "Léa")
    accounts.change_password(owner, "motdepasse-long", "motdepasse-long", "motdepasse-long")
    _account, reset = accounts.reset_link("collegue@example.org")
    db.session.commit()
    client = english(organizer=owner)
    team = f"/organisateur/e/{event.slug}/equipe"
    invitation = f"/organisateur/invitation/{token}"
    # The settings page and its « page d'accueil » box: test_organizer_pages_in_english.
    assert _check(client, [team, "/organisateur/compte"]) == {}
    assert _check(english(organizer=outsider), [invitation]) == {}
    assert _check(english(), [invitation, f"/organisateur/mot-de-passe/{reset}"]) == {}
    assert _check(english(organizer=member), [team, f"/organisateur/invitation/{token}"]) == {}
    data = stored_texts()
    # The invitation shown once, and the refusals (spent link, owners only, mismatch).
    created = client.post(team, data={"csrf_token": form_token(client, team), "action": "invite"})
    assert created.status_code == 200
    assert french_left(created.get_data(as_text=True), data) == []
    refusal = english().get(f"/organisateur/invitation/{spent}")
    assert refusal.status_code == 403
    assert "already been used" in refusal.get_data(as_text=True)
    assert french_left(refusal.get_data(as_text=True), data) == []
    browser = english()
    mismatch = browser.post(
        invitation,
        data={
            "csrf_token": form_token(browser, invitation),
            "action": "create",
            "email": "x@example.org",
            "password": "motdepasse-long",
            "confirmation": "autre",
        },
    )
    assert mismatch.status_code == 422
    assert french_left(mismatch.get_data(as_text=True), data) == []
    colleague = english(organizer=member)
    colleague.post(team, data={"csrf_token": form_token(colleague, team), "action": "invite"})
    refused = colleague.get(team).get_data(as_text=True)
    assert "Only the event" in refused and "owners invite or remove" in refused
    assert french_left(refused, data) == []


def test_participant_side_pages_in_english(
    app: Flask, day: Any, english: Callable[..., Any]
) -> None:
    slug = day.event.slug
    person = next(iter(day.people.values()))
    profiles.save_profile(
        person, {"role": "Bénévole", "offers": "aide", "needs": "local", "visible": "on"}
    )
    db.session.commit()
    chantier = next(c for c in day.cards.values() if c.atelier_id == day.chantiers.id)
    client = english(participant=person)
    urls = [
        f"/e/{slug}/profil",
        f"/e/{slug}/rencontres",
        f"/e/{slug}/perspectives",
        f"/e/{slug}/a/{person.current_atelier_id}/qui",
        f"/e/{slug}/a/{person.current_atelier_id}/tour-de-table",
        f"/e/{slug}/a/{day.chantiers.id}/chantiers/{chantier.id}",
        f"/e/{slug}/",
        f"/e/{slug}/a/{person.current_atelier_id}",
        f"/e/{slug}/a/{day.chantiers.id}/projecteur",
        f"/e/{slug}/mes-donnees",
        "/",
    ]
    assert _check(client, urls) == {}


def test_every_script_string_is_in_the_catalog() -> None:
    """``tr("…")`` in static/js is found by ``make translations`` (no string built at runtime,
    none inside a template literal that the extractor skips) and translated."""
    texts: set[str] = set()
    for path in sorted(JS_DIR.glob("*.js")):
        texts |= {json.loads(f'"{raw}"') for raw in TR_CALL.findall(path.read_text("utf-8"))}
    assert len(texts) > 100
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    assert sorted(texts - extracted) == []
