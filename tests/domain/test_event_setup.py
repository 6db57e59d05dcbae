"""Setting up a day: event settings and their checks, the programme, ateliers, duplication,
the logo and the expected participants."""

from __future__ import annotations

import io
import uuid
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from facilitation.domain import access, setup
from facilitation.domain.access import Actor
from facilitation.domain.errors import Forbidden, ValidationError
from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.models import Contribution, Event, Participant
from facilitation.models.setup import EventLogo


@pytest.fixture
def organizer(app):
    """Factory: an organizer account (optionally owning ``event``) and its actor."""
    counter = iter(range(1, 1000))

    def make(event: Event | None = None):
        account = access.create_organizer(
            f"orga{next(counter)}@example.org", "un-mot-de-passe-solide"
        )
        if event is not None:
            access.grant_event(account, event)
        db.session.commit()
        return account

    return make


def actor(account, event: Event) -> Actor:
    return Actor(event_id=event.id, organizer=account)


def event_data(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Journée des solidarités",
        "date": "2026-06-24",
        "venue": "Salle des fêtes",
        "city": "Chatou",
        "join_code": " sol 26 ",
        "timezone": "",
        "communes": "Chatou\n  Le   Pecq \nchatou\n\nCroissy-sur-Seine\n",
        "brand_name": "Réseau 78",
        "brand_color": "#7A1F5C",
        "status": "ouvert",
    }
    data.update(overrides)
    return data


def png(size: tuple[int, int] = (900, 300), mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (20, 60, 120, 255) if mode == "RGBA" else (20, 60, 120)).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


def add_card(atelier, **kw) -> Contribution:
    card = Contribution(
        atelier_id=atelier.id, client_id=uuid.uuid4().hex, kind="pratique", titre="Une carte", **kw
    )
    db.session.add(card)
    db.session.commit()
    return card


# ------------------------------------------------------------------------- the event
def test_a_new_event_is_owned_normalised_and_defaulted(organizer):
    account = organizer()
    event = setup.create_event(account, event_data())
    db.session.commit()
    assert event in account.events
    assert event.slug == "journee-des-solidarites-2026"
    assert event.join_code == "SOL26"
    assert event.timezone == "Europe/Paris"
    assert event.date == date(2026, 6, 24)
    assert event.communes == ["Chatou", "Le Pecq", "Croissy-sur-Seine"]
    assert event.brand_color == "#7a1f5c" and event.brand_name == "Réseau 78"
    assert event.sequences == []
    again = setup.create_event(account, event_data(join_code="SOL27"))
    assert again.slug == "journee-des-solidarites-2026-2"


def test_a_join_code_is_unique_whatever_its_case(organizer, make_event):
    make_event(join_code="RAS24")
    with pytest.raises(ValidationError) as refused:
        setup.create_event(organizer(), event_data(join_code="ras24"))
    assert refused.value.errors["join_code"] == (
        "Le code « RAS24 » est déjà utilisé par un autre événement : choisissez-en un autre."
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("join_code", "AB", "3 à 12 lettres ou chiffres"),
        ("join_code", "ÉTÉ-2026", "3 à 12 lettres ou chiffres"),
        ("timezone", "Europe/Pariss", "Fuseau horaire inconnu : « Europe/Pariss »"),
        ("timezone", "../../etc/passwd", "Fuseau horaire inconnu"),
        ("date", "31/02/2026", "Indiquez une date valide"),
        ("brand_color", "bleu", "format hexadécimal"),
        ("brand_color", "#ffd700", "Couleur trop claire"),
        ("communes", "Chatou\n" + "x" * 81, "ligne 2"),
        ("status", "supprimé", "Choisissez l'état"),
        ("title", "", "Indiquez « Titre »"),
    ],
)
def test_each_setting_is_checked_with_a_french_message(organizer, field, value, message):
    with pytest.raises(ValidationError) as refused:
        setup.create_event(organizer(), event_data(**{field: value}))
    assert message in refused.value.errors[field]
    assert list(refused.value.errors) == [field]


def test_a_suggested_join_code_is_free_and_valid(make_event):
    make_event(join_code="LRAS01")
    assert setup.suggest_join_code("Les rencontres de l'action sociale") == "LRAS02"
    assert setup.suggest_join_code("Événement 1") == "EVE01"
    assert setup.JOIN_CODE.match(setup.suggest_join_code("?"))


