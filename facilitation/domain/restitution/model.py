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

import base64
import enum
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from facilitation.domain import (
    chantiers,
    moderation,
    photos,
    plenary,
    reactions,
    retention,
    voting,
    wordcloud,
)
from facilitation.domain.access import Actor
from facilitation.domain.actors import actors_map
from facilitation.domain.errors import Forbidden, NotFound
from facilitation.domain.events import sequence_dict
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    AtelierSynthesis,
    Contribution,
    Engagement,
    Event,
    EventLogo,
    Participant,
)
from facilitation.models.base import utcnow
from facilitation.models.contribution import ContributionKind
from facilitation.models.photo import Photo
from facilitation.models.vote import Dot, VoterBudget

SCHEMA_ID = "https://facilitation.invalid/schemas/restitution.schema.json"
#: 2: merged cards inside the card they joined (``merged``), the event's branding.
#: 3: each atelier's « en un mot » word clouds (``clouds``), hidden words left out.
SCHEMA_VERSION = 3
#: How many chantiers / pratiques a restitution puts forward per atelier.
TOP_CHANTIERS = 5
TOP_PRATIQUES = 5


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
    # A chantier: its own fields first, then the pratique-style ones only where the chantier
    # has nothing in their place (a description without constat nor objectif, a public without
    # publics visés, a commune without communes concernées, a structure that is not the
    # porteur's), so that every text is shown once.
    has = {f["key"]: _normalise(f["value"]).casefold() for f in extra}
    replaced_by = {
        "description": ("constat", "objectif"),
        "public_concerne": ("publics",),
        "commune": ("communes",),
        "structure": (),
    }
    return extra + [
        f
        for f in base
        if not any(has.get(k) for k in replaced_by[f["key"]])
        and _normalise(f["value"]).casefold() not in has.values()
    ]


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


def _clouds(event: Event) -> dict[int, list[dict[str, Any]]]:
    """Per atelier, its « en un mot » clouds, oldest first, each with its ranked words
    (hidden words left out: the facilitator took them off every screen and export)."""
    ids = [a.id for s in event.sequences for a in s.ateliers]
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for cloud in wordcloud.clouds_of(ids):
        tally = wordcloud.tally(cloud)
        words = tally["words"]
        rank, previous = 0, None
        counts = Counter(w["count"] for w in words)
        for index, word in enumerate(words, start=1):
            if word["count"] != previous:
                rank, previous = index, word["count"]
            word["rank"] = rank
            word["tied"] = counts[word["count"]] > 1
        out[cloud.atelier_id].append(
            {
                "id": cloud.id,
                "question": cloud.question,
                "max_words": cloud.max_words,
                "status": "ouvert" if cloud.is_open else "clos",
                "opened_at": cloud.opened_at.isoformat(),
                "closed_at": cloud.closed_at.isoformat() if cloud.closed_at else None,
                "phones": tally["phones"],
                "words": words,
            }
        )
    return out


def _own(
    card: Contribution, fields: dict[int, list[dict[str, str]]], audience: Audience
) -> dict[str, Any]:
    """What a card says and who said it: shared by ranked cards and the duplicates merged
    into them, which keep their own text and author in the report.

    A card posted in an anonymous round says nothing of who wrote it, in any export and on
    the restitution page and slides (all made from this read model): no author, no
    structure, no commune, for every audience."""
    if card.anonymous:
        return {
            "id": card.id,
            "kind": card.kind,
            "titre": card.titre,
            "description": card.description or "",
            "structure": "",
            "commune": "",
            "public_concerne": card.public_concerne or "",
            "author": None,
            "author_structure": "",
            "anonymous": True,
            "created_at": card.created_at.isoformat(),
            "fields": [
                f
                for f in _fields(card, fields.get(card.id, []))
                if f["key"] not in ANONYMISED_FIELDS
            ],
        }
    author = card.author
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
        "anonymous": False,
        "created_at": card.created_at.isoformat(),
        "fields": _fields(card, fields.get(card.id, [])),
    }


#: What could name the author of an anonymous card.
ANONYMISED_FIELDS = ("structure", "commune")


