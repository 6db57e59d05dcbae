"""Personal data: the event's purge after the restitution, and a participant's own data.

What is personal here, model by model, and what each operation does with it:

============================  =====================================  ==========================
data                          purge (whole event)                    « Mes données » (one person)
============================  =====================================  ==========================
Participant name/structure/   blanked; the row stays as an anonymous blanked likewise, cookie
commune                       number so dots and voter counts hold   forgotten by the web layer
Contribution author link      cleared, text kept                     cleared (or card deleted
                                                                     while its round is open)
ChantierAddition/Comment      author link cleared, text kept         author link cleared
Engagement contact/consent    contact erased, consent off            row deleted
Profile                       deleted                                deleted
ContactRequest                deleted                                deleted (sent and received)
TourDeTable speaking order    deleted                                the person leaves the order
Dot / VoterBudget             kept on the anonymous row              removed from open ballots
Dot scribe label (a name?)    renamed « Saisie N »                   —
FacilitatorLink label         revoked, label erased                  —
Atelier facilitators' names   erased                                 —
RoundTransition actor label   « organisation » / « animation »       —
AtelierSynthesis updated_by   erased                                 —
ChantierDetail consolidated   « by » erased                          —
expected_participant rows     deleted (when the table exists)        —
============================  =====================================  ==========================

Kept on purpose: the cards' and chantiers' texts (their titre, description, structure and
commune describe the practice, not its author; ``porteur`` names who carries a chantier, part
of the result), the syntheses, the dots. Before the first purge the figures that need personal
data (structures and communes tallies, people per atelier) are frozen in ``EventPrivacy`` so the
restitution's counts stay the same afterwards. The rules flush; the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import Table, delete, func, or_, select, update

from facilitation.domain import chantiers, voting
from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import DomainError, ValidationError
from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    AtelierSynthesis,
    Ballot,
    BallotStatus,
    ChantierAddition,
    ChantierComment,
    ChantierDetail,
    ContactRequest,
    Contribution,
    Dot,
    Engagement,
    Event,
    FacilitatorLink,
    Participant,
    Phase,
    Profile,
    RoundTransition,
    TourDeTable,
)
from facilitation.models.base import utcnow
from facilitation.models.event import EventStatus
from facilitation.models.privacy import EventPrivacy

#: Label of a scribe line after the purge (scribe labels may be someone's name).
SCRIBE_LABEL = "Saisie {n}"
_SCRIBE_RE = re.compile(r"^Saisie \d+$")
#: Audit labels of phase changes after the purge (they held emails and facilitators' names).
ORGANIZER_LABEL = "organisation"
FACILITATOR_LABEL = "animation"
_NEUTRAL_LABELS = (ORGANIZER_LABEL, FACILITATOR_LABEL, "minuteur", "inconnu")

#: French labels of the purge summary, in the order they are printed.
SUMMARY_LABELS: dict[str, str] = {
    "participants": "participant·es anonymisé·es (nom, structure, commune)",
    "expected": "personnes attendues supprimées (liste importée)",
    "profiles": "profils supprimés",
    "contact_requests": "demandes de mise en relation supprimées",
    "card_authors": "cartes détachées de leur auteur·rice (texte gardé)",
    "chantier_additions": "ajouts aux chantiers détachés de leur auteur·rice",
    "chantier_comments": "commentaires de chantiers détachés de leur auteur·rice",
    "engagement_contacts": "coordonnées d'engagement effacées",
    "tours": "tours de table supprimés (ordre de parole)",
    "scribe_labels": "libellés de saisie de votes renommés",
    "facilitator_links": "liens d'animation révoqués et anonymisés",
    "facilitator_names": "noms d'animateur·rices effacés des ateliers",
    "audit_labels": "noms effacés de l'historique des phases",
    "synthesis_authors": "noms effacés des synthèses",
    "consolidation_authors": "noms effacés des consolidations de chantiers",
}


@dataclass
class PurgeSummary:
    """How many rows the purge changes (or changed), by kind; all zero once purged."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMMARY_LABELS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[tuple[str, int]]:
        return [(SUMMARY_LABELS[k], n) for k, n in self.counts.items()]


