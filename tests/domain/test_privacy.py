"""Purge of an event's personal data, and a participant forgetting their own data."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from facilitation.domain import (
    chantiers,
    contacts,
    participants,
    privacy,
    profiles,
    setup,
    voting,
)
from facilitation.domain import restitution as r
from facilitation.domain.access import Actor, create_organizer, grant_event
from facilitation.domain.contributions import create_contribution
from facilitation.domain.errors import Closed, ValidationError
from facilitation.domain.voting import BallotSettings
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    AtelierSynthesis,
    Ballot,
    ChantierAddition,
    ChantierComment,
    ChantierDetail,
    ContactRequest,
    Contribution,
    Dot,
    Engagement,
    ExpectedParticipant,
    FacilitatorLink,
    Organizer,
    Participant,
    Profile,
    Round,
    RoundTransition,
    TourDeTable,
    VoterBudget,
)
from tests.support.restitution_day import SECRET_CONTACT, SHARED_CONTACT, build_sample_day

NAMES = ("Alice", "Bob", "Carla", "Dan", "Eve")
PROFILE = {
    "role": "Travailleuse sociale",
    "structure_kind": "ccas",
    "publics": "seniors",
    "offers": "tableur",
    "needs": "bénévoles",
    "contact": "06 12 34 56 78",
    "visible": "on",
}


def _actor(person: Participant) -> Actor:
    return Actor(event_id=person.event_id, participant=person)


@pytest.fixture
def day(make_event, make_atelier, make_participant):
    """The restitution sample day plus every other kind of personal data the app stores."""
    day = build_sample_day(make_event, make_atelier, make_participant)
    alice, bob, carla = day.people["alice"], day.people["bob"], day.people["carla"]
    profiles.save_profile(alice, PROFILE)
    profiles.save_profile(bob, {**PROFILE, "contact": "bob@example.org"})
    contacts.request_contact(alice, {"to": bob.id, "message": "On se parle ?"})
    observatoire = day.cards["Observatoire social partagé"]
    chantiers.add_to_field(
        _actor(carla),
        observatoire,
        {"client_id": uuid.uuid4().hex, "field": "partenaires", "text": "La CAF"},
    )
    chantiers.add_comment(
        _actor(carla), observatoire, {"client_id": uuid.uuid4().hex, "text": "Bonne idée"}
    )
    detail = db.session.get(ChantierDetail, observatoire.id)
    detail.consolidated = {"constat": {"at": "2021-06-24T14:00:00+00:00", "by": "Animatrice Δ"}}
    db.session.add(TourDeTable(atelier_id=day.pratiques.id, order=[alice.id, bob.id], position=1))
    ballot = voting.current_ballot(day.pratiques)
    db.session.add(
        Dot(
            ballot_id=ballot.id,
            contribution_id=day.cards["Colis sur rendez-vous"].id,
            count=2,
            scribe=True,
            scribe_label="Madame Martin",
        )
    )
    rnd = db.session.scalar(select(Round).where(Round.atelier_id == day.pratiques.id))
    db.session.add(
        RoundTransition(
            round_id=rnd.id, from_phase="contributions", to_phase="vote", actor_label="Animatrice Δ"
        )
    )
    db.session.add(
        ExpectedParticipant(
            event_id=day.event.id, name="Fanny Attendue", structure="CCAS", email="f@x.org"
        )
    )
    day.pratiques.facilitators = "Animatrice Δ, Paul"
    organizer = create_organizer("orga@example.org", "motdepasse-solide", "Orga")
    grant_event(organizer, day.event)
    db.session.commit()
    day.dots["Colis sur rendez-vous"] += 2
    return day


def _stored_text() -> str:
    """Every text column of the personal tables, joined: a name must appear nowhere."""
    parts: list[str] = []
    for row in db.session.scalars(select(Participant)):
        parts += [row.display_name, row.structure, row.commune]
    for link in db.session.scalars(select(FacilitatorLink)):
        parts.append(link.label)
    for atelier in db.session.scalars(select(Atelier)):
        parts.append(atelier.facilitators)
    for t in db.session.scalars(select(RoundTransition)):
        parts.append(t.actor_label)
    for s in db.session.scalars(select(AtelierSynthesis)):
        parts.append(s.updated_by)
    for d in db.session.scalars(select(ChantierDetail)):
        parts.append(repr(d.consolidated))
    for dot in db.session.scalars(select(Dot)):
        parts.append(dot.scribe_label or "")
    for e in db.session.scalars(select(Engagement)):
        parts.append(e.contact)
    return "\n".join(parts)


#: The frozen lists keep only the names several people gave (privacy.places): compared apart.
NAME_LISTS = ("structures_list", "communes_list")


def _counts(model):
    return {
        "figures": {k: v for k, v in model["figures"].items() if k not in NAME_LISTS},
        "ateliers": [
            (a["title"], a["participants"], a["cards"], a["dots"])
            for s in model["sequences"]
            for a in s["ateliers"]
        ],
        "cards": sorted(
            (c["titre"], c["description"], c["dots"], c["engagement_count"])
            for a in r.ateliers(model)
            for c in a["contributions"]
        ),
        "synthesis": [a["synthesis"] for a in r.ateliers(model)],
    }


def test_purge_removes_every_personal_field_and_keeps_the_results(day):
    before_model = r.restitution(day.event)
    before = _counts(before_model)
    before_lists = {k: before_model["figures"][k] for k in NAME_LISTS}
    plan = privacy.plan_purge(day.event)
    assert plan.counts["participants"] == 5
    assert plan.counts["expected"] == 1
    assert plan.counts["profiles"] == 2
    assert plan.counts["contact_requests"] == 1
    assert plan.counts["card_authors"] == 5
    assert plan.counts["card_places"] == 1  # « CCAS de Chatou », Carla's alone
    assert plan.counts["figure_names"] == 0  # nothing frozen yet
    assert plan.counts["chantier_additions"] == plan.counts["chantier_comments"] == 1
    assert plan.counts["engagement_contacts"] == 2
    assert plan.counts["tours"] == 1
    assert plan.counts["scribe_labels"] == 1
    assert plan.counts["facilitator_links"] == 1
    assert plan.counts["facilitator_names"] == 1
    assert plan.counts["audit_labels"] == 1
    assert plan.counts["synthesis_authors"] == 1
    assert plan.counts["consolidation_authors"] == 1
    # A dry run changes nothing.
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 2

    done = privacy.purge_event(day.event)
    db.session.commit()
    assert done.counts == plan.counts

    stored = _stored_text()
    for secret in (*NAMES, "CCAS du Pecq", "Secours populaire", "Animatrice Δ", "Madame Martin"):
        assert secret not in stored
    for secret in (SHARED_CONTACT, SECRET_CONTACT, "Le Pecq", "Chatou"):
        assert secret not in stored
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 0
    assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 0
    assert db.session.scalar(select(func.count()).select_from(TourDeTable)) == 0
    assert db.session.scalar(select(func.count()).select_from(ExpectedParticipant)) == 0
    assert db.session.scalars(select(Contribution.participant_id)).all() == [None] * 5
    assert db.session.scalars(select(ChantierAddition.participant_id)).all() == [None]
    assert db.session.scalars(select(ChantierComment.participant_id)).all() == [None]
    assert all(not e.consent for e in db.session.scalars(select(Engagement)))
    assert all(link.revoked_at for link in db.session.scalars(select(FacilitatorLink)))

    # The anonymised results: same counts, texts, dots, engagements, synthesis.
    after = r.restitution(day.event)
    assert _counts(after) == before
    assert all(c["author"] is None for a in r.ateliers(after) for c in a["contributions"])
    texts = {c["titre"] for a in r.ateliers(after) for c in a["contributions"]}
    assert "Observatoire social partagé" in texts
    # Names cited by a single participant are not kept, even in the frozen figures; their
    # numbers are (4 structures, 2 communes).
    kept = privacy.kept_figures(day.event)
    assert kept["structures_list"] == [{"name": "CCAS du Pecq", "count": 2}]
    assert kept["communes_list"] == before_lists["communes_list"]
    assert after["figures"]["structures"] == 4 and after["figures"]["communes"] == 2
    # A card keeps a shared structure and an event's commune, not a structure given once.
    appels = db.session.get(Contribution, day.cards["Appels de convivialité"].id)
    assert (appels.structure, appels.commune) == ("CCAS du Pecq", "Le Pecq")
    observatoire = db.session.get(Contribution, day.cards["Observatoire social partagé"].id)
    assert observatoire.structure == ""
    assert privacy.privacy_of(day.event).purged_at is not None


def test_purge_is_idempotent(day):
    privacy.purge_event(day.event)
    db.session.commit()
    first = _counts(r.restitution(day.event))
    again = privacy.purge_event(day.event)
    db.session.commit()
    assert again.total == 0
    assert privacy.plan_purge(day.event).total == 0
    assert _counts(r.restitution(day.event)) == first
    # The scribe line keeps its stable neutral label on every run.
    assert db.session.scalars(select(Dot.scribe_label).where(Dot.scribe)).all() == ["Saisie 1"]


def test_a_purged_event_is_closed_and_stays_closed(day):
    """No new personal data after a purge: joins are refused and the event cannot reopen."""
    privacy.purge_event(day.event)
    db.session.commit()
    assert not day.event.is_open
    atelier = day.event.sequences[0].ateliers[0] if day.event.sequences[0].ateliers else None
    with pytest.raises(Closed):
        participants.join(
            day.event,
            {"display_name": "Zoé", "structure": "CCAS", "consent": "on",
             "atelier_id": str(atelier.id if atelier else 0)},
            None,
        )  # fmt: skip
    values, errors = setup.clean_event(
        setup.event_form(day.event) | {"status": "ouvert"}, day.event
    )
    assert "purgées" in errors["status"]
    _, errors = setup.clean_event(setup.event_form(day.event), day.event)
    assert "status" not in errors


def test_purge_leaves_other_events_alone(day, make_event, make_atelier, make_participant):
    other = make_participant(make_atelier(make_event()), display_name="Zoé")
    privacy.purge_event(day.event)
    db.session.commit()
    assert db.session.get(Participant, other.id).display_name == "Zoé"


def test_schedule_and_due_events(day):
    account = db.session.scalar(select(Organizer))
    actor = Actor(event_id=day.event.id, organizer=account)
    with pytest.raises(ValidationError):
        privacy.schedule_purge(actor, day.event, "pas une date")
    with pytest.raises(ValidationError):
        privacy.schedule_purge(actor, day.event, "2021-06-01")  # before the day
    assert privacy.schedule_purge(actor, day.event, "2021-07-24") == date(2021, 7, 24)
    db.session.commit()
    assert privacy.due_events(date(2021, 7, 24)) == []
    assert privacy.due_events(date(2021, 7, 25)) == [day.event]
    privacy.purge_event(day.event)
    db.session.commit()
    # Purged: nothing is due any more.
    assert privacy.due_events(date(2021, 7, 25)) == []
    assert privacy.schedule_purge(actor, day.event, "") is None


def test_forget_participant_keeps_anonymised_cards_and_closed_votes(day):
    alice = day.people["alice"]
    votes_before = r.restitution(day.event)["figures"]["dots"]
    privacy.forget_participant(alice)
    db.session.commit()
    alice = db.session.get(Participant, alice.id)
    assert (alice.display_name, alice.structure, alice.commune) == ("", "", "")
    assert db.session.get(Profile, alice.id) is None
    assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 0
    appels = db.session.get(Contribution, day.cards["Appels de convivialité"].id)
    assert appels.participant_id is None and appels.titre == "Appels de convivialité"
    # Dots of a revealed ballot stay (on the anonymous row).
    assert r.restitution(day.event)["figures"]["dots"] == votes_before
    tour = db.session.get(TourDeTable, day.pratiques.id)
    assert tour.order == [day.people["bob"].id]
    assert tour.position == 0


def test_forget_participant_removes_engagements_and_open_ballot_dots(
    make_atelier, make_participant
):
    atelier = make_atelier(kind="ateliers_chantiers")
    nadia = make_participant(atelier, display_name="Nadia")
    card, _ = chantiers.create_chantier(
        _actor(nadia), atelier, {"client_id": uuid.uuid4().hex, "titre": "Un chantier"}
    )
    chantiers.engage(
        _actor(nadia), card, {"client_id": uuid.uuid4().hex, "contact": "n@x.org", "consent": "on"}
    )
    voting.open_ballot(atelier, BallotSettings(dots_per_participant=3, max_per_card=3))
    voting.set_dots(_actor(nadia), atelier, card.id, 2)
    db.session.commit()
    ballot = db.session.scalar(select(Ballot))
    done = privacy.forget_participant(nadia)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Engagement)) == 0
    assert db.session.scalar(select(func.count()).select_from(Dot)) == 0
    assert db.session.get(VoterBudget, (ballot.id, nadia.id)) is None
    assert [cid for cid, _v in done.anonymised] == [card.id]
    assert [cid for cid, _v in done.chantiers] == [card.id]


def test_forget_participant_may_delete_cards_of_an_open_round_only(make_atelier, make_participant):
    atelier = make_atelier()
    nadia = make_participant(atelier, display_name="Nadia")
    open_card, _ = create_contribution(
        nadia, atelier, {"client_id": uuid.uuid4().hex, "titre": "Encore ouvert"}
    )
    db.session.commit()
    assert privacy.deletable_cards(nadia) == {open_card.id}
    done = privacy.forget_participant(nadia, delete_cards=True)
    db.session.commit()
    assert db.session.get(Contribution, open_card.id) is None
    assert [(a, c) for a, c, _v in done.deleted] == [(atelier.id, open_card.id)]


def test_my_data_lists_everything_stored(day):
    data = privacy.my_data(day.people["alice"])
    assert data["participant"]["display_name"] == "Alice"
    assert data["profile"]["contact"] == "06 12 34 56 78"
    assert [c["titre"] for c in data["cards"]] == ["Appels de convivialité"]
    assert sorted(d["count"] for d in data["dots"]) == [1, 2]
    assert data["contact_requests"][0]["with"] == "Bob"
    carla = privacy.my_data(day.people["carla"])
    assert carla["chantier_additions"] == [{"field": "partenaires", "text": "La CAF"}]
    assert carla["engagements"][0]["contact"] == SECRET_CONTACT


def _card(person: Participant, atelier: Atelier, titre: str) -> Contribution:
    """A card as the wall's form sends it: structure and commune prefilled from the join."""
    card, _ = create_contribution(
        person,
        atelier,
        {
            "client_id": uuid.uuid4().hex,
            "titre": titre,
            "structure": person.structure,
            "commune": person.commune,
        },
    )
    return card


