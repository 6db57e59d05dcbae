"""Static files: content-hashed URLs, caching headers, versioned module imports, gzip."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask, url_for

from facilitation.models import Event
from facilitation.web.assets import IMMUTABLE, REVALIDATE, Assets


def static_url(app: Flask, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_url_for_static_carries_the_content_hash(app: Flask) -> None:
    url = static_url(app, "css/app.css")
    assert re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", url)
    assert static_url(app, "css/app.css") == url


def test_a_hashed_url_is_cached_for_a_year_and_an_unhashed_one_revalidated(app: Flask) -> None:
    client = app.test_client()
    hashed = client.get(static_url(app, "css/app.css"))
    assert hashed.status_code == 200
    assert hashed.headers["Cache-Control"] == IMMUTABLE
    plain = client.get("/static/css/app.css")
    assert plain.headers["Cache-Control"] == REVALIDATE
    stale = client.get("/static/css/app.css?v=000000000000")
    assert stale.headers["Cache-Control"] == REVALIDATE
    again = client.get("/static/css/app.css", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


def test_module_imports_are_versioned_with_the_imported_files_hash(app: Flask) -> None:
    client = app.test_client()
    body = client.get(static_url(app, "js/wall.js")).get_data(as_text=True)
    live = re.search(r'from "\./live\.js\?v=([0-9a-f]{12})"', body)
    assert live, body[:500]
    assert static_url(app, "js/live.js").endswith(f"?v={live.group(1)}")
    # live.js imports the vendored client, versioned too.
    live_body = client.get(static_url(app, "js/live.js")).get_data(as_text=True)
    assert re.search(r'from "\.\./vendor/socket\.io\.esm\.min\.js\?v=[0-9a-f]{12}"', live_body)


def test_a_change_in_an_imported_module_changes_the_importers_url(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "dep.js").write_text("export const a = 1;\n")
    (tmp_path / "js" / "page.js").write_text('import { a } from "./dep.js";\nconsole.log(a);\n')
    assets = Assets(tmp_path, recheck=True)
    before = assets.version("js/page.js")
    (tmp_path / "js" / "dep.js").write_text("export const a = 2; // changed\n")
    after = assets.version("js/page.js")
    assert before and after and before != after
    assert f"./dep.js?v={assets.version('js/dep.js')}" in assets.get("js/page.js").body.decode()


def test_an_import_cycle_does_not_loop(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text('import "./b.js";\n')
    (tmp_path / "b.js").write_text('import "./a.js";\n')
    assert Assets(tmp_path).version("a.js")


def test_static_text_is_gzipped_when_the_browser_accepts_it(app: Flask) -> None:
    client = app.test_client()
    url = static_url(app, "js/cards.js")
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data)


def test_missing_and_escaping_static_paths_are_404(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/static/js/nope.js").status_code == 404
    assert client.get("/static/../pyproject.toml").status_code == 404


def test_html_pages_are_gzipped(app: Flask, make_event: Callable[..., Event]) -> None:
    event = make_event()
    client = app.test_client()
    page = client.get(f"/e/{event.slug}/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == "gzip"
    assert "<html" in gzip.decompress(page.data).decode()
    assert "Content-Encoding" not in client.get(f"/e/{event.slug}/").headers
