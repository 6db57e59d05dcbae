"""The organizer's set-up pages: who may open them, CSRF, forms kept on errors, and the
event's branding on participant pages and projectors."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import uuid

import pytest
from PIL import Image

from facilitation.extensions import db
from facilitation.models import Contribution, Event
from tests.support.csrf import form_token, token_from
from tests.support.roles import organizer_client


def pages(event: Event) -> list[tuple[str, str]]:
    """(method, path) of every set-up route of ``event``."""
    sequence = next(s for s in event.sequences if s.kind == "ateliers_pratiques")
    base = f"/organisateur/e/{event.slug}"
    atelier_id = sequence.ateliers[0].id if sequence.ateliers else 1
    return [
        ("GET", f"{base}/reglages"),
        ("POST", f"{base}/reglages"),
        ("GET", f"{base}/programme"),
        ("POST", f"{base}/programme/sequences"),
        ("GET", f"{base}/programme/sequences/{sequence.id}"),
        ("POST", f"{base}/programme/sequences/{sequence.id}"),
        ("POST", f"{base}/programme/sequences/{sequence.id}/deplacer"),
        ("POST", f"{base}/programme/sequences/{sequence.id}/supprimer"),
        ("GET", f"{base}/programme/sequences/{sequence.id}/ateliers/nouveau"),
        ("POST", f"{base}/programme/sequences/{sequence.id}/ateliers/nouveau"),
        ("GET", f"{base}/programme/ateliers/{atelier_id}"),
        ("POST", f"{base}/programme/ateliers/{atelier_id}"),
        ("POST", f"{base}/programme/ateliers/{atelier_id}/supprimer"),
        ("GET", f"{base}/dupliquer"),
        ("POST", f"{base}/dupliquer"),
        ("GET", f"{base}/import/participants"),
        ("POST", f"{base}/import/participants"),
    ]


def snapshot(event: Event) -> tuple:
    db.session.expire_all()
    return (
        event.title,
        event.join_code,
        [(s.id, s.position, s.title) for s in event.sequences],
        [(a.id, a.title) for s in event.sequences for a in s.ateliers],
    )


def png(mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (64, 64), (120, 20, 80)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_nobody_logged_in_goes_to_the_login_page(app, make_atelier):
    atelier = make_atelier()
    event = atelier.event
    before = snapshot(event)
    client = app.test_client()
    for method, path in pages(event) + [("GET", "/organisateur/nouvel-evenement")]:
        response = client.open(path, method=method, data={"csrf_token": "x"})
        if method == "GET":
            assert response.status_code == 302, path
            assert "/organisateur/connexion?suivant=" in response.location, path
        else:  # no CSRF token in this browser's session: refused before anything else
            assert response.status_code in (302, 400), path
    assert snapshot(event) == before


def test_another_organizer_is_refused_everywhere(app, make_atelier, make_event):
    atelier = make_atelier()
    event = atelier.event
    stranger = organizer_client(app, make_event(), email="autre@example.org")
    token = form_token(stranger, "/organisateur/nouvel-evenement")
    before = snapshot(event)
    for method, path in pages(event):
        response = stranger.open(
            path,
            method=method,
            data={"csrf_token": token, "confirmer": "1", "sens": "bas", "title": "Piratée"},
        )
        assert response.status_code == 403, (method, path)
        assert "quipe organisatrice de l" in response.get_data(as_text=True)
    assert snapshot(event) == before


def test_a_post_without_the_csrf_token_changes_nothing(app, make_event):
    event = make_event()
    client = organizer_client(app, event)
    before = snapshot(event)
    response = client.post(
        f"/organisateur/e/{event.slug}/programme/sequences",
        data={"kind": "pause", "starts_at": "12:00"},
    )
    assert response.status_code == 400
    assert snapshot(event) == before


def test_creating_an_event_keeps_the_form_on_errors_then_succeeds(app, make_event):
    make_event(join_code="PRIS1")
    client = organizer_client(app, make_event())
    url = "/organisateur/nouvel-evenement"
    token = form_token(client, url)
    data = {
        "csrf_token": token,
        "title": "Rencontres <b>2026</b>",
        "date": "2026-06-24",
        "venue": "Théâtre",
        "join_code": "pris1",
        "timezone": "Mars/Olympus",
        "communes": "Chatou\nLe Pecq",
        "brand_color": "#fff",
        "status": "ouvert",
    }
    refused = client.post(url, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Rencontres &lt;b&gt;2026&lt;/b&gt;" in html and "<b>2026" not in html
    assert 'value="pris1"' in html and "Chatou\nLe Pecq</textarea>" in html
    assert "déjà utilisé par un autre événement" in html
    assert "Fuseau horaire inconnu" in html and "Couleur trop claire" in html
    assert re.search(r'id="join_code"[^>]*aria-describedby="join_code-hint join_code-error"', html)
    assert 'id="join_code-error"' in html and 'aria-invalid="true"' in html
    data |= {"join_code": "NEUF26", "timezone": "", "brand_color": "#1f4e8c"}
    created = client.post(url, data=data)
    assert created.status_code == 303
    event = db.session.query(Event).filter_by(join_code="NEUF26").one()
    assert created.location.endswith(f"/organisateur/e/{event.slug}/programme")
    assert event.timezone == "Europe/Paris"
    # The new event is listed for its organizer, with its set-up pages.
    home = client.get("/organisateur/").get_data(as_text=True)
    assert f"/organisateur/e/{event.slug}/programme" in home


def test_settings_with_a_logo_brand_the_participant_pages(app, make_atelier):
    atelier = make_atelier()
    event = atelier.event
    client = organizer_client(app, event)
    url = f"/organisateur/e/{event.slug}/reglages"
    page = client.get(url)
    assert page.status_code == 200 and 'value="Le Pecq' not in page.get_data(as_text=True)
    data = {
        "csrf_token": token_from(page.get_data(as_text=True)),
        "title": event.title,
        "date": "24/06/2021",
        "join_code": event.join_code,
        "timezone": "Europe/Paris",
        "communes": "Le Pecq\nChatou\nMontesson",
        "brand_name": "Réseau <78>",
        "brand_color": "#7a1f5c",
        "status": "ouvert",
    }
    bad = client.post(
        url,
        data=data | {"logo": (io.BytesIO(b"<svg/>"), "logo.png")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "est pas une image PNG, JPEG ou WebP lisible." in bad.get_data(as_text=True)
    db.session.expire_all()
    assert event.brand_color == "" and event.communes == ["Le Pecq", "Chatou"]
    saved = client.post(
        url,
        data=data | {"logo": (io.BytesIO(png()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303
    db.session.expire_all()
    assert event.communes == ["Le Pecq", "Chatou", "Montesson"] and event.logo_digest

    visitor = app.test_client()
    for path in (
        f"/e/{event.slug}/rejoindre",
        f"/e/{event.slug}/a/{atelier.id}/projecteur",
        f"/e/{event.slug}/",
    ):
        response = visitor.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        # The colours inline (see test_a_branded_wall_inlines_its_colours_under_a_csp_hash).
        assert "theme.css" not in html.split("<style data-event-theme=")[0], path
        assert "--brand: #7a1f5c" in theme_block(html), path
        assert f'src="/e/{event.slug}/logo?v={event.logo_digest}"' in html, path
        assert "Réseau &lt;78&gt;" in html, path
        csp = response.headers["Content-Security-Policy"]
        assert "style-src 'self'" in csp and "unsafe-inline" not in csp
    # The served stylesheet it stands for: what a live branding change loads.
    css_url = re.search(r'data-event-theme="(/e/[^"]+/theme\.css\?v=[^"]+)"', html).group(1)
    css = visitor.get(css_url)
    assert css.mimetype == "text/css" and "--brand: #7a1f5c" in css.get_data(as_text=True)
    assert "immutable" in css.headers["Cache-Control"]
    logo = visitor.get(f"/e/{event.slug}/logo?v={event.logo_digest}")
    assert logo.mimetype == "image/png" and logo.data.startswith(b"\x89PNG")
    # The communes reach the join form's list.
    assert '<option value="Montesson">' in visitor.get(f"/e/{event.slug}/rejoindre").get_data(
        as_text=True
    )
    # Removing the logo.
    token = form_token(client, url)
    client.post(url, data=data | {"csrf_token": token, "remove_logo": "1"})
    db.session.expire_all()
    assert event.logo_digest is None
    assert visitor.get(f"/e/{event.slug}/logo").status_code == 404


def test_an_unbranded_event_keeps_the_app_look(app, make_atelier):
    atelier = make_atelier()
    html = app.test_client().get(f"/e/{atelier.event.slug}/").get_data(as_text=True)
    assert "theme.css" not in html and ">Facilitation</span></a>" in html
    assert "data-event-theme" not in html


def theme_block(html: str) -> str:
    """The text of the page's inline theme ``<style>`` (exactly what the browser hashes)."""
    found = re.findall(r"<style data-event-theme=\"[^\"]*\">(.*?)</style>", html, re.S)
    assert len(found) == 1, found
    return found[0]


