"""The restitution: one read model of the whole day, and the plenary's settings.

``restitution(event)`` computes, on every call and from the database as it is now, what the
day produced: per sequence and per atelier the question, participants, cards with their dots,
the most supported chantiers and pratiques, the facilitator's synthesis; and event-wide
figures. Nothing is cached, so a vote closed at 15h40 is in the plenary at 15h45. Every export
(``facilitation.exports``) and page is built from this one dict; its JSON form is documented
by ``facilitation/exports/restitution.schema.json`` (bump ``SCHEMA_VERSION`` on any change).

Personal data: the ``organizer`` audience gets authors' names and the contacts that
participants agreed to share; the ``public`` audience (the published page) gets neither.
"""

from __future__ import annotations

import enum
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from facilitation.domain import chantiers, plenary, voting
from facilitation.domain import retention as privacy
from facilitation.domain.access import Actor
from facilitation.domain.actors import actors_map
from facilitation.domain.errors import Forbidden, NotFound, ValidationError
from facilitation.domain.events import sequence_dict
from facilitation.domain.validation import N_
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    AtelierSynthesis,
    Contribution,
    Engagement,
    Event,
    Participant,
    RestitutionSettings,
)
from facilitation.models.base import utcnow
from facilitation.models.contribution import ContributionKind
from facilitation.models.vote import Dot, VoterBudget

SCHEMA_ID = "https://facilitation.invalid/schemas/restitution.schema.json"
SCHEMA_VERSION = 1
#: How many chantiers / pratiques a restitution puts forward per atelier.
TOP_CHANTIERS = 5
TOP_PRATIQUES = 5
SYNTHESIS_MAX_LENGTH = 3000


class Audience(enum.StrEnum):
    #: The agency and facilitators: names, and contacts shared with consent.
    ORGANIZER = "organizer"
    #: The published page: no names, no contacts.
    PUBLIC = "public"


# ------------------------------------------------------------------------- access
def can_view(actor: Actor, event: Event) -> bool:
    """Organizers of the event, or a facilitator holding an event-wide link."""
    if actor.event_id != event.id:
        return False
    if actor.is_organizer:
        return True
    return any(
        link.active and link.event_id == event.id and link.atelier_id is None
        for link in actor.links
    )


def require_viewer(actor: Actor, event: Event) -> None:
    if not can_view(actor, event):
        raise Forbidden(
            gettext(
                "La restitution est réservée à l'équipe organisatrice et aux animateur·rices de l'événement."
            )
        )


# ------------------------------------------------------------------------- read model
#: Card fields shown in reports, in order, with their French label.
CARD_FIELDS: tuple[tuple[str, str], ...] = (
    ("description", "Description"),
    ("public_concerne", "Public concerné"),
    ("structure", "Structure"),
    ("commune", "Commune"),
)


def _normalise(name: str) -> str:
    return " ".join((name or "").split())