def _card(
    card: Contribution,
    dots: dict[int, int],
    fields: dict[int, list[dict[str, str]]],
    engagements: dict[int, list[dict[str, Any]]],
    audience: Audience,
    merged: list[Contribution],
    reacted: dict[int, dict[str, int]] | None = None,
) -> dict[str, Any]:
    commitments = engagements.get(card.id, [])
    return {
        **_own(card, fields, audience),
        "dots": dots.get(card.id, 0),
        # « Moi aussi » (issue 19.2): distinct structures that do it too / are interested.
        "reactions": (reacted or {}).get(card.id, reactions.empty_counts()),
        "rank": 0,
        "tied": False,
        "engagement_count": len(commitments),
        "engagements": commitments if audience is Audience.ORGANIZER else [],
        "merged": [_own(m, fields, audience) for m in merged],
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
    # Duplicates merged into a shown card: a participant's words are never lost on the way
    # from the room to the report (withdrawn ones stay out, as on screen).
    merged = moderation.merged_cards([c.id for c in cards])
    dots, voters = _votes(event, audience)
    fields, engagements = _chantier_fields(
        cards + [m for group in merged.values() for m in group], audience
    )
    reacted = reactions.structure_counts([c.id for c in cards])
    purged = retention.kept_figures(event)
    # After the purge the reactions are gone: their counts were frozen with the figures.
    for key, counts in purged.get("card_reactions", {}).items():
        reacted[int(key)] = {**reactions.empty_counts(), **counts}
    kept_people: dict[str, int] = purged.get("atelier_participants", {})

    # Card photos (issue 19.3): visible ones, for the organizers' audience only (a phone's
    # photo may show a face or a name: the public audience stays anonymous).
    with_photos = audience is Audience.ORGANIZER
    card_photos = photos.card_photos([c.id for c in cards]) if with_photos else {}
    by_atelier: dict[int, list[dict[str, Any]]] = defaultdict(list)
    people: dict[int, set[int]] = defaultdict(set)
    for card in cards:
        data = _card(card, dots, fields, engagements, audience, merged.get(card.id, []), reacted)
        found = card_photos.get(card.id)
        data["photo"] = photo_ref(found) if found is not None else None
        by_atelier[card.atelier_id].append(data)
        if card.participant_id is not None:
            people[card.atelier_id].add(card.participant_id)
    for atelier_key, ids in voters.items():
        people[atelier_key].update(ids)
    for participant in participants:
        if participant.current_atelier_id is not None:
            people[participant.current_atelier_id].add(participant.id)

    clouds = _clouds(event)
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
                    # The atelier's collective work, taken by its facilitator: both
                    # audiences (the plenary's slides are the public one).
                    "paperboards": [photo_ref(p) for p in photos.paperboards(atelier)],
                    "clouds": clouds.get(atelier.id, []),
                }
            )
        if ateliers:
            sequences.append(sequence_dict(event, sequence, ateliers=ateliers))

    kept = [c for s in sequences for a in s["ateliers"] for c in a["contributions"]]
    structures = _tally(p.structure for p in participants)
    communes = _tally(p.commune for p in participants)
    structures_count, communes_count = len(structures), len(communes)
    if purged:
        # After the purge (domain.privacy), names are gone: the figures frozen just before.
        # Their lists keep only the names shared by several people (privacy.places), their
        # counts every structure and commune there was.
        structures = purged.get("structures_list", structures)
        communes = purged.get("communes_list", communes)
        structures_count = purged.get("structures_count", len(structures))
        communes_count = purged.get("communes_count", len(communes))
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
            "brand_name": event.brand_name or "",
            "brand_color": event.brand_color or "",
            "logo": _logo(event),
            "timezone": event.timezone,
            "status": event.status,
        },
        "programme": programme,
        "figures": {
            "participants": len(participants),
            "structures": structures_count,
            "communes": communes_count,
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


def photo_ref(photo: Photo) -> dict[str, Any]:
    """A photo in the read model: where to fetch it and its size, never its bytes."""
    return {
        "id": photo.id,
        "url": photos.photo_path(photo, "large"),
        "small_url": photos.photo_path(photo, "small"),
        "width": photo.width,
        "height": photo.height,
        "size_bytes": photo.size_bytes,
    }


def _logo(event: Event) -> str | None:
    """The event's logo as a ``data:`` URI (PNG or JPEG, small since the upload shrinks it),
    so the JSON and every document are made from the read model alone."""
    logo = db.session.get(EventLogo, event.id) if event.logo_digest else None
    if logo is None or not logo.data:
        return None
    return f"data:{logo.content_type};base64,{base64.b64encode(logo.data).decode('ascii')}"


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
