"""Static files for weak phones: content-hashed URLs, long caching, gzip.

- Every ``url_for("static", filename=...)`` gets ``?v=<hash of the content>``: templates need
  no change. A request whose ``v`` is the file's current hash is answered with
  ``Cache-Control: public, max-age=31536000, immutable``; without it (or with an old one) with
  ``no-cache``, i.e. the browser revalidates (ETag, 304) before reusing its copy.
- ES modules import each other by relative URL (``import … from "./live.js"``), which no
  template sees. Those specifiers are rewritten when the file is served to carry the imported
  file's hash (``"./live.js?v=…"``), and a module's own hash is taken *after* the rewrite, so
  a change deep in the graph (live.js) changes the URL of every module above it (wall.js):
  nothing stale can be mixed with something new. Every importer rewrites to the same URL, so
  a module is still evaluated once per page (module identity is its URL).
- Text files (JS, CSS, SVG, JSON, HTML pages) are gzipped when the browser accepts it;
  eventlet's WSGI server does not compress. Static bodies are compressed once and kept in
  memory (the files are small; the cache is keyed by path, size and mtime, so an edited file
  is picked up without a restart).
- Critical CSS: the parts of a stylesheet between ``/* critical: begin */`` and
  ``/* critical: end */`` can be inlined in a page's head (``critical_style()``) under a CSP
  hash, so a phone paints the first screen with the HTML alone; the rest of the stylesheet
  (``?part=rest``: the same file without those parts, so nothing is sent twice) is linked at
  the end of the body, where it does not block the first render, and is cached. On such a
  page every marked rule comes before every unmarked one: an unmarked rule written above a
  marked one must not set the same property on the same element with equal specificity.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request, url_for
from markupsafe import Markup
from werkzeug.security import safe_join

from facilitation.web.security import allow_inline_style

#: A year: the URL changes whenever the content does.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Reuse only after asking the server (cheap 304 with the ETag).
REVALIDATE = "no-cache"
#: Relative import specifiers of an ES module (static imports and re-exports).
IMPORT_RE = re.compile(r"""(\b(?:from|import)\s*)(["'])(\.{1,2}/[^"'?#]+\.m?js)\2""")
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/xml",
)
#: Below this, gzip's header costs more than it saves.
MIN_COMPRESS_BYTES = 512
#: The marked parts of a stylesheet that a page may inline (see ``critical_css``).
CRITICAL_RE = re.compile(r"/\*\s*critical:\s*begin\b.*?\*/(.*?)/\*\s*critical:\s*end\s*\*/", re.S)
COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    version: str
    mimetype: str


class Assets:
    """Versioned, pre-compressed static files of one app (thread/greenlet safe)."""

    def __init__(self, root: Path, recheck: bool = False) -> None:
        self.root = root
        #: Look at the disk again on each use (development); otherwise a file is read once
        #: per process (a deploy restarts the workers).
        self.recheck = recheck
        self._cache: dict[str, tuple[tuple[int, int], Asset]] = {}
        self._rest: dict[str, tuple[str, Asset]] = {}
        self._lock = threading.RLock()

    def path_of(self, filename: str) -> Path | None:
        joined = safe_join(str(self.root), filename)
        if joined is None or not os.path.isfile(joined):
            return None
        return Path(joined)

    def get(self, filename: str, _stack: tuple[str, ...] = ()) -> Asset | None:
        """The served form of ``filename`` (imports rewritten), or None if there is no such file."""
        filename = filename.replace("\\", "/").lstrip("/")
        cached = self._cache.get(filename)
        if cached is not None and not self.recheck:
            return cached[1]
        path = self.path_of(filename)
        if path is None:
            return None
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        module = filename.endswith((".js", ".mjs")) and "/vendor/" not in f"/{filename}"
        with self._lock:
            raw = None
            if cached is not None and cached[0] == key:
                if not module:
                    return cached[1]
                # A dependency may have changed: its hash is part of this module's body.
                raw = path.read_bytes()
                if cached[1].body == self._rewrite(filename, raw, _stack):
                    return cached[1]
            raw = path.read_bytes() if raw is None else raw
            body = self._rewrite(filename, raw, _stack) if module else raw
            mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            gzipped = gzip.compress(body, 6, mtime=0) if _compressible(mimetype) else b""
            asset = Asset(body, gzipped, hashlib.sha256(body).hexdigest()[:12], mimetype)
            self._cache[filename] = (key, asset)
            return asset

    def version(self, filename: str) -> str | None:
        asset = self.get(filename)
        return asset.version if asset else None

    def rest(self, filename: str) -> Asset | None:
        """Stylesheet ``filename`` without its critical parts (pages that inline them)."""
        asset = self.get(filename)
        if asset is None:
            return None
        cached = self._rest.get(filename)
        if cached is not None and cached[0] == asset.version:
            return cached[1]
        body = CRITICAL_RE.sub("", asset.body.decode("utf-8")).encode("utf-8")
        gzipped = gzip.compress(body, 6, mtime=0) if asset.gzipped else b""
        rest = Asset(body, gzipped, hashlib.sha256(body).hexdigest()[:12], asset.mimetype)
        self._rest[filename] = (asset.version, rest)
        return rest

    def critical_css(self, filename: str) -> str:
        """The marked critical parts of stylesheet ``filename``, without comments or indentation."""
        asset = self.get(filename)
        if asset is None:
            return ""
        parts = CRITICAL_RE.findall(asset.body.decode("utf-8"))
        text = COMMENT_RE.sub("", "\n".join(parts))
        css = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        if "</" in css:  # would end the <style> element early
            raise ValueError(f"{filename}: '</' in its critical part")
        return css

    def module_graph(self, *entries: str) -> list[str]:
        """The modules ``entries`` import, directly or not (each once, entries excluded)."""
        seen: list[str] = []
        todo = list(entries)
        while todo:
            filename = todo.pop(0)
            path = self.path_of(filename)
            if path is None or "/vendor/" in f"/{filename}":
                continue
            base = os.path.dirname(filename)
            for match in IMPORT_RE.finditer(path.read_text(encoding="utf-8")):
                target = os.path.normpath(os.path.join(base, match.group(3))).replace("\\", "/")
                if target not in seen and target not in entries:
                    seen.append(target)
                    todo.append(target)
        return seen

    def _rewrite(self, filename: str, raw: bytes, stack: tuple[str, ...]) -> bytes:
        text = raw.decode("utf-8")
        base = os.path.dirname(filename)

        def versioned(match: re.Match[str]) -> str:
            prefix, quote, spec = match.groups()
            target = os.path.normpath(os.path.join(base, spec)).replace("\\", "/")
            if target in stack or target == filename:  # an import cycle: leave it unversioned
                return match.group(0)
            dep = self.get(target, (*stack, filename))
            if dep is None:
                return match.group(0)
            return f"{prefix}{quote}{spec}?v={dep.version}{quote}"

        return IMPORT_RE.sub(versioned, strip_comments(text)).encode("utf-8")


def strip_comments(source: str) -> str:
    """``source`` without its whole-line comments (``// …`` lines, ``/* … */`` blocks that
    start a line): they explain the code to us, not to a phone on a weak link, and were a
    quarter of the wall's first load. Comments after code on a line stay (a ``//`` there
    may be inside a string); no module holds a multi-line template literal (a test checks).
    """
    kept: list[str] = []
    in_block = False
    for line in source.splitlines(keepends=True):
        text = line.strip()
        if in_block:
            if "*/" in text:
                in_block = False
                rest = text.split("*/", 1)[1]
                if rest.strip():
                    kept.append(rest.strip() + "\n")
            continue
        if text.startswith("//"):
            continue
        if text.startswith("/*"):
            if "*/" not in text:
                in_block = True
                continue
            if text.endswith("*/"):
                continue
        kept.append(line)
    return "".join(kept)


def _compressible(mimetype: str) -> bool:
    return mimetype.startswith(COMPRESSIBLE)


def accepts_gzip() -> bool:
    return "gzip" in (request.headers.get("Accept-Encoding") or "").lower()


def _static_view(assets: Assets) -> Any:
    def static(filename: str) -> Response:
        rest = request.args.get("part") == "rest"
        asset = assets.rest(filename) if rest else assets.get(filename)
        if asset is None:
            abort(404)
        use_gzip = bool(asset.gzipped) and accepts_gzip()
        response = Response(asset.gzipped if use_gzip else asset.body, mimetype=asset.mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        response.set_etag(asset.version + ("-gz" if use_gzip else ""))
        fresh_url = request.args.get("v") == asset.version
        response.headers["Cache-Control"] = IMMUTABLE if fresh_url else REVALIDATE
        return response.make_conditional(request)

    return static


def compress_response(response: Response) -> Response:
    """``after_request``: gzip a dynamic text answer (HTML pages, JSON, SVG) when worth it."""
    if (
        response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or response.status_code < 200
        or response.status_code in (204, 304)
        or not _compressible(response.mimetype or "")
        or not accepts_gzip()
    ):
        return response
    data = response.get_data()
    if len(data) < MIN_COMPRESS_BYTES:
        return response
    response.set_data(gzip.compress(data, 6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    # A strong ETag names the uncompressed bytes; the gzipped ones are another representation.
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    """Serve /static/ through :class:`Assets` and version every ``url_for('static')``."""
    assets = Assets(Path(app.static_folder or "static"), recheck=bool(app.debug))
    app.extensions["facilitation.assets"] = assets
    app.view_functions["static"] = _static_view(assets)
    # Browsers ask for /favicon.ico on every page whatever the HTML says: serve the static
    # one (revalidated, like any unversioned static URL) instead of a 404 in every log.
    app.add_url_rule(
        "/favicon.ico",
        "favicon",
        lambda: app.view_functions["static"](filename="favicon.ico"),
    )

    @app.template_global()
    def modulepreload(*entries: str) -> Markup:
        """``<link rel="modulepreload">`` for every module the page's entry modules import.

        Without it a phone discovers the graph one level per round trip (wall.js, then
        live.js, then the Socket.IO client): on a 500 ms link that is seconds.
        """
        key = ("modulepreload", entries)
        graph = preload_cache.get(key) if not assets.recheck else None
        if graph is None:
            graph = assets.module_graph(*entries)
            preload_cache[key] = graph
        return Markup("\n").join(
            Markup('<link rel="modulepreload" href="{}" fetchpriority="low">').format(
                url_for("static", filename=filename)
            )
            for filename in graph
        )

    preload_cache: dict[tuple[str, tuple[str, ...]], list[str]] = {}

    @app.template_global()
    def critical_style(filename: str = "css/app.css") -> Markup:
        """``<style>`` with the critical part of ``filename``, allowed by the page's CSP hash.

        The page must still link the rest of the stylesheet, ``url_for('static',
        filename=..., part='rest')``, at the end of its body (not render-blocking there).
        """
        css = critical_cache.get(filename) if not assets.recheck else None
        if css is None:
            css = assets.critical_css(filename)
            critical_cache[filename] = css
        if not css:
            return Markup("")
        allow_inline_style(css)
        return Markup("<style>{}</style>").format(Markup(css))

    critical_cache: dict[str, str] = {}

    @app.url_defaults
    def static_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            if values.get("part") == "rest":
                asset = assets.rest(values["filename"])
                version = asset.version if asset else None
            else:
                version = assets.version(values["filename"])
            if version:
                values["v"] = version

    if app.config.get("COMPRESS_RESPONSES", True):
        app.after_request(compress_response)