def test_time_zones_and_short_colours_are_accepted():
    assert setup.clean_timezone("Indian/Reunion") == ("Indian/Reunion", None)
    assert setup.clean_color("#036") == ("#003366", None)
    assert setup.clean_color("") == ("", None)


def test_contrast_follows_wcag():
    assert round(setup.contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert setup.contrast_ratio("#1f4e8c", "#ffffff") > 4.5
    # The app's own colour passes against every light background it is drawn on.
    assert setup.clean_color("#1f4e8c")[1] is None
    # Mid grey: fine on white (4.5:1 exactly at #767676) but not on the app's darker tints.
    assert setup.clean_color("#767676")[1] is not None


def test_the_theme_stylesheet_carries_only_the_checked_colour(make_event):
    event = make_event(brand_color="#7a1f5c")
    css = setup.theme_css(event)
    assert css == "html:root { --brand: #7a1f5c; --brand-dark: #5c1745; }\n"
    event.brand_color = "red;} body{display:none"
    assert "display" not in setup.theme_css(event)


def test_only_its_organizers_change_an_event(organizer, make_event):
    event = make_event()
    owner, stranger = organizer(event), organizer(make_event())
    with pytest.raises(Forbidden):
        setup.update_event(actor(stranger, event), event, event_data())
    updated = setup.update_event(
        actor(owner, event), event, event_data(join_code=event.join_code.lower())
    )
    assert updated.title == "Journée des solidarités" and updated.slug.startswith("evenement-")


# ------------------------------------------------------------------------- programme
def test_sequences_go_in_time_order_and_can_be_moved(organizer, make_event):
    event = make_event()
    who = actor(organizer(event), event)
    added = setup.add_sequence(
        who, event, {"kind": "restitution", "starts_at": "15h45", "ends_at": "16:30"}
    )
    lunch = setup.add_sequence(
        who, event, {"kind": "pause", "title": "Déjeuner", "starts_at": "12:00"}
    )
    db.session.commit()
    titles = [s.title for s in event.sequences]
    assert titles == [
        "Accueil",
        "Ateliers pratiques",
        "Déjeuner",
        "Ateliers chantiers",
        "Restitution",
    ]
    assert added.title == "Restitution" and added.starts_at == time(15, 45)
    setup.move_sequence(who, lunch, -1)
    db.session.commit()
    db.session.expire_all()
    assert [s.title for s in event.sequences][1:3] == ["Déjeuner", "Ateliers pratiques"]
    assert [s.position for s in event.sequences] == [0, 1, 2, 3, 4]
    setup.move_sequence(who, event.sequences[0], -1)  # already first: nothing moves
    assert event.sequences[0].title == "Accueil"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "accueil", "starts_at": "10:00", "ends_at": "09:00"}, "ends_at", "après"),
        ({"kind": "accueil", "starts_at": "25:00"}, "starts_at", "heure de début"),
        ({"kind": "", "starts_at": "10:00"}, "kind", "type de séquence"),
        ({"kind": "sieste", "starts_at": "10:00"}, "kind", "type de séquence"),
    ],
)
def test_a_sequence_is_checked(organizer, make_event, data, field, message):
    event = make_event()
    with pytest.raises(ValidationError) as refused:
        setup.add_sequence(actor(organizer(event), event), event, data)
    assert message in refused.value.errors[field]


def test_a_sequence_with_contributions_cannot_be_deleted(organizer, make_event, make_atelier):
    event = make_event()
    who = actor(organizer(event), event)
    atelier = make_atelier(event=event)
    add_card(atelier, withdrawn_at=None)
    sequence = atelier.sequence
    with pytest.raises(setup.InUse) as refused:
        setup.delete_sequence(who, sequence)
    assert refused.value.message.startswith(
        "Impossible de supprimer « Ateliers pratiques » : ses ateliers ont déjà 1 contribution"
    )
    with pytest.raises(setup.InUse):
        setup.delete_atelier(who, atelier)
    with pytest.raises(ValidationError) as kind:
        setup.update_sequence(who, sequence, {"kind": "ateliers_chantiers", "starts_at": "10"})
    assert "contributions" in kind.value.errors["kind"]


