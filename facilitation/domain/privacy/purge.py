"""The purge: an event's personal data removed after the restitution, its results kept.

``plan_purge`` is the dry run (what would change, by kind); ``purge_event`` does it, once the
restitution's figures that need names are frozen (``retention.kept_figures``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, func, or_, select, update

from facilitation.domain.privacy.places import KeptNames, kept_names, name_key, shared_tally
from facilitation.domain.restitution import restitution
from facilitation.domain.retention import kept_figures, privacy_of
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
    Event,
    FacilitatorLink,
    Participant,
    Profile,
    Reaction,
    Round,
    RoundTransition,
    TourDeTable,
)
from facilitation.models.base import utcnow
from facilitation.models.event import EventStatus
from facilitation.models.photo import Photo
from facilitation.models.privacy import EventPrivacy

#: Label of a scribe line after the purge (scribe labels may be someone's name).
SCRIBE_LABEL = "Saisie {n}"
#: Audit labels of phase changes after the purge (they held emails and facilitators' names).
ORGANIZER_LABEL = "organisation"
FACILITATOR_LABEL = "animation"
_NEUTRAL_LABELS = (ORGANIZER_LABEL, FACILITATOR_LABEL, "minuteur", "inconnu")

#: French labels of the purge summary, in the order they are printed.
SUMMARY_LABELS: dict[str, str] = {
    "participants": "participant·es anonymisé·es (nom, structure, commune)",
    "photos": "photos supprimées (cartes et paperboards)",
    "expected": "personnes attendues supprimées (liste importée)",
    "profiles": "profils supprimés",
    "contact_requests": "demandes de mise en relation supprimées",
    "card_authors": "cartes détachées de leur auteur·rice (texte gardé)",
    "card_places": (
        "cartes dont la structure ou la commune, citée par moins de 2 participant·es, est effacée"
    ),
    "figure_names": "structures ou communes citées une fois retirées des chiffres conservés",
    "chantier_additions": "ajouts aux chantiers détachés de leur auteur·rice",
    "chantier_comments": "commentaires de chantiers détachés de leur auteur·rice",
    "engagement_contacts": "coordonnées d'engagement effacées",
    "reactions": "réactions « Moi aussi » supprimées (les totaux par pratique sont gardés)",
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
    c["photos"] = _count(
        select(func.count()).select_from(Photo).where(Photo.atelier_id.in_(ateliers))
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
    kept = kept_names(event)
    c["card_places"] = len(_card_places(cards, kept))
    c["figure_names"] = _unshared_figures(event, kept)
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
    # « Moi aussi »: who reacted to which pratique; the counts are frozen before they go.
    c["reactions"] = _count(
        select(func.count()).select_from(Reaction).where(Reaction.contribution_id.in_(cards))
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
    where = (
        RoundTransition.round_id.in_(select(Round.id).where(Round.atelier_id.in_(ateliers))),
        RoundTransition.actor_label.not_in(_NEUTRAL_LABELS),
    )
    if count:
        return select(func.count()).select_from(RoundTransition).where(*where)
    return select(RoundTransition).where(*where)


def _card_places(cards: list[int], kept: KeptNames) -> list[tuple[int, str, str]]:
    """``(card id, structure, commune)`` to store for each card that keeps less than it has
    (``privacy.places``: a name cited by fewer than two participants may name a person)."""
    rows = db.session.execute(
        select(Contribution.id, Contribution.structure, Contribution.commune).where(
            Contribution.id.in_(cards),
            or_(Contribution.structure != "", Contribution.commune != ""),
        )
    ).all()
    return [
        (row.id, kept.structure(row.structure), kept.commune(row.commune))
        for row in rows
        if (kept.structure(row.structure), kept.commune(row.commune))
        != (row.structure, row.commune)
    ]


def _unshared_figures(event: Event, kept: KeptNames) -> int:
    """Names in the frozen figures that are not kept: none once frozen by this version; an
    event purged before it keeps names cited once, removed by the next run."""
    frozen = kept_figures(event)
    return sum(
        1 for e in frozen.get("structures_list", []) if name_key(e["name"]) not in kept.structures
    ) + sum(1 for e in frozen.get("communes_list", []) if name_key(e["name"]) not in kept.communes)


def _freeze_figures(event: Event, privacy: EventPrivacy, kept: KeptNames) -> None:
    """Keep the figures that need names and author links, once, before they go.

    The numbers of structures and communes are kept as they were; their lists only with the
    names ``kept`` keeps (cited by two participants, or the event's communes). An event frozen
    by an older version has its lists filtered on the next run.
    """
    if privacy.kept_figures:
        frozen = dict(privacy.kept_figures)
        if "card_reactions" not in frozen:
            # Frozen by a version before « Moi aussi »: its reactions are still here.
            frozen["card_reactions"] = _card_reactions(restitution(event))
        frozen.setdefault("structures_count", len(frozen.get("structures_list", [])))
        frozen.setdefault("communes_count", len(frozen.get("communes_list", [])))
        frozen["structures_list"] = shared_tally(frozen.get("structures_list", []), kept.structures)
        frozen["communes_list"] = shared_tally(frozen.get("communes_list", []), kept.communes)
        if frozen != privacy.kept_figures:
            privacy.kept_figures = frozen
        return
    model = restitution(event)
    figures = model["figures"]
    privacy.kept_figures = {
        "structures_list": shared_tally(figures["structures_list"], kept.structures),
        "communes_list": shared_tally(figures["communes_list"], kept.communes),
        "structures_count": figures["structures"],
        "communes_count": figures["communes"],
        "atelier_participants": {
            str(a["id"]): a["participants"] for s in model["sequences"] for a in s["ateliers"]
        },
        # « Moi aussi » per card (distinct structures): counted from names and rows that go.
        "card_reactions": _card_reactions(model),
    }


def _card_reactions(model: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        str(c["id"]): c["reactions"]
        for s in model["sequences"]
        for a in s["ateliers"]
        for c in a["contributions"]
        if any(c["reactions"].values())
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
    ateliers, people, cards, chantiers = _event_ids(event)
    # Decided before anything is blanked (or from the frozen figures, once purged).
    kept = kept_names(event)
    _freeze_figures(event, privacy, kept)

    def run(stmt: Any) -> None:
        db.session.execute(stmt.execution_options(synchronize_session=False))

    # Photos may show faces, names on a paperboard, a place: none is kept.
    run(delete(Photo).where(Photo.atelier_id.in_(ateliers)))
    table = _expected_table()
    if table is not None:
        run(delete(table).where(table.c.event_id == event.id))
    run(delete(Profile).where(Profile.participant_id.in_(people)))
    run(delete(ContactRequest).where(ContactRequest.event_id == event.id))
    run(delete(TourDeTable).where(TourDeTable.atelier_id.in_(ateliers)))
    run(delete(Reaction).where(Reaction.contribution_id.in_(cards)))
    run(
        update(Contribution)
        .where(Contribution.id.in_(cards), Contribution.participant_id.is_not(None))
        .values(participant_id=None)
    )
    for card_id, structure, commune in _card_places(cards, kept):
        run(
            update(Contribution)
            .where(Contribution.id == card_id)
            .values(structure=structure, commune=commune)
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
