"""Consent rules of profiles, contact requests (mutual acceptance), the tour de table, the map."""

import pytest

from facilitation.domain import contacts, profiles, tour
from facilitation.domain.actors import actors_chart_svg, actors_map
from facilitation.domain.errors import Forbidden, NotFound, ValidationError
from facilitation.extensions import db


@pytest.fixture
def atelier(make_atelier):
    return make_atelier()


@pytest.fixture
def person(atelier, make_participant):
    def make(name, visible=True, where=None, **fields):
        participant = make_participant(
            where or atelier,
            display_name=name,
            **{k: fields.pop(k) for k in ("structure", "commune") if k in fields},
        )
        profiles.save_profile(participant, {"visible": "on" if visible else ""} | fields)
        db.session.commit()
        return participant

    return make


# ----------------------------------------------------------------------------- profiles
def test_tags_are_split_trimmed_and_deduplicated():
    tags, error = profiles.parse_tags(" logement ;Logement, aide alimentaire\n mobilité,, ", "X")
    assert error is None
    assert tags == ["logement", "aide alimentaire", "mobilité"]


def test_too_many_tags_or_an_unknown_kind_are_refused_in_french(atelier, make_participant):
    me = make_participant(atelier)
    with pytest.raises(ValidationError) as exc:
        profiles.save_profile(
            me, {"offers": ",".join(f"t{i}" for i in range(9)), "structure_kind": "banque"}
        )
    assert "8 éléments au maximum" in exc.value.errors["offers"]
    assert exc.value.errors["structure_kind"] == "Choisissez un type de structure dans la liste."


def test_a_profile_is_hidden_until_its_owner_consents(atelier, person):
    karim = person("Karim", visible=False, role="Assistant social", offers="logement")
    assert profiles.is_visible(karim) is False
    assert profiles.whoswho(atelier)["groups"] == []
    assert profiles.whoswho(atelier)["hidden"] == 1
    assert profiles.visible_in_event(atelier.event) == []
    with pytest.raises(ValueError):
        profiles.public_card(karim, profiles.get_profile(karim))

    profiles.save_profile(karim, {"visible": "on", "role": "Assistant social"})
    (group,) = profiles.whoswho(atelier)["groups"]
    assert [p["display_name"] for p in group["people"]] == ["Karim"]
    assert profiles.get_profile(karim).visible_since is not None


def test_the_public_card_never_carries_the_contact(atelier, person):
    person("Karim", contact="karim@example.org", offers="logement")
    (group,) = profiles.whoswho(atelier)["groups"]
    assert "karim@example.org" not in repr(group)


def test_the_whoswho_groups_by_structure_and_commune(atelier, person):
    person("Nadia", structure="CCAS du Pecq", commune="Le Pecq")
    person("Olivier", structure="Croix-Rouge", commune="Chatou")
    person("Claire", structure="CCAS du Pecq", commune="Le Pecq")
    data = profiles.whoswho(atelier)
    assert [(g["structure"], g["commune"]) for g in data["groups"]] == [
        ("CCAS du Pecq", "Le Pecq"),
        ("Croix-Rouge", "Chatou"),
    ]
    assert [p["display_name"] for p in data["groups"][0]["people"]] == ["Claire", "Nadia"]
    assert data["visible"] == 3 and data["hidden"] == 0


def test_my_data_lists_everything_stored_and_the_profile_can_be_erased(atelier, person):
    nadia = person("Nadia", contact="06 00 00 00 00")
    karim = person("Karim")
    contacts.request_contact(nadia, {"to": karim.id})
    data = profiles.my_data(nadia)
    assert data["profile"].contact == "06 00 00 00 00"
    assert len(data["requests_sent"]) == 1
    assert profiles.delete_profile(nadia) is True
    db.session.commit()
    assert profiles.get_profile(nadia) is None
    assert profiles.is_visible(nadia) is False


# ----------------------------------------------------------------------------- contacts
def test_contact_is_shared_only_after_mutual_acceptance(person):
    nadia = person("Nadia", contact="nadia@ccas.example")
    karim = person("Karim", contact="karim@crous.example")
    request = contacts.request_contact(nadia, {"to": karim.id, "message": "Logement ?"})
    db.session.commit()
    assert request.status == "pending"
    assert contacts.shared_contact(nadia, request) is None
    assert contacts.shared_contact(karim, request) is None
    (received,) = contacts.requests_of(karim)[1]
    assert received.contact is None and received.other.id == nadia.id

    contacts.answer(karim, request.id, accept=True)
    db.session.commit()
    assert contacts.shared_contact(nadia, request) == "karim@crous.example"
    assert contacts.shared_contact(karim, request) == "nadia@ccas.example"