def test_deleting_a_sequence_takes_its_ateliers_and_the_current_pointer(
    organizer, make_event, make_atelier
):
    event = make_event()
    who = actor(organizer(event), event)
    atelier = make_atelier(event=event, kind="ateliers_chantiers")
    sequence = atelier.sequence
    event.current_sequence_id = sequence.id
    db.session.commit()
    setup.delete_sequence(who, sequence)
    db.session.commit()
    db.session.expire_all()
    assert [s.kind for s in event.sequences] == ["accueil", "ateliers_pratiques"]
    assert [s.position for s in event.sequences] == [0, 1]
    assert event.current_sequence_id is None
    assert db.session.get(type(atelier), atelier.id) is None


def test_a_sequence_holding_ateliers_keeps_an_atelier_kind(organizer, make_event, make_atelier):
    event = make_event()
    atelier = make_atelier(event=event)
    with pytest.raises(ValidationError) as refused:
        setup.update_sequence(
            actor(organizer(event), event), atelier.sequence, {"kind": "pause", "starts_at": "10"}
        )
    assert "contient 1 atelier" in refused.value.errors["kind"]


# ------------------------------------------------------------------------- ateliers
def test_ateliers_are_added_edited_and_deleted(organizer, make_event):
    event = make_event()
    who = actor(organizer(event), event)
    sequence = next(s for s in event.sequences if s.kind == "ateliers_pratiques")
    data = {
        "title": "Isolement",
        "theme": "Publics vulnérables",
        "question": "Qu'est-ce qui a marché ?",
        "room": "Salle Ravel",
        "capacity": "20",
        "facilitators": "Samia, Marc",
    }
    atelier = setup.add_atelier(who, sequence, data)
    db.session.commit()
    assert (atelier.capacity, atelier.facilitators, atelier.event_id) == (
        20,
        "Samia, Marc",
        event.id,
    )
    assert current_round(atelier) is not None  # a new atelier opens like an imported one
    with pytest.raises(ValidationError) as twin:
        setup.add_atelier(who, sequence, data | {"title": "ISOLEMENT"})
    assert "existe déjà" in twin.value.errors["title"]
    for wrong in ("vingt", "²", "0", "10001"):
        with pytest.raises(ValidationError) as capacity:
            setup.update_atelier(who, atelier, data | {"capacity": wrong})
        assert "nombre de places" in capacity.value.errors["capacity"]
    setup.update_atelier(who, atelier, data | {"title": "Isolement des aînés", "capacity": ""})
    assert atelier.capacity is None and atelier.title == "Isolement des aînés"
    setup.delete_atelier(who, atelier)
    db.session.commit()
    assert sequence.ateliers == []


def test_no_atelier_in_a_sequence_without_ateliers(organizer, make_event):
    event = make_event()
    accueil = event.sequences[0]
    with pytest.raises(ValidationError) as refused:
        setup.add_atelier(actor(organizer(event), event), accueil, {"title": "Café"})
    assert "n'est pas une séquence d'ateliers" in refused.value.message


# ------------------------------------------------------------------------- logo
def test_a_logo_is_checked_shrunk_and_versioned(organizer, make_event):
    event = make_event()
    who = actor(organizer(event), event)
    logo = setup.set_logo(who, event, png())
    assert logo.content_type == "image/png"
    assert Image.open(io.BytesIO(logo.data)).size == (400, 133)
    assert event.logo_digest and len(event.logo_digest) == 16
    for bad, message in [
        (b"<svg onload=alert(1)>", "n'est pas une image"),
        (b"GIF89a" + b"\0" * 40, "n'est pas une image"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "n'est pas une image"),
        (png()[:100], "n'est pas une image"),
        (b"\x89PNG" + b"\0" * (setup.LOGO_MAX_BYTES + 1), "Logo trop lourd"),
    ]:
        with pytest.raises(ValidationError) as refused:
            setup.set_logo(who, event, bad)
        assert message in refused.value.errors["logo"]
    setup.remove_logo(who, event)
    assert event.logo_digest is None and db.session.get(EventLogo, event.id) is None


