"""Static files: content-hashed URLs, caching headers, versioned module imports, gzip."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient

from facilitation.models import Atelier, Event
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


# ---------------------------------------------------------------- critical CSS (issue 6)
def csp_sources(response: Any, directive: str) -> list[str]:
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    return directives[directive].split()


def test_only_the_marked_parts_of_a_stylesheet_are_critical(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text(
        "/* critical: begin (first screen) */\n  body { margin: 0; }\n/* critical: end */\n"
        ".projector { color: red; }\n"
        "/* critical: begin */\n.header { color: blue; } /* a note */\n/* critical: end */\n"
    )
    assert Assets(tmp_path).critical_css("a.css") == "body { margin: 0; }\n.header { color: blue; }"
    (tmp_path / "b.css").write_text(".x { color: red; }\n")
    assert Assets(tmp_path).critical_css("b.css") == ""


def test_the_wall_inlines_its_critical_css_under_a_csp_hash_and_links_the_stylesheet_last(
    app: Flask,
    make_atelier: Callable[..., Atelier],
    joined_client: Callable[..., FlaskClient],
) -> None:
    atelier = make_atelier()
    response = joined_client(atelier).get(f"/e/{atelier.event.slug}/a/{atelier.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1 and ".wall-form" in styles[0] and ".projector" not in styles[0]
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert csp_sources(response, "style-src") == ["'self'", f"'sha256-{digest}'"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    # The rest of the stylesheet is linked after the content: not in the head, where it
    # would hold back the first paint.
    head, body = html.split("</head>")
    assert 'rel="stylesheet"' not in head
    with app.test_request_context():
        rest_url = url_for("static", filename="css/app.css", part="rest")
    link = body.index(f'<link rel="stylesheet" href="{rest_url.replace("&", "&amp;")}">')
    assert link > body.index("</main>")
    # The rest is the stylesheet without what the page already has inline, cached a year.
    client = joined_client(atelier)
    rest = client.get(rest_url)
    assert rest.headers["Cache-Control"] == IMMUTABLE
    text = rest.get_data(as_text=True)
    assert ".projector" in text and ".wall-form" not in text and "--brand:" not in text
    full = client.get(static_url(app, "css/app.css")).get_data(as_text=True)
    assert ".wall-form" in full and len(text) + len(styles[0]) < len(full)


def test_pages_without_critical_css_keep_the_plain_policy_and_a_head_stylesheet(
    app: Flask, make_event: Callable[..., Event]
) -> None:
    event = make_event()
    response = app.test_client().get(f"/e/{event.slug}/")
    html = response.get_data(as_text=True)
    assert "<style" not in html
    assert 'rel="stylesheet"' in html.split("</head>")[0]
    assert csp_sources(response, "style-src") == ["'self'"]


def test_scripts_and_stylesheets_carry_only_the_headers_that_apply_to_them(app: Flask) -> None:
    client = app.test_client()
    for filename in ("js/wall.js", "css/app.css"):
        response = client.get(static_url(app, filename))
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Content-Security-Policy" not in response.headers
        assert "X-Frame-Options" not in response.headers
    # A page keeps them all.
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_the_favicon_browsers_ask_for_is_served(app: Flask) -> None:
    answer = app.test_client().get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
    assert answer.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert answer.headers["Cache-Control"] == REVALIDATE


def test_served_modules_lose_their_whole_line_comments(app: Flask) -> None:
    from facilitation.web.assets import strip_comments

    source = (
        "// a comment\n"
        "/**\n * a block\n */\n"
        "const url = 'http://x'; // kept: after code\n"
        "/* one line */\n"
        "/* open */ const b = 1;\n"
        "/* a\n b */ const c = 2;\n"
        "export { url };\n"
    )
    assert strip_comments(source) == (
        "const url = 'http://x'; // kept: after code\n"
        "/* open */ const b = 1;\n"
        "const c = 2;\n"
        "export { url };\n"
    )
    served = app.test_client().get(static_url(app, "js/live.js")).get_data(as_text=True)
    assert not any(line.strip().startswith("//") for line in served.splitlines())


def test_no_module_holds_a_multiline_template_literal() -> None:
    """``strip_comments`` reads lines: a comment-like line inside one would be lost."""
    for path in sorted((Path(__file__).parents[2] / "static" / "js").glob("*.js")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line.count("`") % 2 == 0, f"{path.name}:{number}"