def test_a_declined_request_shares_nothing(person):
    nadia, karim = person("Nadia", contact="n@x.example"), person("Karim", contact="k@x.example")
    request = contacts.request_contact(nadia, {"to": karim.id})
    contacts.answer(karim, request.id, accept=False)
    assert request.status == "declined"
    assert contacts.shared_contact(nadia, request) is None
    assert contacts.shared_contact(karim, request) is None


def test_only_the_recipient_may_answer(person):
    nadia, karim, lea = person("Nadia"), person("Karim"), person("Léa")
    request = contacts.request_contact(nadia, {"to": karim.id})
    db.session.commit()
    for intruder in (nadia, lea):
        with pytest.raises(Forbidden):
            contacts.answer(intruder, request.id, accept=True)
    assert request.status == "pending"
    # A third person never sees the contacts, even once accepted.
    contacts.answer(karim, request.id, accept=True)
    assert contacts.shared_contact(lea, request) is None


def test_asking_back_accepts_the_first_request_and_asking_twice_keeps_one(person):
    nadia, karim = person("Nadia", contact="n@x.example"), person("Karim", contact="k@x.example")
    first = contacts.request_contact(nadia, {"to": karim.id})
    assert contacts.request_contact(nadia, {"to": karim.id}).id == first.id
    back = contacts.request_contact(karim, {"to": nadia.id})
    assert back.id == first.id and first.status == "accepted"
    assert contacts.shared_contact(karim, first) == "n@x.example"


def test_hidden_people_strangers_and_oneself_cannot_be_asked(
    person, make_atelier, make_participant
):
    nadia = person("Nadia")
    hidden = person("Caché", visible=False)
    stranger = make_participant(make_atelier(), display_name="Autre événement")
    profiles.save_profile(stranger, {"visible": "on"})
    for target in (hidden, stranger):
        with pytest.raises(NotFound) as exc:
            contacts.request_contact(nadia, {"to": target.id})
        assert exc.value.message == "Cette personne ne participe pas à cet événement."
    with pytest.raises(ValidationError):
        contacts.request_contact(nadia, {"to": nadia.id})


def test_an_answer_to_a_request_of_another_event_is_not_found(
    person, make_atelier, make_participant
):
    nadia, karim = person("Nadia"), person("Karim")
    request = contacts.request_contact(nadia, {"to": karim.id})
    db.session.commit()
    outsider = make_participant(make_atelier())
    with pytest.raises(NotFound):
        contacts.answer(outsider, request.id, accept=True)


# ----------------------------------------------------------------------------- tour de table
def test_the_tour_steps_through_visible_people_only(atelier, person):
    person("Nadia", structure="A")
    person("Caché", structure="B", visible=False)
    person("Karim", structure="C")
    state = tour.tour_state(atelier)
    assert state["active"] is False and state["person"] is None

    t = tour.start(atelier, {"seconds": 90})
    state = tour.tour_state(atelier, t)
    assert (state["position"], state["total"]) == (0, 2)
    assert state["person"]["display_name"] == "Nadia"
    assert state["timer_seconds"] == 90 and state["person_started_at"]

    _, changed = tour.step(atelier, {"version": t.version}, +1)
    assert changed and tour.tour_state(atelier)["person"]["display_name"] == "Karim"
    _, changed = tour.step(atelier, {}, +1)  # already at the last person
    assert changed is False
    _, changed = tour.step(atelier, {}, -1)
    assert changed and tour.tour_state(atelier)["person"]["display_name"] == "Nadia"


def test_a_retried_step_does_not_skip_a_person(atelier, person):
    for name in ("A", "B", "C"):
        person(name, structure=name)
    t = tour.start(atelier, {})
    seen = t.version
    tour.step(atelier, {"version": seen}, +1)
    _, changed = tour.step(atelier, {"version": seen}, +1)  # the same tap, sent again
    assert changed is False
    assert tour.tour_state(atelier)["position"] == 1


def test_newcomers_are_appended_and_a_withdrawn_consent_hides_the_person(atelier, person):
    nadia = person("Nadia", structure="A")
    t = tour.start(atelier, {})
    person("Karim", structure="B")
    tour.step(atelier, {"version": t.version}, +1)
    assert tour.tour_state(atelier)["person"]["display_name"] == "Karim"
    tour.step(atelier, {}, -1)
    profiles.save_profile(nadia, {"visible": ""})
    state = tour.tour_state(atelier)
    assert state["person"] is None and state["hidden"] is True


def test_timer_bounds_and_steps_before_start(atelier, person):
    person("Nadia")
    with pytest.raises(ValidationError):
        tour.step(atelier, {}, +1)
    with pytest.raises(ValidationError) as exc:
        tour.start(atelier, {"seconds": 3600})
    assert "entre 0 et 600 secondes" in exc.value.errors["seconds"]
    tour.start(atelier, {"seconds": "60"})
    assert tour.set_timer(atelier, {"seconds": 0}).timer_seconds == 0
    assert tour.stop(atelier).active is False