def _tally(names: Iterable[str]) -> list[dict[str, Any]]:
    """Distinct names (case-insensitive) with their counts, most frequent first."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for raw in names:
        name = _normalise(raw)
        if not name:
            continue
        key = name.casefold()
        spelling.setdefault(key, name)
        counts[key] += 1
    return [
        {"name": spelling[key], "count": n}
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], spelling[kv[0]].casefold()))
    ]


def _votes(event: Event, audience: Audience) -> tuple[dict[int, int], dict[int, set[int]]]:
    """Dots per card and voters per atelier, from each atelier's current ballot.

    The current ballot is the voting domain's (the open one, else the latest): a vote closed
    at 15h40 counts as closed. The public audience sees dots only where the facilitator made
    the tallies public (revealed, or visible live).
    """
    dots: dict[int, int] = {}
    voters: dict[int, set[int]] = defaultdict(set)
    for atelier in db.session.scalars(select(Atelier).where(Atelier.event_id == event.id)):
        ballot = voting.current_ballot(atelier)
        if ballot is None:
            continue
        voters[atelier.id].update(
            db.session.scalars(
                select(VoterBudget.participant_id).where(
                    VoterBudget.ballot_id == ballot.id, VoterBudget.used > 0
                )
            )
        )
        if audience is Audience.PUBLIC and not ballot.tallies_public:
            continue
        for card_id, total in db.session.execute(
            select(Dot.contribution_id, func.sum(Dot.count))
            .where(Dot.ballot_id == ballot.id)
            .group_by(Dot.contribution_id)
        ):
            dots[card_id] = int(total or 0)
    return dots, voters


def _chantier_fields(
    cards: list[Contribution], audience: Audience
) -> tuple[dict[int, list[dict[str, str]]], dict[int, list[dict[str, Any]]]]:
    """The chantiers' structured fields and their « Je m'engage », keyed by card id.

    Contacts come only from engagements whose author consented to share them, and only for
    the organizer audience; the public audience gets no engagement list at all.
    """
    chantier_cards = [c for c in cards if c.kind == ContributionKind.CHANTIER]
    views = chantiers.chantier_views(chantier_cards)
    fields: dict[int, list[dict[str, str]]] = {}
    engagements: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for card_id, view in views.items():
        items = [
            {"key": key, "label": chantiers.LABELS[key], "value": value}
            for key, value in view["fields"].items()
            if value
        ]
        if view["communes"]:
            items.append(
                {
                    "key": "communes",
                    "label": chantiers.LABELS["communes"],
                    "value": ", ".join(view["communes"]),
                }
            )
        if view["pratiques"]:
            items.append(
                {
                    "key": "pratiques",
                    "label": chantiers.LABELS["pratique_ids"],
                    "value": "\n".join(
                        f"{p['titre']} ({p['atelier']['title']})" for p in view["pratiques"]
                    ),
                }
            )
        additions = [
            f"{chantiers.LABELS.get(a['field'], a['field'])} : {a['text']}"
            + (f" ({a['author']['structure']})" if a["author"] and a["author"]["structure"] else "")
            for a in view["additions"]
        ]
        if additions:
            items.append(
                {
                    "key": "ajouts",
                    "label": "Ajouts des participant·es",
                    "value": "\n".join(additions),
                }
            )
        fields[card_id] = items
    rows = db.session.execute(
        select(Engagement, Participant)
        .join(Participant, Participant.id == Engagement.participant_id)
        .where(Engagement.chantier_id.in_([c.id for c in chantier_cards]))
        .order_by(Engagement.created_at, Engagement.id)
    ).all()
    for engagement, person in rows:
        engagements[engagement.chantier_id].append(
            {
                "display_name": person.display_name,
                "structure": person.structure,
                "contact": (
                    engagement.contact
                    if engagement.consent and engagement.contact and audience is Audience.ORGANIZER
                    else None
                ),
            }
        )
    return fields, engagements


def _fields(card: Contribution, extra: list[dict[str, str]]) -> list[dict[str, str]]:
    base = [
        {"key": key, "label": label, "value": getattr(card, key) or ""}
        for key, label in CARD_FIELDS
        if getattr(card, key)
    ]
    if not extra:
        return base
    # A chantier: its own fields first, then the card's (structure, commune) not repeated.
    keys = {f["key"] for f in extra}
    return extra + [f for f in base if f["key"] not in keys]


def _ranked(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most dots first (then oldest); equal dots share a rank and are marked as ties."""
    cards.sort(key=lambda c: (-c["dots"], c["created_at"], c["id"]))
    counts = Counter(c["dots"] for c in cards)
    rank = 0
    previous: int | None = None
    for index, card in enumerate(cards, start=1):
        if card["dots"] != previous:
            rank, previous = index, card["dots"]
        card["rank"] = rank
        card["tied"] = counts[card["dots"]] > 1
    return cards


def _card(
    card: Contribution,
    dots: dict[int, int],
    fields: dict[int, list[dict[str, str]]],
    engagements: dict[int, list[dict[str, Any]]],
    audience: Audience,
) -> dict[str, Any]:
    author = card.author
    commitments = engagements.get(card.id, [])
    return {
        "id": card.id,
        "kind": card.kind,
        "titre": card.titre,
        "description": card.description or "",
        "structure": card.structure or "",
        "commune": card.commune or "",
        "public_concerne": card.public_concerne or "",
        "author": (
            {"display_name": author.display_name, "structure": author.structure}
            if author is not None and audience is Audience.ORGANIZER
            else None
        ),
        "author_structure": (author.structure if author is not None else card.structure) or "",
        "created_at": card.created_at.isoformat(),
        "dots": dots.get(card.id, 0),
        "rank": 0,
        "tied": False,
        "fields": _fields(card, fields.get(card.id, [])),
        "engagement_count": len(commitments),
        "engagements": commitments if audience is Audience.ORGANIZER else [],
    }