def test_forget_blanks_the_structure_and_commune_that_point_at_the_person(day, make_participant):
    """Issue 18.13: after « Mes données » a card kept the structure and commune prefilled
    from the join form (« Marie Dupont conseil », a hamlet). Now a card keeps a structure
    only if two participants gave it, a commune only if it is the event's or shared.
    Failed before the fix: both stayed on the card."""
    marie = make_participant(
        day.pratiques,
        display_name="Marie",
        structure="Marie Dupont conseil",
        commune="Hameau-sur-Seine",
    )
    alone = _card(marie, day.pratiques, "Permanence itinérante")
    alice = day.people["alice"]  # « CCAS du Pecq », as Eve: shared
    shared = _card(alice, day.pratiques, "Navette du marché")
    db.session.commit()

    privacy.forget_participant(marie)
    privacy.forget_participant(alice)
    db.session.commit()
    alone = db.session.get(Contribution, alone.id)
    assert (alone.participant_id, alone.titre) == (None, "Permanence itinérante")
    assert (alone.structure, alone.commune) == ("", "")
    shared = db.session.get(Contribution, shared.id)
    assert (shared.structure, shared.commune) == ("CCAS du Pecq", "Le Pecq")
    assert "Marie Dupont" not in repr(
        db.session.execute(select(Contribution.structure, Contribution.commune)).all()
    )