# ------------------------------------------------------------------------- schedule
def privacy_of(event: Event, create: bool = False) -> EventPrivacy | None:
    found = db.session.get(EventPrivacy, event.id)
    if found is None and create:
        found = EventPrivacy(event_id=event.id, kept_figures={})
        db.session.add(found)
        db.session.flush()
    return found


def schedule_purge(actor: Actor, event: Event, raw: Any) -> date | None:
    """Set (an ISO date) or clear ("" / None) the event's « purger après le » date."""
    require_organizer(actor, event)
    when: date | None = None
    if isinstance(raw, date):
        when = raw
    elif isinstance(raw, str) and raw.strip():
        try:
            when = date.fromisoformat(raw.strip())
        except ValueError:
            raise ValidationError(
                errors={"purge_after": gettext("Indiquez une date valide (jj/mm/aaaa).")}
            ) from None
    elif raw not in (None, ""):
        raise ValidationError(
            errors={"purge_after": gettext("Indiquez une date valide (jj/mm/aaaa).")}
        )
    if when is not None and when < event.date:
        raise ValidationError(
            errors={
                "purge_after": gettext(
                    "La purge ne peut pas être prévue avant le jour de l'événement."
                )
            }
        )
    privacy = privacy_of(event, create=True)
    assert privacy is not None
    privacy.purge_after = when
    db.session.flush()
    return when


def due_events(today: date) -> list[Event]:
    """Events whose purge date has passed (strictly before ``today``) and that still hold
    personal data: never purged, or purged before the date was set again."""
    rows = db.session.scalars(
        select(Event)
        .join(EventPrivacy, EventPrivacy.event_id == Event.id)
        .where(EventPrivacy.purge_after.is_not(None), EventPrivacy.purge_after < today)
        .order_by(Event.date, Event.id)
    )
    return [e for e in rows if plan_purge(e).total > 0]


def kept_figures(event: Event) -> dict[str, Any]:
    """The figures frozen by the first purge (``{}`` before it), for the restitution."""
    found = db.session.get(EventPrivacy, event.id)
    return dict(found.kept_figures or {}) if found is not None else {}


# ------------------------------------------------------------------------- purge
def _ids(query: Any) -> list[int]:
    return list(db.session.scalars(query))


def _event_ids(event: Event) -> tuple[list[int], list[int], list[int], list[int]]:
    """Ids of the event's ateliers, participants, cards and chantier cards."""
    ateliers = _ids(select(Atelier.id).where(Atelier.event_id == event.id))
    people = _ids(select(Participant.id).where(Participant.event_id == event.id))
    cards = _ids(select(Contribution.id).where(Contribution.atelier_id.in_(ateliers)))
    chantiers = _ids(
        select(ChantierDetail.contribution_id).where(ChantierDetail.contribution_id.in_(cards))
    )
    return ateliers, people, cards, chantiers


def _expected_table() -> Table | None:
    """The organizers' imported list of expected people, where that feature is installed."""
    return db.metadata.tables.get("expected_participant")


def _count(query: Any) -> int:
    return int(db.session.scalar(query) or 0)


def _scribe_renames(ateliers: list[int]) -> list[tuple[int, str, str]]:
    """``(ballot_id, old, new)`` for every scribe label still to rename, stable across runs."""
    rows = db.session.execute(
        select(Dot.ballot_id, Dot.scribe_label, func.min(Dot.id))
        .join(Ballot, Ballot.id == Dot.ballot_id)
        .where(Ballot.atelier_id.in_(ateliers), Dot.scribe.is_(True))
        .group_by(Dot.ballot_id, Dot.scribe_label)
        .order_by(Dot.ballot_id, func.min(Dot.id))
    ).all()
    renames = []
    numbers: dict[int, int] = {}
    for ballot_id, label, _first in rows:
        numbers[ballot_id] = numbers.get(ballot_id, 0) + 1
        new = SCRIBE_LABEL.format(n=numbers[ballot_id])
        if label != new:
            renames.append((ballot_id, label, new))
    return renames