def restitution(
    event: Event,
    audience: Audience | str = Audience.ORGANIZER,
    atelier_id: int | None = None,
) -> dict[str, Any]:
    """The whole day (or one atelier with ``atelier_id``) as a JSON-ready dict, computed now."""
    audience = Audience(audience)
    if atelier_id is not None:
        atelier = db.session.get(Atelier, atelier_id)
        if atelier is None or atelier.event_id != event.id:
            raise NotFound(gettext("Cet atelier n'existe pas dans cet événement."))

    cards = [
        card
        for card in db.session.scalars(
            select(Contribution)
            .options(selectinload(Contribution.author))
            .join(Atelier, Atelier.id == Contribution.atelier_id)
            .where(Atelier.event_id == event.id)
            .order_by(Contribution.created_at, Contribution.id)
        )
        # Hidden, merged or withdrawn cards (moderation) are not part of the results.
        if getattr(card, "visible", True)
    ]
    participants = list(
        db.session.scalars(select(Participant).where(Participant.event_id == event.id))
    )
    syntheses = {
        s.atelier_id: s
        for s in db.session.scalars(
            select(AtelierSynthesis)
            .join(Atelier, Atelier.id == AtelierSynthesis.atelier_id)
            .where(Atelier.event_id == event.id)
        )
    }
    dots, voters = _votes(event, audience)
    fields, engagements = _chantier_fields(cards, audience)
    purged = privacy.kept_figures(event)
    kept_people: dict[str, int] = purged.get("atelier_participants", {})

    by_atelier: dict[int, list[dict[str, Any]]] = defaultdict(list)
    people: dict[int, set[int]] = defaultdict(set)
    for card in cards:
        by_atelier[card.atelier_id].append(_card(card, dots, fields, engagements, audience))
        if card.participant_id is not None:
            people[card.atelier_id].add(card.participant_id)
    for atelier_key, ids in voters.items():
        people[atelier_key].update(ids)
    for participant in participants:
        if participant.current_atelier_id is not None:
            people[participant.current_atelier_id].add(participant.id)

    sequences = []
    programme = []
    for sequence in event.sequences:
        programme.append(
            sequence_dict(event, sequence, ateliers=[a.title for a in sequence.ateliers])
        )
        if not sequence.kind_enum.has_ateliers:
            continue
        ateliers = []
        for atelier in sequence.ateliers:
            if atelier_id is not None and atelier.id != atelier_id:
                continue
            atelier_cards = _ranked(by_atelier.get(atelier.id, []))
            synthesis = syntheses.get(atelier.id)
            chantiers = [c for c in atelier_cards if c["kind"] == ContributionKind.CHANTIER]
            pratiques = [c for c in atelier_cards if c["kind"] == ContributionKind.PRATIQUE]
            ateliers.append(
                {
                    "id": atelier.id,
                    "title": atelier.title,
                    "theme": atelier.theme or "",
                    "question": atelier.question or "",
                    "room": atelier.room or "",
                    "participants": kept_people.get(
                        str(atelier.id), len(people.get(atelier.id, ()))
                    ),
                    "cards": len(atelier_cards),
                    "dots": sum(c["dots"] for c in atelier_cards),
                    "synthesis": (
                        {"text": synthesis.text, "updated_at": synthesis.updated_at.isoformat()}
                        if synthesis is not None and synthesis.text.strip()
                        else None
                    ),
                    "top_chantiers": [c["id"] for c in chantiers[:TOP_CHANTIERS]],
                    "top_pratiques": [c["id"] for c in pratiques[:TOP_PRATIQUES]],
                    "contributions": atelier_cards,
                }
            )
        if ateliers:
            sequences.append(sequence_dict(event, sequence, ateliers=ateliers))

    kept = [c for s in sequences for a in s["ateliers"] for c in a["contributions"]]
    structures = _tally(p.structure for p in participants)
    communes = _tally(p.commune for p in participants)
    if purged:
        # After the purge (domain.privacy), names are gone: the figures frozen just before.
        structures = purged.get("structures_list", structures)
        communes = purged.get("communes_list", communes)
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "generated_at": utcnow().isoformat(),
        "audience": audience.value,
        "scope": {"atelier_id": atelier_id},
        "event": {
            "slug": event.slug,
            "title": event.title,
            "date": event.date.isoformat(),
            "venue": event.venue or "",
            "city": event.city or "",
            "organiser_name": event.organiser_name or "",
            "timezone": event.timezone,
            "status": event.status,
        },
        "programme": programme,
        "figures": {
            "participants": len(participants),
            "structures": len(structures),
            "communes": len(communes),
            "ateliers": sum(len(s["ateliers"]) for s in sequences),
            "cards": len(kept),
            "pratiques": sum(1 for c in kept if c["kind"] == ContributionKind.PRATIQUE),
            "chantiers": sum(1 for c in kept if c["kind"] == ContributionKind.CHANTIER),
            "dots": sum(c["dots"] for c in kept),
            "engagements": sum(c["engagement_count"] for c in kept),
            "structures_list": structures,
            "communes_list": communes,
        },
        "sequences": sequences,
        "perspectives": _perspectives(event, audience, by_atelier),
        "directory": _directory(event, audience) if atelier_id is None else [],
    }


