"""Photos (issue 19.3): card photos from the phone, paperboards from the console, the images.

Type by content, metadata stripped (EXIF GPS), orientation applied, two sizes, idempotent
retries, authorisation, hiding, the size cap, the broadcast and the snapshot.
"""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from facilitation.domain import access, photos
from facilitation.domain.contributions import create_contribution
from facilitation.extensions import db
from facilitation.models import Participant, Photo
from facilitation.models.contribution import CardStatus
from tests.support.csrf import form_token


def jpeg(
    width: int = 2400, height: int = 1200, *, gps: bool = False, orientation: int = 0
) -> bytes:
    """A camera-like JPEG: left half red, right half blue; optional GPS and orientation."""
    image = Image.new("RGB", (width, height), (220, 30, 30))
    image.paste((30, 30, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (48.0, 53.0, 50.0), 3: "E", 4: (2.0, 5.0, 40.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


@pytest.fixture
def phone(app, make_atelier, joined_client):
    """A participant's browser in an atelier, with one card posted; returns a small bag."""
    atelier = make_atelier(title="Isolement")
    client = joined_client(atelier, display_name="Nadia")
    token = form_token(client, f"/e/{atelier.event.slug}/a/{atelier.id}")
    nadia = db.session.scalar(select(Participant).where(Participant.display_name == "Nadia"))
    card_cid = uuid.uuid4().hex
    card, _ = create_contribution(nadia, atelier, {"client_id": card_cid, "titre": "Colis"})
    db.session.commit()

    class Bag:
        pass

    bag = Bag()
    bag.atelier, bag.client, bag.token, bag.card, bag.card_cid = (
        atelier,
        client,
        token,
        card,
        card_cid,
    )
    bag.url = f"/e/{atelier.event.slug}/a/{atelier.id}/photos/carte"
    return bag


def upload(bag, raw: bytes, cid: str | None = None, filename: str = "photo.jpg"):
    return bag.client.post(
        bag.url,
        data={
            "client_id": cid or uuid.uuid4().hex,
            "card_client_id": bag.card_cid,
            "photo": (io.BytesIO(raw), filename),
        },
        headers={"X-CSRF-Token": bag.token, "Accept": "application/json"},
        content_type="multipart/form-data",
    )


def test_a_card_photo_is_stripped_turned_and_resized(phone):
    response = upload(phone, jpeg(gps=True, orientation=6))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["ok"] and not body["duplicate"]
    photo = db.session.get(Photo, body["photo"]["id"])
    assert photo.contribution_id == phone.card.id and photo.kind == "card"
    for data, side in ((photo.large, photos.LARGE_SIDE), (photo.small, photos.SMALL_SIDE)):
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG"
            # Orientation 6 (turned 90°): the 2400×1200 landscape is stored as a portrait.
            assert image.height == side and image.width == side // 2
            exif = image.getexif()
            assert not exif, dict(exif)  # no Make, no Model, no GPS
            assert 0x8825 not in exif and not image.info.get("exif")
            # Upright: the red half (the top after turning 90° clockwise) is at the top.
            top = image.getpixel((image.width // 2, 5))
            assert top[0] > 150 and top[2] < 100


def test_the_image_is_served_with_immutable_cache_to_the_atelier_only(
    phone, app, make_atelier, joined_client
):
    body = upload(phone, jpeg()).get_json()
    url = body["photo"]["small"]
    assert body["photo"]["large"].endswith("/large.jpg")
    got = phone.client.get(url)
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    assert "immutable" in got.headers["Cache-Control"]
    assert "private" in got.headers["Cache-Control"]
    # A stranger, and a participant of another atelier of the event: nothing.
    assert app.test_client().get(url).status_code == 404
    other = make_atelier(event=phone.atelier.event, title="Numérique")
    assert joined_client(other, display_name="Bob").get(url).status_code == 404
    # A wrong digest: nothing either.
    assert (
        phone.client.get(url.replace(body["photo"]["small"].split("/")[3], "0" * 32)).status_code
        == 404
    )
    # The projector's browser (it shows the cards) may.
    projector = app.test_client()
    projector.get(f"/e/{phone.atelier.event.slug}/a/{phone.atelier.id}/projecteur")
    assert projector.get(url).status_code == 200


def test_a_text_file_renamed_jpg_is_refused_in_french(phone):
    response = upload(phone, b"Ceci n'est pas une photo\n" * 50, filename="photo.jpg")
    assert response.status_code == 422
    body = response.get_json()
    assert "n’est pas une photo lisible" in body["message"]
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0


def test_a_retry_with_the_same_client_id_stores_one_photo(phone):
    cid = uuid.uuid4().hex
    first = upload(phone, jpeg(), cid)
    again = upload(phone, jpeg(), cid)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["duplicate"] is True
    assert again.get_json()["photo"]["id"] == first.get_json()["photo"]["id"]
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 1


def test_a_new_photo_replaces_the_cards_previous_one(phone):
    upload(phone, jpeg())
    second = upload(phone, jpeg(800, 600)).get_json()["photo"]
    stored = db.session.scalars(select(Photo)).all()
    assert [p.id for p in stored] == [second["id"]]


def test_the_upload_is_capped(phone, monkeypatch):
    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", 10_000)
    response = upload(phone, jpeg())
    assert response.status_code == 422
    assert "trop lourde" in response.get_json()["message"]
    # Beyond the request cap itself: 413, with a French JSON answer.
    big = upload(phone, b"\xff" * 13_000_000)
    assert big.status_code == 413


def test_without_the_csrf_token_nothing_is_stored(phone):
    response = phone.client.post(
        phone.url,
        data={
            "client_id": uuid.uuid4().hex,
            "card_client_id": phone.card_cid,
            "photo": (io.BytesIO(jpeg()), "p.jpg"),
        },
        headers={"Accept": "application/json"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0


def test_only_the_author_attaches_a_photo_to_a_card(phone, make_atelier, joined_client):
    bob = joined_client(phone.atelier, display_name="Bob")
    token = form_token(bob, f"/e/{phone.atelier.event.slug}/a/{phone.atelier.id}")
    response = bob.post(
        phone.url,
        data={
            "client_id": uuid.uuid4().hex,
            "card_client_id": phone.card_cid,
            "photo": (io.BytesIO(jpeg()), "p.jpg"),
        },
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0


def test_a_raw_body_upload_works_too(phone):
    response = phone.client.post(
        phone.url,
        data=jpeg(),
        headers={
            "X-CSRF-Token": phone.token,
            "X-Client-Id": uuid.uuid4().hex,
            "X-Card-Client-Id": phone.card_cid,
            "Content-Type": "image/jpeg",
            "Accept": "application/json",
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)


def _facilitator(app, atelier):
    _link, token = access.create_facilitator_link(atelier.event, atelier, "Samia")
    db.session.commit()
    client = app.test_client()
    client.get(f"/f/{token}")
    csrf = form_token(client, f"/animation/e/{atelier.event.slug}/a/{atelier.id}")
    return client, csrf


def test_paperboards_and_hiding_are_for_facilitators(phone, app, make_socket):
    atelier = phone.atelier
    client, csrf = _facilitator(app, atelier)
    base = f"/animation/e/{atelier.event.slug}/a/{atelier.id}/photos"
    room = make_socket(phone.client)
    room.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    room.get_received()
    response = client.post(
        base,
        data={"client_id": uuid.uuid4().hex, "photo": (io.BytesIO(jpeg(1000, 700)), "pb.png")},
        headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    board = response.get_json()["photo"]
    assert board["kind"] == "paperboard" and board["width"] == 1000
    added = [m for m in room.get_received() if m["name"] == "photo:added"]
    assert added and added[0]["args"][0]["photo"]["id"] == board["id"]
    # A participant may not add a paperboard nor hide a photo.
    refused = phone.client.post(
        base,
        data={"client_id": uuid.uuid4().hex, "photo": (io.BytesIO(jpeg()), "pb.jpg")},
        headers={"X-CSRF-Token": phone.token, "Accept": "application/json"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    hide_url = f"{base}/{board['id']}/masquer"
    assert (
        phone.client.post(
            hide_url, data={"hidden": "1"}, headers={"X-CSRF-Token": phone.token}
        ).status_code
        == 403
    )
    # The facilitator hides it: the room is told, phones and projectors no longer get it.
    hidden = client.post(hide_url, data={"hidden": "1"}, headers={"X-CSRF-Token": csrf})
    assert hidden.status_code == 200 and hidden.get_json()["photo"]["hidden"] is True
    removed = [m for m in room.get_received() if m["name"] == "photo:removed"]
    assert removed and removed[0]["args"][0]["id"] == board["id"]
    assert phone.client.get(board["small"]).status_code == 404
    assert client.get(board["small"]).status_code == 200  # the console still shows it
    room.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    snap = next(m for m in room.get_received() if m["name"] == "atelier:snapshot")["args"][0]
    assert snap["photos"]["paperboards"] == []
    # Shown again.
    client.post(hide_url, data={"hidden": "0"}, headers={"X-CSRF-Token": csrf})
    assert phone.client.get(board["small"]).status_code == 200


def test_the_join_snapshot_carries_the_card_photo(phone, make_socket):
    body = upload(phone, jpeg()).get_json()
    room = make_socket(phone.client)
    room.emit("atelier:join", {"atelier_id": phone.atelier.id}, callback=True)
    snap = next(m for m in room.get_received() if m["name"] == "atelier:snapshot")["args"][0]
    card = next(c for c in snap["contributions"] if c["id"] == phone.card.id)
    assert card["photo"]["small"] == body["photo"]["small"]
    assert snap["photos"]["cards"][str(phone.card.id)]["id"] == body["photo"]["id"]


def test_a_waiting_cards_photo_stays_with_its_author(phone, app, joined_client, make_socket):
    """Card approval (issue 20) beside photos: a card waiting for the facilitator is on no
    wall, so its photo is in no other phone's snapshot, no broadcast, and no one else's
    browser fetches it; its author still sees it."""
    phone.card.status = CardStatus.PENDING.value
    db.session.commit()
    bob = joined_client(phone.atelier, display_name="Bob")
    watcher = make_socket(bob)
    watcher.emit("atelier:join", {"atelier_id": phone.atelier.id}, callback=True)
    watcher.get_received()
    body = upload(phone, jpeg()).get_json()
    assert body["ok"], body
    url = body["photo"]["small"]
    assert [m["name"] for m in watcher.get_received() if m["name"] == "photo:added"] == []
    watcher.emit("atelier:join", {"atelier_id": phone.atelier.id}, callback=True)
    snap = next(m for m in watcher.get_received() if m["name"] == "atelier:snapshot")["args"][0]
    assert snap["photos"]["cards"] == {}
    assert bob.get(url).status_code == 404
    projector = app.test_client()
    projector.get(f"/e/{phone.atelier.event.slug}/a/{phone.atelier.id}/projecteur")
    assert projector.get(url).status_code == 404
    assert phone.client.get(url).status_code == 200


def test_a_png_with_transparency_and_a_webp_are_accepted(phone):
    for fmt in ("PNG", "WEBP"):
        image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
        out = io.BytesIO()
        image.save(out, format=fmt)
        assert upload(phone, out.getvalue()).status_code == 201


def test_forgetting_a_participant_deletes_their_photos_and_tells_the_room(phone, make_socket):
    from facilitation.domain import privacy

    body = upload(phone, jpeg()).get_json()
    nadia = db.session.get(Participant, phone.card.participant_id)
    assert privacy.my_data(nadia)["photos"][0]["url"] == body["photo"]["large"]
    mine = phone.client.get(f"/e/{phone.atelier.event.slug}/mes-donnees")
    assert body["photo"]["large"] in mine.get_data(as_text=True)
    room = make_socket()
    room.emit("atelier:join", {"atelier_id": phone.atelier.id}, callback=True)
    room.get_received()
    token = form_token(phone.client, f"/e/{phone.atelier.event.slug}/mes-donnees")
    response = phone.client.post(
        f"/e/{phone.atelier.event.slug}/mes-donnees/supprimer",
        data={"confirm": "1", "cards": "keep", "csrf_token": token},
    )
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0
    removed = [m for m in room.get_received() if m["name"] == "photo:removed"]
    assert removed and removed[0]["args"][0]["id"] == body["photo"]["id"]


def test_the_event_purge_deletes_every_photo(phone, app):
    from facilitation.domain import privacy

    upload(phone, jpeg())
    client, csrf = _facilitator(app, phone.atelier)
    client.post(
        f"/animation/e/{phone.atelier.event.slug}/a/{phone.atelier.id}/photos",
        data={"client_id": uuid.uuid4().hex, "photo": (io.BytesIO(jpeg(900, 600)), "pb.jpg")},
        headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
        content_type="multipart/form-data",
    )
    event = phone.atelier.event
    assert privacy.plan_purge(event).counts["photos"] == 2
    privacy.purge_event(event)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0
    assert privacy.plan_purge(event).counts["photos"] == 0


def test_the_restitution_page_and_slides_show_the_photos(phone, app):
    from tests.support.roles import organizer_client

    card = upload(phone, jpeg()).get_json()["photo"]
    client, csrf = _facilitator(app, phone.atelier)
    board = client.post(
        f"/animation/e/{phone.atelier.event.slug}/a/{phone.atelier.id}/photos",
        data={"client_id": uuid.uuid4().hex, "photo": (io.BytesIO(jpeg(900, 600)), "pb.jpg")},
        headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
        content_type="multipart/form-data",
    ).get_json()["photo"]
    organizer = organizer_client(app, phone.atelier.event)
    base = f"/organisateur/e/{phone.atelier.event.slug}/restitution"
    page = organizer.get(base).get_data(as_text=True)
    assert card["small"] in page and board["small"] in page
    slides = organizer.get(f"{base}/presentation").get_data(as_text=True)
    # The plenary's slides (public audience): the paperboards, not the phones' photos.
    assert 'class="slide slide--paperboards"' in slides and board["large"] in slides
    assert card["small"] not in slides and card["large"] not in slides
    assert organizer.get(board["large"]).status_code == 200


def test_photo_uploads_are_rate_limited_per_participant(app_config, _migrated, make_atelier):
    from facilitation import create_app

    atelier = make_atelier()
    limited = create_app(
        app_config | {"RATELIMIT_ENABLED": True, "RATELIMIT_PHOTO": "2 per minute"}
    )
    client = limited.test_client()
    join = f"/e/{atelier.event.slug}/rejoindre"
    client.post(
        join,
        data={
            "csrf_token": form_token(client, join),
            "display_name": "Limitée",
            "structure": "CCAS",
            "atelier_id": str(atelier.id),
            "consent": "on",
        },
    )
    person = db.session.scalar(select(Participant).where(Participant.display_name == "Limitée"))
    card_cid = uuid.uuid4().hex
    create_contribution(person, atelier, {"client_id": card_cid, "titre": "Limite"})
    db.session.commit()
    token = form_token(client, f"/e/{atelier.event.slug}/a/{atelier.id}")

    def send():
        return client.post(
            f"/e/{atelier.event.slug}/a/{atelier.id}/photos/carte",
            data={
                "client_id": uuid.uuid4().hex,
                "card_client_id": card_cid,
                "photo": (io.BytesIO(jpeg(400, 300)), "p.jpg"),
            },
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
            content_type="multipart/form-data",
        )

    statuses = [send().status_code for _ in range(2)]
    refused = send()
    assert statuses == [201, 201]
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
