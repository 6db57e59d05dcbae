"""Photos: a participant's card photo and the facilitator's paperboards (issue 19.3).

Every upload is decoded by Pillow (the type is what the bytes are, never the file name),
turned upright by its EXIF orientation, then re-encoded from bare pixels into two JPEGs
(``SMALL_SIDE`` and ``LARGE_SIDE`` pixels at most): nothing of the original file survives, no
EXIF, no GPS location, no camera serial. The bytes live in the ``photo`` table.

Writes are idempotent by the uploading page's ``client_id`` (a retry on a weak network returns
the photo already stored). Hidden photos leave every screen and export; only the atelier's
facilitators still see them (to show them again).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import delete, select

from facilitation.domain.access import Actor, require_facilitator, require_participant_in
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import Closed, DomainError, NotFound, ValidationError
from facilitation.domain.moderation import own_card
from facilitation.domain.once import add_once
from facilitation.domain.validation import as_id, client_id
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Photo

#: The biggest upload accepted (a phone's full-size photo is 3–8 MB; the page sends less).
MAX_UPLOAD_BYTES = 12_000_000
#: More pixels than this is refused before decoding (a « decompression bomb »).
MAX_PIXELS = 60_000_000
SMALL_SIDE = 480
LARGE_SIDE = 1600
JPEG_QUALITY = 85
#: What Pillow may decode here: phone cameras give JPEG (MPO: a JPEG with a depth map),
#: HEIF/AVIF (when this Pillow reads them), screenshots PNG, browsers WebP.
ACCEPTED = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF", "AVIF"})
#: The paperboards of one atelier: enough for a day, not a photo album.
MAX_PAPERBOARDS = 30


#: Read only on a refusal: the demo loads photos outside any request (no language to pick).
UNREADABLE = lazy_gettext(
    "Ce fichier n’est pas une photo lisible : envoyez une image JPEG, PNG ou WebP."
)


class PhotoRefused(ValidationError):
    code = "invalid"


@dataclass(frozen=True)
class Processed:
    """Two clean JPEGs made from an upload."""

    small: bytes
    large: bytes
    width: int
    height: int
    small_width: int
    small_height: int
    digest: str


def _refuse(message: str) -> PhotoRefused:
    return PhotoRefused(message, {"photo": message})


def _jpeg(image: Any, side: int) -> tuple[bytes, int, int]:
    from PIL import Image

    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), copy.width, copy.height


def process_image(raw: bytes) -> Processed:
    """Check, turn upright, strip and resize an uploaded image; else a French refusal."""
    from PIL import Image, ImageOps

    if not raw:
        raise _refuse(gettext("Le fichier de la photo est vide."))
    if len(raw) > MAX_UPLOAD_BYTES:
        raise _refuse(
            gettext(
                "Photo trop lourde : %(max)s Mo au plus (ce fichier fait %(size)s Mo).",
                max=MAX_UPLOAD_BYTES // 1_000_000,
                size=round(len(raw) / 1_000_000, 1),
            )
        )
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if (image.format or "") not in ACCEPTED:
                raise _refuse(str(UNREADABLE))
            if image.width * image.height > MAX_PIXELS:
                raise _refuse(gettext("Photo trop grande (trop de pixels) : réduisez-la."))
            # JPEG: decode at a reduced scale straight away (2 cores shared by everyone).
            image.draft("RGB", (LARGE_SIDE * 2, LARGE_SIDE * 2))
            upright = ImageOps.exif_transpose(image)
            upright.load()
    except PhotoRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on a bad file
        raise _refuse(str(UNREADABLE)) from exc
    # Bare pixels in a new image: no EXIF, XMP, ICC or comment can come along.
    if upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        pixels = Image.new("RGB", rgba.size, (255, 255, 255))
        pixels.paste(rgba, mask=rgba.getchannel("A"))
    else:
        converted = upright.convert("RGB")
        pixels = Image.new("RGB", converted.size)
        pixels.paste(converted)
    large, width, height = _jpeg(pixels, LARGE_SIDE)
    small, small_width, small_height = _jpeg(pixels, SMALL_SIDE)
    return Processed(
        small=small,
        large=large,
        width=width,
        height=height,
        small_width=small_width,
        small_height=small_height,
        digest=hashlib.sha256(large).hexdigest()[:32],
    )


def _by_client_id(atelier_id: int, cid: str) -> Photo | None:
    return db.session.scalar(
        select(Photo).where(Photo.atelier_id == atelier_id, Photo.client_id == cid)
    )


def _store(photo: Photo, processed: Processed) -> tuple[Photo, bool]:
    photo.digest = processed.digest
    photo.width, photo.height = processed.width, processed.height
    photo.small_width, photo.small_height = processed.small_width, processed.small_height
    photo.small, photo.large = processed.small, processed.large
    photo.size_bytes = len(processed.large)
    atelier_id, cid = photo.atelier_id, photo.client_id
    return add_once(photo, lambda: _by_client_id(atelier_id, cid))


def attach_card_photo(
    actor: Actor, atelier: Atelier, card_client_id: Any, raw_client_id: Any, raw: bytes
) -> tuple[Photo, int | None]:
    """The author's photo on their own card (found by the card's client id); a new photo
    replaces the card's previous one. ``(photo, version)``: ``version`` is ``None`` when this
    ``client_id`` was already stored (a retry: nothing changed)."""
    cid = client_id(raw_client_id)
    participant = require_participant_in(actor, atelier)
    existing = _by_client_id(atelier.id, cid)
    if existing is not None:
        if existing.participant_id != participant.id:
            raise NotFound(gettext("Cette photo n’existe pas."))
        return existing, None
    if not atelier.event.is_open:
        raise Closed()
    card = own_card(actor, atelier, {"client_id": card_client_id})
    if card.withdrawn_at is not None or card.merged_into_id is not None:
        raise DomainError(
            gettext("Cette carte n’est plus affichée : la photo n’a pas été ajoutée.")
        )
    processed = process_image(raw)
    # One photo per card: the new one replaces the old (a retaken picture).
    db.session.execute(delete(Photo).where(Photo.contribution_id == card.id))
    photo, created = _store(
        Photo(
            atelier_id=atelier.id,
            kind="card",
            contribution_id=card.id,
            participant_id=participant.id,
            client_id=cid,
        ),
        processed,
    )
    # A card waiting for approval is on no wall: its photo reaches the room with the card
    # (the snapshot after acceptance), not now.
    return photo, (bump_version(atelier.id) if created and card.visible else None)


def add_paperboard(
    actor: Actor, atelier: Atelier, raw_client_id: Any, raw: bytes
) -> tuple[Photo, int | None]:
    """A facilitator's photo of the atelier's paperboard; idempotent like a card photo."""
    cid = client_id(raw_client_id)
    require_facilitator(actor, atelier)
    existing = _by_client_id(atelier.id, cid)
    if existing is not None:
        return existing, None
    count = len(paperboards(atelier, include_hidden=True))
    if count >= MAX_PAPERBOARDS:
        raise _refuse(
            gettext("%(max)s photos de paperboard au plus par atelier.", max=MAX_PAPERBOARDS)
        )
    processed = process_image(raw)
    photo, created = _store(
        Photo(atelier_id=atelier.id, kind="paperboard", client_id=cid), processed
    )
    return photo, (bump_version(atelier.id) if created else None)


def get_photo(atelier: Atelier, raw_id: Any) -> Photo:
    photo_id = as_id(raw_id)
    photo = db.session.get(Photo, photo_id) if photo_id is not None else None
    if photo is None or photo.atelier_id != atelier.id:
        raise NotFound(gettext("Cette photo n’existe pas."))
    return photo


def set_hidden(
    actor: Actor, atelier: Atelier, raw_id: Any, hidden: bool
) -> tuple[Photo, int | None]:
    """The facilitator hides a photo (or shows it again): a set, safe to repeat."""
    require_facilitator(actor, atelier)
    photo = get_photo(atelier, raw_id)
    if photo.hidden == bool(hidden):
        return photo, None
    photo.hidden = bool(hidden)
    db.session.flush()
    return photo, bump_version(atelier.id)


def may_view(actor: Actor, atelier: Atelier, photo: Photo, viewer_ateliers: Iterable[int]) -> bool:
    """Facilitators of the atelier (organizers too); otherwise a visible photo, for a
    participant in this atelier, its author, or a browser that opened this atelier's projector
    (``viewer_ateliers``, kept in its session: it already shows the cards' text)."""
    if actor.facilitates(atelier):
        return True
    if photo.hidden:
        return False
    participant = actor.participant
    if photo.kind == "card" and not _card_shown(photo):
        # A card waiting for approval, declined or withdrawn: its author's photo only.
        return participant is not None and photo.participant_id == participant.id
    in_event = participant is not None and participant.event_id == atelier.event_id
    if (
        in_event
        and participant is not None
        and atelier.id
        in (
            participant.current_atelier_id,
            -1 if photo.participant_id != participant.id else atelier.id,
        )
    ):
        return True
    return atelier.id in set(viewer_ateliers)


def _card_shown(photo: Photo) -> bool:
    card = db.session.get(Contribution, photo.contribution_id) if photo.contribution_id else None
    return card is not None and bool(card.visible)


def photo_path(photo: Photo, size: str) -> str:
    """The photo's URL path; immutable (its content hash is in it): cached for a year."""
    return f"/photos/{photo.id}/{photo.digest}/{size}.jpg"


def photo_dict(photo: Photo) -> dict[str, Any]:
    return {
        "id": photo.id,
        "kind": photo.kind,
        "card_id": photo.contribution_id,
        "hidden": photo.hidden,
        "small": photo_path(photo, "small"),
        "large": photo_path(photo, "large"),
        "width": photo.width,
        "height": photo.height,
        "small_width": photo.small_width,
        "small_height": photo.small_height,
        "size_bytes": photo.size_bytes,
    }


#: A paperboard, or the photo of a card shown on the wall (not waiting, declined, withdrawn,
#: merged or hidden): what phones and projectors may list.
_on_shown_card = Photo.contribution_id.is_(None) | Photo.contribution_id.in_(
    select(Contribution.id).where(Contribution.visible)
)


def card_photos(card_ids: Iterable[int], *, include_hidden: bool = False) -> dict[int, Photo]:
    """Card id → its photo (visible ones only unless ``include_hidden``)."""
    ids = list(card_ids)
    if not ids:
        return {}
    query = select(Photo).where(Photo.contribution_id.in_(ids))
    if not include_hidden:
        query = query.where(Photo.hidden.is_(False), _on_shown_card)
    return {p.contribution_id: p for p in db.session.scalars(query) if p.contribution_id}


def with_photos(
    card_dicts: list[dict[str, Any]], *, include_hidden: bool = False
) -> list[dict[str, Any]]:
    """``snapshot.contribution_dict`` cards with their ``photo`` (a server-rendered wall)."""
    found = card_photos([c["id"] for c in card_dicts], include_hidden=include_hidden)
    for card in card_dicts:
        photo = found.get(card["id"])
        card["photo"] = photo_dict(photo) if photo is not None else None
    return card_dicts


def paperboards(atelier: Atelier, *, include_hidden: bool = False) -> list[Photo]:
    query = select(Photo).where(Photo.atelier_id == atelier.id, Photo.kind == "paperboard")
    if not include_hidden:
        query = query.where(Photo.hidden.is_(False))
    return list(db.session.scalars(query.order_by(Photo.created_at, Photo.id)))


def atelier_photos(atelier: Atelier, *, include_hidden: bool = False) -> dict[str, Any]:
    """The snapshot's ``photos``: card photos by card id, and the paperboards in order."""
    query = select(Photo).where(Photo.atelier_id == atelier.id)
    if not include_hidden:
        query = query.where(Photo.hidden.is_(False), _on_shown_card)
    rows = list(db.session.scalars(query.order_by(Photo.created_at, Photo.id)))
    return {
        "cards": {str(p.contribution_id): photo_dict(p) for p in rows if p.kind == "card"},
        "paperboards": [photo_dict(p) for p in rows if p.kind == "paperboard"],
    }


def delete_participant_photos(participant_ids: Iterable[int]) -> int:
    """Delete the photos these participants sent (« Mes données », the purge)."""
    ids = list(participant_ids)
    if not ids:
        return 0
    result = db.session.execute(delete(Photo).where(Photo.participant_id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_card_photos(card_ids: Iterable[int]) -> int:
    ids = list(card_ids)
    if not ids:
        return 0
    result = db.session.execute(delete(Photo).where(Photo.contribution_id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def large_bytes(photo_id: int) -> bytes | None:
    """The large JPEG of a visible photo (the exports embed it), else ``None``."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.hidden:
        return None
    return photo.large