def _directory(event: Event, audience: Audience) -> list[dict[str, Any]]:
    """The participating structures that someone agreed to appear for (interconnaissance).

    People (name, role, publics, offers) only for the organizer audience and only with their
    profile's visibility consent (``actors_map`` already keeps no one else); the published
    page lists the structures alone.
    """
    entries = actors_map(event)["directory"]
    if audience is Audience.PUBLIC:
        return [{**entry, "people": []} for entry in entries]
    return entries


def _perspectives(
    event: Event, audience: Audience, by_atelier: dict[int, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The plenary vote's result: the shortlisted chantiers (as in their atelier) ranked by
    their plenary dots. Empty before the vote; hidden from the public until revealed."""
    ballot = plenary.current_ballot(event)
    if ballot is None or (audience is Audience.PUBLIC and not ballot.tallies_public):
        return []
    cards = {c["id"]: c for rows in by_atelier.values() for c in rows}
    result = []
    for item in plenary.state(event)["items"]:
        source = cards.get(item["chantier_id"])
        if source is not None:
            result.append(
                {**source, "dots": item["dots"], "rank": item["rank"], "tied": item["tied"]}
            )
    return result


def ateliers(model: dict[str, Any]) -> list[dict[str, Any]]:
    """Every atelier of a read model, in programme order."""
    return [a for s in model["sequences"] for a in s["ateliers"]]


def top(atelier: dict[str, Any], which: str) -> list[dict[str, Any]]:
    """The atelier's ``top_chantiers`` or ``top_pratiques`` as cards (ids are kept in JSON)."""
    by_id = {c["id"]: c for c in atelier["contributions"]}
    return [by_id[i] for i in atelier[which] if i in by_id]


# ------------------------------------------------------------------------- synthesis
def save_synthesis(actor: Actor, atelier: Atelier, text: str) -> AtelierSynthesis:
    """Replace « ce qu'il faut retenir » of ``atelier`` (its facilitators and organizers)."""
    if not actor.facilitates(atelier):
        raise Forbidden(gettext("Réservé à l'animateur ou l'animatrice de cet atelier."))
    if not isinstance(text, str):
        text = ""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > SYNTHESIS_MAX_LENGTH:
        raise ValidationError(
            errors={
                "text": gettext(
                    "La synthèse ne doit pas dépasser %(SYNTHESIS_MAX_LENGTH)s caractères.",
                    SYNTHESIS_MAX_LENGTH=SYNTHESIS_MAX_LENGTH,
                )
            }
        )
    if actor.organizer is not None and actor.is_organizer:
        by = actor.organizer.display_name or actor.organizer.email
    else:
        by = next((link.label for link in actor.links if link.label), "Animation")
    synthesis = db.session.scalar(
        select(AtelierSynthesis).where(AtelierSynthesis.atelier_id == atelier.id)
    )
    if synthesis is None:
        synthesis = AtelierSynthesis(atelier_id=atelier.id)
        db.session.add(synthesis)
    synthesis.text = text
    synthesis.updated_by = by[:120]
    synthesis.updated_at = utcnow()
    db.session.flush()
    return synthesis


def synthesis_text(atelier: Atelier) -> str:
    synthesis = db.session.scalar(
        select(AtelierSynthesis).where(AtelierSynthesis.atelier_id == atelier.id)
    )
    return synthesis.text if synthesis is not None else ""


# ------------------------------------------------------------------------- slides
@dataclass(frozen=True)
class Slide:
    """One slide of the plenary. ``key`` is stable, so the organizer's order survives edits."""

    key: str
    kind: str  # title | figures | atelier | chantiers | synthese | perspectives
    title: str
    hidden: bool = False
    atelier_id: int | None = None


def natural_slides(model: dict[str, Any]) -> list[Slide]:
    """Title, key figures, each atelier (and its top chantiers), syntheses, perspectives."""
    slides = [
        Slide("title", "title", model["event"]["title"]),
        Slide("figures", "figures", N_("La journée en chiffres")),
    ]
    for atelier in ateliers(model):
        slides.append(
            Slide(f"atelier-{atelier['id']}", "atelier", atelier["title"], False, atelier["id"])
        )
        if atelier["top_chantiers"]:
            slides.append(
                Slide(
                    f"chantiers-{atelier['id']}",
                    "chantiers",
                    N_("Chantiers — %(title)s") % {"title": atelier["title"]},
                    False,
                    atelier["id"],
                )
            )
    slides.append(Slide("synthese", "synthese", N_("Ce qu'il faut retenir")))
    slides.append(Slide("perspectives", "perspectives", N_("Perspectives collectives")))
    return slides


def settings_for(event: Event) -> RestitutionSettings | None:
    return db.session.scalar(
        select(RestitutionSettings).where(RestitutionSettings.event_id == event.id)
    )


def _settings_for_update(event: Event) -> RestitutionSettings:
    settings = settings_for(event)
    if settings is None:
        settings = RestitutionSettings(event_id=event.id, slide_order=[], hidden_slides=[])
        db.session.add(settings)
        db.session.flush()
    return settings


def slides(model: dict[str, Any], settings: RestitutionSettings | None) -> list[Slide]:
    """The slides in the organizer's order; slides unknown to it keep their natural place."""
    natural = natural_slides(model)
    if settings is None:
        return natural
    hidden = set(settings.hidden_slides or [])
    by_key = {s.key: s for s in natural}
    stored = [k for k in (settings.slide_order or []) if k in by_key]
    ordered: list[str] = list(stored)
    # A slide added since the order was saved goes after its natural predecessor.
    for index, slide in enumerate(natural):
        if slide.key in ordered:
            continue
        previous = next(
            (natural[j].key for j in range(index - 1, -1, -1) if natural[j].key in ordered), None
        )
        ordered.insert(ordered.index(previous) + 1 if previous else 0, slide.key)
    return [
        Slide(s.key, s.kind, s.title, s.key in hidden, s.atelier_id)
        for s in (by_key[k] for k in ordered)
    ]


def move_slide(event: Event, model: dict[str, Any], key: str, offset: int) -> None:
    """Move a slide up (-1) or down (+1) in the stored order."""
    settings = _settings_for_update(event)
    keys = [s.key for s in slides(model, settings)]
    if key not in keys:
        raise NotFound(gettext("Cette diapositive n'existe pas."))
    index = keys.index(key)
    target = max(0, min(len(keys) - 1, index + offset))
    keys.insert(target, keys.pop(index))
    settings.slide_order = keys
    db.session.flush()


def set_hidden(event: Event, model: dict[str, Any], key: str, hidden: bool) -> None:
    settings = _settings_for_update(event)
    if key not in {s.key for s in natural_slides(model)}:
        raise NotFound(gettext("Cette diapositive n'existe pas."))
    current = [k for k in (settings.hidden_slides or []) if k != key]
    settings.hidden_slides = [*current, key] if hidden else current
    db.session.flush()


# ------------------------------------------------------------------------- publication
def publish(event: Event) -> RestitutionSettings:
    """Publish the read-only page; a fresh secret link each time (old links stay dead)."""
    settings = _settings_for_update(event)
    if settings.public_token is None:
        settings.public_token = secrets.token_urlsafe(18)
        settings.published_at = utcnow()
        db.session.flush()
    return settings


def unpublish(event: Event) -> None:
    settings = settings_for(event)
    if settings is not None and settings.public_token is not None:
        settings.public_token = None
        settings.published_at = None
        db.session.flush()


def published_event(token: str) -> Event:
    """The event published under ``token``; ``NotFound`` once unpublished."""
    settings = None
    if isinstance(token, str) and 8 <= len(token) <= 64:
        settings = db.session.scalar(
            select(RestitutionSettings).where(RestitutionSettings.public_token == token)
        )
    if settings is None:
        raise NotFound(gettext("Cette restitution n'est pas (ou plus) publiée."))
    return settings.event