# ----------------------------------------------------------------------------- actors map
def test_the_actors_map_counts_everyone_but_lists_only_consenting_people(atelier, person):
    person(
        "Nadia",
        structure="CCAS du Pecq",
        commune="Le Pecq",
        structure_kind="ccas",
        role="Directrice",
    )
    person(
        "Claire", structure="ccas du  pecq", commune="Le Pecq", structure_kind="ccas", visible=False
    )
    person(
        "Olivier",
        structure="Croix-Rouge",
        commune="Chatou",
        structure_kind="croix_rouge",
        visible=False,
    )
    data = actors_map(atelier.event)
    assert data["participants"] == 3
    assert data["structures"] == 2
    kinds = {k["kind"]: k for k in data["by_kind"]}
    assert (kinds["ccas"]["participants"], kinds["ccas"]["structures"]) == (2, 1)
    assert kinds["croix_rouge"]["participants"] == 1
    assert data["communes"] == [
        {"name": "Le Pecq", "participants": 2, "kinds": {"ccas": 2}},
        {"name": "Chatou", "participants": 1, "kinds": {"croix_rouge": 1}},
    ]
    (entry,) = data["directory"]
    assert entry["structure"] == "CCAS du Pecq" and entry["kind_label"] == "CCAS / CIAS"
    assert [p["display_name"] for p in entry["people"]] == ["Nadia"]
    assert "Claire" not in repr(data) and "Olivier" not in repr(data)


def test_the_chart_is_escaped_svg_with_one_bar_per_kind_present(make_event, make_atelier, person):
    event = make_event(title="Journée <script>alert(1)</script> & co")
    where = make_atelier(event=event)
    person("Nadia", where=where, structure_kind="ccas")
    person("Karim", where=where, structure_kind="crous")
    person("Léa", where=where)
    svg = actors_chart_svg(event)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&amp; co" in svg
    assert svg.count('class="bar"') == 3  # ccas, crous, non renseigné
    assert "CCAS / CIAS" in svg and "Non renseigné" in svg

    import xml.dom.minidom

    xml.dom.minidom.parseString(svg)  # well-formed


def test_either_side_may_withdraw_and_the_contacts_stop_at_once(person):
    nadia, karim = person("Nadia", contact="n@x.example"), person("Karim", contact="k@x.example")
    request = contacts.request_contact(nadia, {"to": karim.id})
    contacts.answer(karim, request.id, accept=True)
    contacts.answer(karim, request.id, accept=False)  # « Retirer mon accord »
    assert contacts.shared_contact(nadia, request) is None

    contacts.answer(karim, request.id, accept=True)
    with pytest.raises(Forbidden):
        contacts.cancel(karim, request.id)  # only the sender cancels a request
    contacts.cancel(nadia, request.id)
    db.session.commit()
    assert contacts.requests_of(karim) == ([], [])


def test_the_actors_map_is_plain_json(atelier, person):
    import json

    person("Nadia", structure_kind="ccas")
    data = actors_map(atelier.event)
    assert json.loads(json.dumps(data)) == data


def test_a_racing_double_request_keeps_one_and_returns_it(person, monkeypatch):
    nadia, karim = person("Nadia"), person("Karim")
    first = contacts.request_contact(nadia, {"to": karim.id})
    db.session.commit()
    real_between = contacts._between
    calls = []

    def stale_then_real(from_id, to_id):
        # The second tap checked before the first one's insert was visible.
        calls.append((from_id, to_id))
        return None if len(calls) <= 2 else real_between(from_id, to_id)

    monkeypatch.setattr(contacts, "_between", stale_then_real)
    again = contacts.request_contact(nadia, {"to": karim.id})
    db.session.commit()
    assert again.id == first.id
    assert len(contacts.requests_of(nadia)[0]) == 1


def test_two_racing_steps_move_the_tour_once(atelier, person):
    from sqlalchemy import update

    from facilitation.models import TourDeTable

    for name in ("A", "B", "C"):
        person(name, structure=name)
    t = tour.start(atelier, {})
    db.session.commit()
    seen = t.version
    # Another worker's « suivant » committed after this one read the tour (ORM copy is stale).
    db.session.execute(
        update(TourDeTable)
        .where(TourDeTable.atelier_id == atelier.id)
        .values(position=1, version=seen + 1)
        .execution_options(synchronize_session=False)
    )
    assert t.version == seen  # still the stale copy
    _, changed = tour.step(atelier, {"version": seen}, +1)
    assert changed is False
    state = tour.tour_state(atelier)
    assert (state["position"], state["version"]) == (1, seen + 1)