def _consolidations(chantiers: list[int]) -> list[ChantierDetail]:
    return [
        d
        for d in db.session.scalars(
            select(ChantierDetail).where(ChantierDetail.contribution_id.in_(chantiers))
        )
        if any(isinstance(v, dict) and v.get("by") for v in (d.consolidated or {}).values())
    ]


def plan_purge(event: Event) -> PurgeSummary:
    """What ``purge_event`` would change now (the dry run); all zero on a purged event."""
    ateliers, people, cards, chantiers = _event_ids(event)
    c: dict[str, int] = {}
    c["participants"] = _count(
        select(func.count())
        .select_from(Participant)
        .where(
            Participant.event_id == event.id,
            or_(
                Participant.display_name != "",
                Participant.structure != "",
                Participant.commune != "",
            ),
        )
    )
    table = _expected_table()
    c["expected"] = (
        _count(select(func.count()).select_from(table).where(table.c.event_id == event.id))
        if table is not None
        else 0
    )
    c["profiles"] = _count(
        select(func.count()).select_from(Profile).where(Profile.participant_id.in_(people))
    )
    c["contact_requests"] = _count(
        select(func.count()).select_from(ContactRequest).where(ContactRequest.event_id == event.id)
    )
    c["card_authors"] = _count(
        select(func.count())
        .select_from(Contribution)
        .where(Contribution.id.in_(cards), Contribution.participant_id.is_not(None))
    )
    for key, model in (
        ("chantier_additions", ChantierAddition),
        ("chantier_comments", ChantierComment),
    ):
        c[key] = _count(
            select(func.count())
            .select_from(model)
            .where(model.chantier_id.in_(chantiers), model.participant_id.is_not(None))
        )
    c["engagement_contacts"] = _count(
        select(func.count())
        .select_from(Engagement)
        .where(
            Engagement.chantier_id.in_(chantiers),
            or_(Engagement.contact != "", Engagement.consent.is_(True)),
        )
    )
    c["tours"] = _count(
        select(func.count()).select_from(TourDeTable).where(TourDeTable.atelier_id.in_(ateliers))
    )
    c["scribe_labels"] = len(_scribe_renames(ateliers))
    c["facilitator_links"] = _count(
        select(func.count())
        .select_from(FacilitatorLink)
        .where(
            FacilitatorLink.event_id == event.id,
            or_(FacilitatorLink.revoked_at.is_(None), FacilitatorLink.label != ""),
        )
    )
    c["facilitator_names"] = _count(
        select(func.count())
        .select_from(Atelier)
        .where(Atelier.event_id == event.id, Atelier.facilitators != "")
    )
    c["audit_labels"] = _count(_audit_query(ateliers, count=True))
    c["synthesis_authors"] = _count(
        select(func.count())
        .select_from(AtelierSynthesis)
        .where(AtelierSynthesis.atelier_id.in_(ateliers), AtelierSynthesis.updated_by != "")
    )
    c["consolidation_authors"] = len(_consolidations(chantiers))
    return PurgeSummary(counts={k: c.get(k, 0) for k in SUMMARY_LABELS})


def _audit_query(ateliers: list[int], count: bool = False) -> Any:
    from facilitation.models import Round

    where = (
        RoundTransition.round_id.in_(select(Round.id).where(Round.atelier_id.in_(ateliers))),
        RoundTransition.actor_label.not_in(_NEUTRAL_LABELS),
    )
    if count:
        return select(func.count()).select_from(RoundTransition).where(*where)
    return select(RoundTransition).where(*where)


def _freeze_figures(event: Event, privacy: EventPrivacy) -> None:
    """Keep the figures that need names and author links, once, before they go."""
    if privacy.kept_figures:
        return
    from facilitation.domain.restitution import restitution

    model = restitution(event)
    privacy.kept_figures = {
        "structures_list": model["figures"]["structures_list"],
        "communes_list": model["figures"]["communes_list"],
        "atelier_participants": {
            str(a["id"]): a["participants"] for s in model["sequences"] for a in s["ateliers"]
        },
    }