# ------------------------------------------------------------------------- duplicate
def test_duplicating_copies_the_setup_and_nothing_of_the_day(
    organizer, make_event, make_atelier, make_participant
):
    source = make_event(brand_color="#7a1f5c", brand_name="Réseau 78", timezone="America/Cayenne")
    account = organizer(source)
    who = actor(account, source)
    atelier = make_atelier(event=source, title="Isolement", room="Ravel", capacity=12)
    atelier.facilitators = "Samia"
    make_participant(atelier)
    add_card(atelier)
    setup.set_logo(who, source, png(mode="RGB"))
    db.session.commit()
    with pytest.raises(ValidationError) as taken:
        setup.duplicate_event(
            who, source, {"title": "Bis", "date": "2027-06-24", "join_code": source.join_code}
        )
    assert "déjà utilisé" in taken.value.errors["join_code"]
    copy = setup.duplicate_event(
        who, source, {"title": "Journée 2027", "date": "24/06/2027", "join_code": "J2027"}
    )
    db.session.commit()
    assert copy.slug == "journee-2027" and copy.join_code == "J2027"
    assert copy in account.events and copy.id != source.id
    assert (copy.brand_color, copy.brand_name, copy.timezone) == (
        "#7a1f5c",
        "Réseau 78",
        "America/Cayenne",
    )
    assert copy.communes == source.communes and copy.logo_digest == source.logo_digest
    assert db.session.get(EventLogo, copy.id).data == db.session.get(EventLogo, source.id).data
    assert [(s.kind, s.title, s.starts_at) for s in copy.sequences] == [
        (s.kind, s.title, s.starts_at) for s in source.sequences
    ]
    copied = [a for s in copy.sequences for a in s.ateliers]
    assert [(a.title, a.room, a.capacity, a.facilitators) for a in copied] == [
        ("Isolement", "Ravel", 12, "Samia")
    ]
    assert copied[0].event_id == copy.id
    assert db.session.query(Participant).filter_by(event_id=copy.id).count() == 0
    assert db.session.query(Contribution).filter_by(atelier_id=copied[0].id).count() == 0
    stranger = organizer(make_event())
    with pytest.raises(Forbidden):
        setup.duplicate_event(
            actor(stranger, source),
            source,
            {"title": "X", "date": "2027-01-01", "join_code": "XX1"},
        )


# ------------------------------------------------------------------------- expected people
PEOPLE = (
    "Nom;Structure;Commune;E-mail\n"
    "Nadia Benali;CCAS de Chatou;chatou;nadia@example.org\n"
    "Marc Petit;Croix-Rouge;Le Vésinet;\n"
)


def test_expected_people_preview_then_import_then_update(organizer, make_event):
    event = make_event(communes=["Chatou", "Le Pecq"])
    who = actor(organizer(event), event)
    preview = setup.preview_people(event, PEOPLE.encode("utf-8-sig"))
    assert preview.ok and [r.line for r in preview.rows] == [2, 3]
    assert preview.rows[0].values["commune"] == "Chatou"  # the list's spelling
    assert setup.expected_count(event) == 0
    setup.import_people(who, event, PEOPLE)
    db.session.commit()
    assert setup.expected_count(event) == 2
    again = setup.import_people(
        who, event, "nom,structure,email\nnadia benali,ccas de chatou,n@example.org\n"
    )
    db.session.commit()
    assert again.rows[0].existing is not None
    people = setup.expected_participants(event)
    assert [(p.name, p.email) for p in people] == [
        ("Marc Petit", ""),
        ("nadia benali", "n@example.org"),
    ]
    assert setup.clear_people(who, event) == 2


def test_expected_people_errors_are_numbered_and_nothing_is_stored(organizer, make_event):
    event = make_event()
    who = actor(organizer(event), event)
    text = (
        "nom,structure,email\nNadia,CCAS,pas-une-adresse\n,Croix-Rouge,\nMarc,CCAS,\nMarc,ccas,\n"
    )
    preview = setup.preview_people(event, text)
    assert preview.errors == [
        "Ligne 2 : adresse e-mail « pas-une-adresse » invalide.",
        "Ligne 3 : Indiquez « nom ».",
        "Ligne 5 : personne en double dans le fichier (même nom et même structure).",
    ]
    with pytest.raises(ValidationError):
        setup.import_people(who, event, text)
    assert setup.expected_count(event) == 0
    missing = setup.preview_people(event, "structure,commune\nCCAS,Chatou\n")
    assert missing.errors[0].startswith("Ligne 1 : colonne « nom » manquante")


@settings(max_examples=60, deadline=None)
@given(
    st.binary(max_size=2000), st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF"])
)
def test_any_bytes_are_a_logo_or_a_french_refusal(noise: bytes, magic: bytes) -> None:
    try:
        data, content_type = setup.clean_logo(magic + noise)
    except ValidationError as exc:
        assert "logo" in exc.errors
    else:  # pragma: no cover - random bytes are almost never an image
        assert content_type in ("image/png", "image/jpeg") and data