def style_sources(response) -> list[str]:
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    return directives["style-src"].split()


def test_a_branded_wall_inlines_its_colours_under_a_csp_hash(
    app, make_event, make_atelier, joined_client
):
    """No render-blocking ``theme.css`` link on the phone wall: the colours come inline, in
    the head, and the CSP names that block by its hash (never 'unsafe-inline')."""
    event = make_event(brand_color="#7a1f5c")
    atelier = make_atelier(event)
    response = joined_client(atelier).get(f"/e/{event.slug}/a/{atelier.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    head = html.split("</head>")[0]
    assert "theme.css" not in re.sub(r'data-event-theme="[^"]*"', "", html)
    assert not re.search(r"<link[^>]*data-event-theme", html)
    block = theme_block(head)
    assert "--brand: #7a1f5c" in block and "--brand-dark:" in block
    digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
    sources = style_sources(response)
    assert f"'sha256-{digest}'" in sources
    # The critical CSS block and the theme block: one hash each, nothing else inline.
    assert len(re.findall(r"<style[ >]", html)) == 2
    assert len([s for s in sources if s.startswith("'sha256-")]) == 2
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    # Another colour, another block, another hash.
    event.brand_color = "#1f5c7a"
    db.session.commit()
    again = joined_client(atelier, display_name="Awa").get(f"/e/{event.slug}/a/{atelier.id}")
    other = theme_block(again.get_data(as_text=True))
    assert "#1f5c7a" in other
    other_digest = base64.b64encode(hashlib.sha256(other.encode()).digest()).decode()
    assert f"'sha256-{other_digest}'" in style_sources(again)
    assert f"'sha256-{digest}'" not in style_sources(again)


def test_the_programme_sequences_and_ateliers_from_the_pages(app, make_event):
    event = make_event()
    client = organizer_client(app, event)
    programme = f"/organisateur/e/{event.slug}/programme"
    token = form_token(client, programme)
    refused = client.post(
        f"{programme}/sequences",
        data={"csrf_token": token, "kind": "restitution", "title": "Plénière", "starts_at": "16h"}
        | {"ends_at": "15:00"},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "La fin doit venir après le début." in html
    assert 'value="Plénière"' in html and '<option value="restitution" selected>' in html
    added = client.post(
        f"{programme}/sequences",
        data={"csrf_token": token, "kind": "restitution", "starts_at": "15:45", "ends_at": ""},
    )
    assert added.status_code == 303
    db.session.expire_all()
    restitution = event.sequences[-1]
    assert restitution.title == "Restitution"
    moved = client.post(
        f"{programme}/sequences/{restitution.id}/deplacer",
        data={"csrf_token": token, "sens": "haut"},
    )
    assert moved.status_code == 303
    db.session.expire_all()
    assert [s.kind for s in event.sequences][-2:] == ["restitution", "ateliers_chantiers"]
    edit = f"{programme}/sequences/{restitution.id}"
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        data={
            "csrf_token": token,
            "kind": "restitution",
            "title": "Restitution",
            "starts_at": "16:00",
        },
    )
    db.session.expire_all()
    assert restitution.starts_at.hour == 16

    sequence = next(s for s in event.sequences if s.kind == "ateliers_pratiques")
    new = f"{programme}/sequences/{sequence.id}/ateliers/nouveau"
    assert client.get(new).status_code == 200
    bad = client.post(new, data={"csrf_token": token, "title": "", "room": "Ravel"})
    assert bad.status_code == 422 and 'value="Ravel"' in bad.get_data(as_text=True)
    ok = client.post(
        new,
        data={"csrf_token": token, "title": "Isolement", "room": "Ravel", "capacity": "15"}
        | {"facilitators": "Samia", "encore": "1"},
    )
    assert ok.status_code == 303 and ok.location.endswith("/ateliers/nouveau")
    db.session.expire_all()
    atelier = sequence.ateliers[0]
    assert (atelier.title, atelier.capacity, atelier.facilitators) == ("Isolement", 15, "Samia")
    page = client.get(programme).get_data(as_text=True)
    assert "Isolement" in page and "Animation : Samia" in page
    client.post(
        f"{programme}/ateliers/{atelier.id}",
        data={"csrf_token": token, "title": "Isolement des aînés", "capacity": ""},
    )
    db.session.expire_all()
    assert atelier.title == "Isolement des aînés" and atelier.capacity is None

    # Deleting asks first, and is refused once the atelier has contributions.
    delete = f"{programme}/ateliers/{atelier.id}/supprimer"
    confirm = client.post(delete, data={"csrf_token": token})
    assert confirm.status_code == 200 and "Cette action est définitive." in confirm.get_data(
        as_text=True
    )
    db.session.add(
        Contribution(atelier_id=atelier.id, client_id=uuid.uuid4().hex, kind="pratique", titre="x")
    )
    db.session.commit()
    refused = client.post(delete, data={"csrf_token": token, "confirmer": "1"})
    assert refused.status_code == 303
    message = client.get(refused.location).get_data(as_text=True)
    assert "Impossible de supprimer « Isolement des aînés » : il a déjà 1 contribution(s)." in (
        message
    )
    refused = client.post(
        f"{programme}/sequences/{sequence.id}/supprimer",
        data={"csrf_token": token, "confirmer": "1"},
    )
    assert "ses ateliers ont déjà 1 contribution" in client.get(refused.location).get_data(
        as_text=True
    )
    db.session.expire_all()
    assert atelier in sequence.ateliers
    gone = client.post(
        f"{programme}/sequences/{restitution.id}/supprimer",
        data={"csrf_token": token, "confirmer": "1"},
    )
    assert gone.status_code == 303
    db.session.expire_all()
    assert "restitution" not in [s.kind for s in event.sequences]


def test_duplicate_from_the_page(app, make_atelier):
    atelier = make_atelier(title="Isolement")
    event = atelier.event
    client = organizer_client(app, event)
    url = f"/organisateur/e/{event.slug}/dupliquer"
    page = client.get(url).get_data(as_text=True)
    suggested = re.search(r'id="join_code" name="join_code" type="text" value="([A-Z0-9]+)"', page)
    assert suggested
    token = token_from(page)
    bad = client.post(url, data={"csrf_token": token, "title": "Copie", "date": "demain"})
    assert bad.status_code == 422 and 'value="Copie"' in bad.get_data(as_text=True)
    done = client.post(
        url,
        data={"csrf_token": token, "title": "Copie", "date": "2022-06-24"}
        | {"join_code": suggested.group(1)},
    )
    assert done.status_code == 303
    copy = db.session.query(Event).filter_by(join_code=suggested.group(1)).one()
    assert [a.title for s in copy.sequences for a in s.ateliers] == ["Isolement"]
    assert client.get(done.location).status_code == 200


def test_expected_participants_import_and_count(app, make_event):
    event = make_event()
    client = organizer_client(app, event)
    url = f"/organisateur/e/{event.slug}/import/participants"
    token = form_token(client, url)
    bad = client.post(url, data={"csrf_token": token, "contenu": "nom;email\nNadia;nope\n"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Ligne 2 : adresse e-mail « nope » invalide." in html
    assert "nom;email\nNadia;nope" in html  # what was pasted is still there
    content = "nom;structure;commune\nNadia;CCAS;Chatou\nMarc;Croix-Rouge;\n"
    preview = client.post(
        url,
        data={"csrf_token": token, "fichier": (io.BytesIO(content.encode()), "inscrits.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200 and "Aperçu : 2 personne(s)" in preview.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": token, "contenu": content, "confirmer": "1"})
    assert done.status_code == 303
    assert "2 participant(s) attendu(s)" in client.get(url).get_data(as_text=True)
    for page in ("regie", "liens", "programme"):
        html = client.get(f"/organisateur/e/{event.slug}/{page}").get_data(as_text=True)
        assert "2 participant(s) attendu(s)" in html, page
    client.post(url, data={"csrf_token": token, "action": "vider"})
    assert "0 participant(s) attendu(s)" in client.get(url).get_data(as_text=True)


def _upload(client, url, token, content: bytes, **fields):
    return client.post(
        url,
        data={"csrf_token": token, "fichier": (io.BytesIO(content), "import.csv"), **fields},
        content_type="multipart/form-data",
    )


def test_csv_files_with_lone_cr_line_ends_are_imported(app, make_atelier):
    """Issue 18.7: old Excel for Mac ends lines with a lone CR; both imports answered 500
    (« new-line character seen in unquoted field »). Failed before the fix."""
    atelier = make_atelier(title="Isolement")
    event = atelier.event
    client = organizer_client(app, event)
    base = f"/organisateur/e/{event.slug}"
    token = form_token(client, f"{base}/import/participants")

    people = "nom;structure;commune\rNadia;CCAS;Chatou\rMarc;Croix-Rouge;\r".encode("cp1252")
    preview = _upload(client, f"{base}/import/participants", token, people)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert "Aperçu : 2 personne(s)" in preview.get_data(as_text=True)
    done = _upload(client, f"{base}/import/participants", token, people, confirmer="1")
    assert done.status_code == 303
    assert "2 participant(s) attendu(s)" in client.get(f"{base}/import/participants").text

    ateliers = "sequence;titre;salle\rpratiques;Numérique;Salle Berlioz\r".encode()
    preview = _upload(client, f"{base}/import", token, ateliers)
    assert preview.status_code == 200 and "Importer ces 1 ateliers" in preview.text
    assert _upload(client, f"{base}/import", token, ateliers, confirmer="1").status_code == 303
    assert "Numérique" in [a.title for s in event.sequences for a in s.ateliers]


@pytest.mark.parametrize("page", ["import", "import/participants"])
def test_a_csv_cell_over_the_field_limit_is_refused_with_its_line(app, make_atelier, page):
    """Issue 18.7: a cell over csv's 131,072-character limit raised ``_csv.Error`` (500).
    Now a French, line-numbered refusal. Failed before the fix."""
    atelier = make_atelier(title="Isolement")
    event = atelier.event
    client = organizer_client(app, event)
    url = f"/organisateur/e/{event.slug}/{page}"
    token = form_token(client, url)
    huge = "x" * 140_000
    content = f"sequence;titre;nom\npratiques;Numérique;Nadia\npratiques;{huge};{huge[:10]}\n"
    for confirm in ({}, {"confirmer": "1"}):
        answer = _upload(client, url, token, content.encode(), **confirm)
        assert answer.status_code == 422, answer.status_code
        html = answer.get_data(as_text=True)
        assert "Ligne 3 : une cellule dépasse 131\u202f072 caractères" in html
    assert "Numérique" not in [a.title for s in event.sequences for a in s.ateliers]


@pytest.mark.parametrize("path", ["/e/inconnu/theme.css", "/e/inconnu/logo"])
def test_branding_of_an_unknown_event_is_404(app, path):
    assert app.test_client().get(path).status_code == 404


def test_the_set_up_pages_answer_in_english_too(app, make_atelier):
    atelier = make_atelier()
    event = atelier.event
    client = organizer_client(app, event)
    client.set_cookie("lang", "en", domain="facilitation.test")
    base = f"/organisateur/e/{event.slug}"
    for method, path in pages(event):
        if method == "GET":
            response = client.get(path)
            assert response.status_code == 200, path
            assert '<html lang="en"' in response.get_data(as_text=True), path
    token = form_token(client, f"{base}/programme")
    refused = client.post(
        f"{base}/programme/sequences",
        data={"csrf_token": token, "kind": "pause", "starts_at": "12:00", "ends_at": "11:00"},
    )
    assert refused.status_code == 422 and 'id="ends_at-error"' in refused.get_data(as_text=True)