def test_purge_blanks_a_structure_typed_once_and_stays_idempotent(day):
    """Issue 18.13: the purge kept a structure name typed once (it may be a person's name),
    on the card and in the frozen figures. Failed before the fix."""
    bob = day.people["bob"]  # « Secours populaire », alone at the event
    card, _ = create_contribution(
        bob,
        day.pratiques,
        {"client_id": uuid.uuid4().hex, "titre": "Visites", "structure": "Jean Martin"},
    )
    db.session.commit()
    figures = r.restitution(day.event)["figures"]
    privacy.purge_event(day.event)
    db.session.commit()
    assert db.session.get(Contribution, card.id).structure == ""
    stored = repr(db.session.execute(select(Contribution.structure)).all())
    assert "Jean Martin" not in stored and "Secours populaire" not in stored
    kept = privacy.kept_figures(day.event)
    assert "Secours populaire" not in repr(kept)
    after = r.restitution(day.event)["figures"]
    assert (after["structures"], after["communes"]) == (figures["structures"], figures["communes"])
    # A second run finds nothing: the frozen figures decide as the live names did.
    assert privacy.plan_purge(day.event).total == 0


def test_figures_frozen_by_an_older_purge_lose_their_single_names_on_the_next_run(day):
    """An event purged before this rule froze every name: the next run filters them."""
    privacy.purge_event(day.event)
    db.session.commit()
    privacy_row = privacy.privacy_of(day.event)
    legacy = {
        k: v
        for k, v in privacy_row.kept_figures.items()
        if k not in ("structures_count", "communes_count")
    }
    legacy["structures_list"] = [
        {"name": "CCAS du Pecq", "count": 2},
        {"name": "Secours populaire", "count": 1},
        {"name": "CCAS de Chatou", "count": 1},
        {"name": "Épicerie solidaire", "count": 1},
    ]
    privacy_row.kept_figures = legacy
    db.session.commit()
    plan = privacy.plan_purge(day.event)
    assert plan.counts["figure_names"] == 3
    privacy.purge_event(day.event)
    db.session.commit()
    kept = privacy.kept_figures(day.event)
    assert kept["structures_list"] == [{"name": "CCAS du Pecq", "count": 2}]
    assert r.restitution(day.event)["figures"]["structures"] == 4
    assert privacy.plan_purge(day.event).total == 0
