"""Photos over HTTP (issue 19.3): uploads (a card's photo from the phone, paperboards from the
console), the facilitator's hide / show, and the images themselves.

Uploads are plain HTTP POSTs, not Socket.IO events: a photo is far bigger than a socket
message, and ``XMLHttpRequest`` shows the phone its upload progress. The body is either a
``multipart/form-data`` form (field ``photo``; ``client_id``, ``card_client_id`` and
``csrf_token`` beside it) or the raw image with ``X-Client-Id``, ``X-Card-Client-Id`` and
``X-CSRF-Token`` headers. The same ``client_id`` twice answers the stored photo (200).

Images: ``/photos/<id>/<digest>/<size>.jpg``, immutable (the digest is the content's), for
who may see them (``domain.photos.may_view``): otherwise 404, the same as a wrong digest.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, session, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from facilitation.domain import photos
from facilitation.domain.errors import DomainError
from facilitation.domain.events import get_atelier, get_event
from facilitation.edge.identity import actor_for
from facilitation.edge.ratelimit import limit_photo
from facilitation.extensions import db
from facilitation.models import Atelier, Event, Photo
from facilitation.push import photos as push
from facilitation.web.csrf import body_limit

bp = Blueprint("photos", __name__)

#: Session key: the ateliers whose projector this browser opened (it shows their photos).
VIEWER_KEY = "photo_ateliers"
#: The form around the file (multipart boundaries, the other fields).
_ENVELOPE = 64 * 1024
#: Only the upload routes take a photo-sized body; everything else keeps the 1 MB cap.
PHOTO_BODY = photos.MAX_UPLOAD_BYTES + _ENVELOPE
_photo_body = body_limit(PHOTO_BODY)


def allow_projector(atelier_id: int) -> None:
    """The projector page of ``atelier_id`` was opened here: its photos may be shown."""
    seen = [a for a in session.get(VIEWER_KEY, []) if isinstance(a, int) and a != atelier_id]
    session[VIEWER_KEY] = [*seen[-19:], atelier_id]


def attach_form_photo(event: Event, atelier: Atelier, card_client_id: str) -> None:
    """The photo of a card form posted without JavaScript, after its card was committed: a
    photo refused leaves the card as it is (flashed message)."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return
    try:
        photo, version = photos.attach_card_photo(
            actor_for(event.id),
            atelier,
            card_client_id,
            uuid.uuid4().hex,
            upload.read(photos.MAX_UPLOAD_BYTES + 1),
        )
    except DomainError as exc:
        db.session.rollback()
        flash(
            gettext("La photo n’a pas été ajoutée (la carte est publiée) : %(m)s", m=exc.message),
            "error",
        )
        return
    _answer(photo, version, atelier)


def _upload() -> tuple[bytes, dict[str, str]]:
    """The image bytes and the ids, from a multipart form or a raw body."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("photo")
        raw = upload.read(photos.MAX_UPLOAD_BYTES + 1) if upload else b""
        fields = {k: request.form.get(k, "") for k in ("client_id", "card_client_id")}
    else:
        raw = request.get_data(cache=False)
        fields = {
            "client_id": request.headers.get("X-Client-Id", ""),
            "card_client_id": request.headers.get("X-Card-Client-Id", ""),
        }
    return raw, fields


def _answer(photo: Photo, version: int | None, atelier: Atelier) -> tuple[dict[str, Any], int]:
    data = photos.photo_dict(photo)
    db.session.commit()
    if version is not None:
        push.photo_changed(atelier.id, version, data)
    return {"ok": True, "photo": data, "duplicate": version is None}, (
        201 if version is not None else 200
    )


def _refused(exc: DomainError) -> tuple[dict[str, Any], int]:
    db.session.rollback()
    return exc.as_dict(), exc.http_status


def _wants_page() -> bool:
    """A console form posted without JavaScript: answer with the console, not JSON."""
    return request.mimetype == "multipart/form-data" and request.form.get("no_js") == "1"


@bp.post("/e/<slug>/a/<int:atelier_id>/photos/carte")
@_photo_body
@limit_photo
def card_photo(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    """The participant's photo on their own card (found by the card's client id)."""
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    try:
        raw, fields = _upload()
        photo, version = photos.attach_card_photo(
            actor_for(event.id), atelier, fields["card_client_id"], fields["client_id"], raw
        )
    except DomainError as exc:
        return _refused(exc)
    return _answer(photo, version, atelier)


@bp.post("/animation/e/<slug>/a/<int:atelier_id>/photos")
@_photo_body
@limit_photo
def paperboard(slug: str, atelier_id: int):  # type: ignore[no-untyped-def]
    """A facilitator's photo of the atelier's paperboard."""
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    try:
        raw, fields = _upload()
        photo, version = photos.add_paperboard(
            actor_for(event.id), atelier, fields["client_id"], raw
        )
    except DomainError as exc:
        if _wants_page():
            raise
        return _refused(exc)
    body, status = _answer(photo, version, atelier)
    if _wants_page():
        return redirect(url_for("facilitation.console", slug=slug, atelier_id=atelier.id), 303)
    return body, status


@bp.post("/animation/e/<slug>/a/<int:atelier_id>/photos/<int:photo_id>/masquer")
def hide(slug: str, atelier_id: int, photo_id: int):  # type: ignore[no-untyped-def]
    """Hide (``hidden=1``) or show again (``hidden=0``) a photo: facilitators only."""
    event = get_event(slug)
    atelier = get_atelier(event, atelier_id)
    hidden = (request.form.get("hidden") or request.args.get("hidden") or "1") != "0"
    try:
        photo, version = photos.set_hidden(actor_for(event.id), atelier, photo_id, hidden)
    except DomainError as exc:
        if request.form.get("no_js") == "1":
            raise
        return _refused(exc)
    body, status = _answer(photo, version, atelier)
    if request.form.get("no_js") == "1":
        return redirect(url_for("facilitation.console", slug=slug, atelier_id=atelier.id), 303)
    return body, 200 if status == 201 else status


@bp.get("/photos/<int:photo_id>/<digest>/<size>.jpg")
def image(photo_id: int, digest: str, size: str) -> BaseResponse:
    """The image, for who may see it; cached for a year (the URL changes with the content)."""
    if size not in ("small", "large"):
        abort(404)
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.digest != digest:
        abort(404)
    atelier = db.session.get(Atelier, photo.atelier_id)
    if atelier is None:
        abort(404)
    viewer = session.get(VIEWER_KEY, [])
    if not photos.may_view(actor_for(atelier.event_id), atelier, photo, viewer):
        # 404 rather than 403: a stranger learns nothing about which photo ids exist.
        abort(404)
    data = photo.small if size == "small" else photo.large
    response = Response(data, mimetype="image/jpeg")
    # Private: the photo is behind the session cookie, no shared cache may keep it.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = f'inline; filename="photo-{photo.id}-{size}.jpg"'
    return response