def purge_event(event: Event, now: datetime | None = None) -> PurgeSummary:
    """Remove the personal data of ``event`` and keep its anonymised results (idempotent)."""
    now = now or utcnow()
    summary = plan_purge(event)
    privacy = privacy_of(event, create=True)
    assert privacy is not None
    # A purged event takes no new personal data: joins, cards and dots are refused from now on.
    event.status = EventStatus.CLOSED.value
    if summary.total == 0:
        if privacy.purged_at is None:
            privacy.purged_at = now
            db.session.flush()
        return summary
    _freeze_figures(event, privacy)
    ateliers, people, cards, chantiers = _event_ids(event)

    def run(stmt: Any) -> None:
        db.session.execute(stmt.execution_options(synchronize_session=False))

    table = _expected_table()
    if table is not None:
        run(delete(table).where(table.c.event_id == event.id))
    run(delete(Profile).where(Profile.participant_id.in_(people)))
    run(delete(ContactRequest).where(ContactRequest.event_id == event.id))
    run(delete(TourDeTable).where(TourDeTable.atelier_id.in_(ateliers)))
    run(
        update(Contribution)
        .where(Contribution.id.in_(cards), Contribution.participant_id.is_not(None))
        .values(participant_id=None)
    )
    for model in (ChantierAddition, ChantierComment):
        run(
            update(model)
            .where(model.chantier_id.in_(chantiers), model.participant_id.is_not(None))
            .values(participant_id=None)
        )
    run(
        update(Engagement)
        .where(Engagement.chantier_id.in_(chantiers))
        .values(contact="", consent=False)
    )
    run(
        update(Participant)
        .where(Participant.event_id == event.id)
        .values(display_name="", structure="", commune="")
    )
    for ballot_id, old, new in _scribe_renames(ateliers):
        run(
            update(Dot)
            .where(Dot.ballot_id == ballot_id, Dot.scribe.is_(True), Dot.scribe_label == old)
            .values(scribe_label=new)
        )
    run(
        update(FacilitatorLink)
        .where(FacilitatorLink.event_id == event.id, FacilitatorLink.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    run(update(FacilitatorLink).where(FacilitatorLink.event_id == event.id).values(label=""))
    run(update(Atelier).where(Atelier.event_id == event.id).values(facilitators=""))
    for transition in db.session.scalars(_audit_query(ateliers)):
        transition.actor_label = (
            ORGANIZER_LABEL if transition.organizer_id is not None else FACILITATOR_LABEL
        )
    run(
        update(AtelierSynthesis)
        .where(AtelierSynthesis.atelier_id.in_(ateliers))
        .values(updated_by="")
    )
    for detail in _consolidations(chantiers):
        detail.consolidated = {
            k: ({kk: vv for kk, vv in v.items() if kk != "by"} if isinstance(v, dict) else v)
            for k, v in (detail.consolidated or {}).items()
        }
    privacy.purged_at = now
    db.session.flush()
    db.session.expire_all()
    return summary


# ------------------------------------------------------------------------- one participant
def my_data(participant: Participant) -> dict[str, Any]:
    """Everything stored about this device identity, JSON-ready (shown and downloadable)."""
    profile = db.session.get(Profile, participant.id)
    cards = list(
        db.session.scalars(
            select(Contribution)
            .where(Contribution.participant_id == participant.id)
            .order_by(Contribution.created_at, Contribution.id)
        )
    )
    ateliers = {
        a.id: a
        for a in db.session.scalars(select(Atelier).where(Atelier.event_id == participant.event_id))
    }
    dots = db.session.execute(
        select(Dot, Ballot, Contribution)
        .join(Ballot, Ballot.id == Dot.ballot_id)
        .join(Contribution, Contribution.id == Dot.contribution_id)
        .where(Dot.participant_id == participant.id, Dot.count > 0)
        .order_by(Ballot.id, Dot.id)
    ).all()
    engagements = db.session.execute(
        select(Engagement, Contribution)
        .join(Contribution, Contribution.id == Engagement.chantier_id)
        .where(Engagement.participant_id == participant.id)
        .order_by(Engagement.id)
    ).all()
    requests = list(
        db.session.scalars(
            select(ContactRequest)
            .where(
                or_(
                    ContactRequest.from_participant_id == participant.id,
                    ContactRequest.to_participant_id == participant.id,
                )
            )
            .order_by(ContactRequest.id)
        )
    )
    additions = list(
        db.session.scalars(
            select(ChantierAddition).where(ChantierAddition.participant_id == participant.id)
        )
    )
    comments = list(
        db.session.scalars(
            select(ChantierComment).where(ChantierComment.participant_id == participant.id)
        )
    )

    def atelier_title(atelier_id: int) -> str:
        found = ateliers.get(atelier_id)
        return found.title if found is not None else ""

    def other(req: ContactRequest) -> Participant | None:
        pid = (
            req.to_participant_id
            if req.from_participant_id == participant.id
            else req.from_participant_id
        )
        return db.session.get(Participant, pid)

    return {
        "participant": {
            "id": participant.id,
            "display_name": participant.display_name,
            "structure": participant.structure,
            "commune": participant.commune,
            "consent_at": participant.consent_at.isoformat(),
            "created_at": participant.created_at.isoformat(),
            "current_atelier": atelier_title(participant.current_atelier_id or 0) or None,
        },
        "profile": (
            {
                "role": profile.role,
                "structure_kind": profile.structure_kind,
                "publics": list(profile.publics or []),
                "offers": list(profile.offers or []),
                "needs": list(profile.needs or []),
                "contact": profile.contact,
                "visible": profile.visible,
            }
            if profile is not None
            else None
        ),
        "cards": [
            {
                "id": c.id,
                "atelier": atelier_title(c.atelier_id),
                "kind": c.kind,
                "titre": c.titre,
                "description": c.description,
                "structure": c.structure,
                "commune": c.commune,
                "public_concerne": c.public_concerne,
                "created_at": c.created_at.isoformat(),
                "withdrawn": c.withdrawn_at is not None,
            }
            for c in cards
        ],
        "dots": [
            {
                "atelier": atelier_title(ballot.atelier_id),
                "card": card.titre,
                "count": dot.count,
                "ballot_open": ballot.status == BallotStatus.OPEN.value,
            }
            for dot, ballot, card in dots
        ],
        "engagements": [
            {"chantier": card.titre, "contact": e.contact, "consent": e.consent}
            for e, card in engagements
        ],
        "chantier_additions": [{"field": a.field, "text": a.text} for a in additions],
        "chantier_comments": [{"text": c.text} for c in comments],
        "contact_requests": [
            {
                "direction": "sent" if r.from_participant_id == participant.id else "received",
                "with": (p.display_name if (p := other(r)) is not None else ""),
                "message": r.message,
                "status": r.status,
            }
            for r in requests
        ],
    }


@dataclass
class Forgotten:
    """What ``forget_participant`` changed, for the broadcasts after the commit."""

    #: Cards kept without author: ``(card_id, atelier_version)``.
    anonymised: list[tuple[int, int]] = field(default_factory=list)
    #: Cards deleted: ``(atelier_id, card_id, atelier_version)``.
    deleted: list[tuple[int, int, int]] = field(default_factory=list)
    #: Chantiers whose additions, comments or engagements changed: ``(card_id, version)``.
    chantiers: list[tuple[int, int]] = field(default_factory=list)
    #: Ateliers whose who's who or tour de table changed.
    whoswho: set[int] = field(default_factory=set)


def _round_open(card: Contribution) -> bool:
    if not card.atelier.event.is_open:
        return False
    rnd = current_round(card.atelier)
    if rnd is None or rnd.phase != Phase.CONTRIBUTIONS.value:
        return False
    return card.round_id is None or card.round_id == rnd.id


def deletable_cards(participant: Participant) -> set[int]:
    """Own cards that may still be deleted outright: their round is open for contributions
    (and no duplicate was merged into them, which deleting would bring back on the wall)."""
    own = list(
        db.session.scalars(
            select(Contribution).where(Contribution.participant_id == participant.id)
        )
    )
    merged_targets = set(
        db.session.scalars(
            select(Contribution.merged_into_id).where(
                Contribution.merged_into_id.in_([c.id for c in own])
            )
        )
    )
    return {c.id for c in own if _round_open(c) and c.id not in merged_targets}


def forget_participant(participant: Participant, delete_cards: bool = False) -> Forgotten:
    """Erase a participant's personal data at their request.

    Profile, contact requests and engagements are deleted; dots are removed from open ballots
    (closed votes keep them, on the anonymous row); cards, chantier additions and comments stay
    without their author, or, with ``delete_cards``, the cards of a round still open for
    contributions are deleted (the others are kept anonymised). The participant row stays as an
    anonymous number (name, structure, commune blanked) so closed tallies keep their voters.
    """
    if not isinstance(participant, Participant):
        raise DomainError(gettext("Aucune donnée à supprimer sur cet appareil."))
    done = Forgotten()
    pid = participant.id
    # Dots of open ballots first: the budget row is locked like any change of one's dots.
    voting.forget_voter(pid)
    touched_chantiers: set[int] = set()
    for model in (ChantierAddition, ChantierComment):
        touched_chantiers.update(
            db.session.scalars(select(model.chantier_id).where(model.participant_id == pid))
        )
        db.session.execute(
            update(model)
            .where(model.participant_id == pid)
            .values(participant_id=None)
            .execution_options(synchronize_session=False)
        )
    touched_chantiers.update(
        db.session.scalars(select(Engagement.chantier_id).where(Engagement.participant_id == pid))
    )
    db.session.execute(delete(Engagement).where(Engagement.participant_id == pid))
    db.session.execute(
        delete(ContactRequest).where(
            or_(ContactRequest.from_participant_id == pid, ContactRequest.to_participant_id == pid)
        )
    )
    if db.session.get(Profile, pid) is not None:
        db.session.execute(delete(Profile).where(Profile.participant_id == pid))
        if participant.current_atelier_id:
            done.whoswho.add(participant.current_atelier_id)
    for tour in db.session.scalars(
        select(TourDeTable)
        .join(Atelier, Atelier.id == TourDeTable.atelier_id)
        .where(Atelier.event_id == participant.event_id)
    ):
        if pid in (tour.order or []):
            index = tour.order.index(pid)
            tour.order = [p for p in tour.order if p != pid]
            if index < tour.position:
                tour.position -= 1
            tour.position = min(tour.position, max(len(tour.order) - 1, 0))
            tour.version += 1
            done.whoswho.add(tour.atelier_id)
    deletable = deletable_cards(participant) if delete_cards else set()
    cards = list(db.session.scalars(select(Contribution).where(Contribution.participant_id == pid)))
    for card in cards:
        if card.id in deletable:
            voting.on_card_removed(card)
            atelier_id = card.atelier_id
            db.session.delete(card)
            db.session.flush()
            done.deleted.append((atelier_id, card.id, bump_version(atelier_id)))
        else:
            card.participant_id = None
            db.session.flush()
            done.anonymised.append((card.id, bump_version(card.atelier_id)))
    participant.display_name = ""
    participant.structure = ""
    participant.commune = ""
    db.session.flush()
    deleted_ids = {d[1] for d in done.deleted}
    for chantier_id in sorted(touched_chantiers - deleted_ids):
        card = db.session.get(Contribution, chantier_id)
        if card is not None:
            done.chantiers.append((card.id, chantiers.bump_versions(card)))
    db.session.expire_all()
    return done


def anonymised_cards(ids: Iterable[int]) -> list[Contribution]:
    return list(db.session.scalars(select(Contribution).where(Contribution.id.in_(list(ids)))))
