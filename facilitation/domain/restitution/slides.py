"""The plenary around the read model: syntheses, slide order, the published page."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from facilitation.domain.access import Actor
from facilitation.domain.errors import Forbidden, NotFound, ValidationError
from facilitation.domain.restitution.model import ateliers
from facilitation.domain.validation import N_
from facilitation.extensions import db
from facilitation.models import Atelier, AtelierSynthesis, Event, RestitutionSettings
from facilitation.models.base import utcnow

SYNTHESIS_MAX_LENGTH = 3000


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
    kind: str  # title | figures | atelier | nuage | chantiers | synthese | perspectives
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
        # « En un mot »: the atelier's latest cloud that has words, as a picture.
        if any(c["words"] for c in atelier.get("clouds", [])):
            slides.append(
                Slide(
                    f"nuage-{atelier['id']}",
                    "nuage",
                    N_("En un mot — %(title)s") % {"title": atelier["title"]},
                    False,
                    atelier["id"],
                )
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
        if atelier.get("paperboards"):
            slides.append(
                Slide(
                    f"paperboards-{atelier['id']}",
                    "paperboards",
                    N_("Paperboards — %(title)s") % {"title": atelier["title"]},
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
