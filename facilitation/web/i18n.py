"""Languages: French by default, English available.

The language is, in order: the visitor's choice (``/langue/<code>``, kept a year in the
``lang`` cookie), else the browser's ``Accept-Language``, else French. Strings are marked
with ``_()`` in templates and Python and translated from ``facilitation/translations``
(``make translations`` extracts, updates and compiles them; the compiled ``.mo`` files are
committed so a fresh clone runs without a build step, and a test checks they match the
``.po``). Scripts get their few strings from ``<body data-i18n="…">`` (JSON), see
``static/js/i18n.js``: the participant's few keyed strings (``JS_STRINGS``) in
``<body data-i18n>``, and every other script string written ``tr("French text")`` in the
script itself (extracted by ``make translations``). On a page in another language than French,
the translations of the ``tr()`` strings of the scripts the page loads (and of the modules
they import) close the page in ``<script type="application/json" id="i18n-scripts">``; French
pages carry nothing more.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time
from flask import Blueprint, Flask, current_app, g, redirect, request
from flask_babel import Babel, get_locale, gettext, lazy_gettext, refresh
from werkzeug.wrappers import Response

from facilitation.web.urls import safe_next

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: Names shown in the switch, each in its own language.
NAMES = {"fr": "Français", "en": "English"}

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """The visitor's choice, else the browser's language, else French."""
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def current_lang() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


def _safe_next(target: str | None) -> str:
    """A path on this site only (no open redirect: ``/%09/evil.example`` too)."""
    return safe_next(target) or "/"


@bp.get("/langue/<code>")
def switch(code: str) -> Response:
    """Remember the language and go back to the page the visitor was on."""
    response = redirect(_safe_next(request.args.get("next")), 303)
    if code in LANGUAGES:
        response.set_cookie(
            COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
            secure=request.is_secure,
        )  # fmt: skip
    return response


def date_long(value: date | datetime | None) -> str:
    """« jeudi 18 novembre 2021 » / « Thursday, November 18, 2021 »."""
    if not value:
        return ""
    lang = current_lang()
    if lang == "fr" and value.day == 1:
        # French writes the first day of a month as an ordinal: « 1er novembre ».
        return format_date(value, "EEEE '1er' MMMM y", locale="fr")
    return format_date(value, "full", locale=lang)


def clock(value: time | datetime | None) -> str:
    """« 9h30 » in French, « 9:30 » in English (the event's local wall-clock time)."""
    if not value:
        return ""
    if current_lang() == "fr":
        return f"{value.hour}h{value.minute:02d}"
    return format_time(value, "H:mm", locale="en")


def local_clock(value: str | datetime | None, timezone: str | None = None) -> str:
    """« 14h05 » / « 14:05 » in the event's time zone, from a UTC datetime or ISO 8601 text."""
    if not value:
        return ""
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else value
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        at = at.astimezone(ZoneInfo(timezone or "Europe/Paris"))
    except (TypeError, ValueError, KeyError, ZoneInfoNotFoundError):
        return ""
    return clock(at)


def date_time(value: datetime | None) -> str:
    """« 24/06/2021 à 09h05 » / « 6/24/21 at 9:05 » (a wall-clock time already in the event's
    time zone)."""
    if not value:
        return ""
    lang = current_lang()
    if lang == "fr":
        return f"{value:%d/%m/%Y} à {value:%H}h{value:%M}"
    day = format_date(value, "short", locale=lang)
    return gettext("%(date)s à %(time)s", date=day, time=format_time(value, "H:mm", locale=lang))


def translate(value: Any) -> Any:
    """``{{ label|tr }}``: a French label kept in the domain (marked with ``N_``), translated."""
    if not value or not isinstance(value, str):
        return value
    return gettext(value)


TR_CALL = re.compile(r'\btr\(\s*"((?:[^"\\\n]|\\.)*)"')
#: ``from "./x.js"`` and a lazy ``import("./x.js")`` (reactions_who.js, photo_upload.js).
_IMPORT = re.compile(r'\b(?:from\s+|import\(\s*)"\./([\w.-]+\.js)"')


@lru_cache(maxsize=4)
def _script_graph(js_dir: str) -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    """Each module of ``static/js``: its ``tr("…")`` strings and the modules it imports."""
    graph: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
    for path in Path(js_dir).glob("*.js"):
        source = path.read_text(encoding="utf-8")
        texts = frozenset(json.loads(f'"{raw}"') for raw in TR_CALL.findall(source))
        graph[path.name] = (texts, tuple(_IMPORT.findall(source)))
    return graph


def script_texts(modules: set[str] | list[str]) -> set[str]:
    """The ``tr()`` strings of ``modules`` and of every module they import."""
    js_dir = str(Path(current_app.static_folder or "static") / "js")
    if current_app.debug:
        _script_graph.cache_clear()
    graph = _script_graph(js_dir)
    seen: set[str] = set()
    texts: set[str] = set()
    todo = [m for m in modules if m in graph]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        own, imports = graph[name]
        texts |= own
        todo.extend(i for i in imports if i in graph and i not in seen)
    return texts


def _record_script(endpoint: str, values: dict[str, Any]) -> None:
    """``url_defaults``: remember the scripts (static/js/*.js) this page links to."""
    filename = values.get("filename") if endpoint == "static" else None
    if isinstance(filename, str) and filename.startswith("js/") and filename.endswith(".js"):
        g.setdefault("i18n_scripts", set()).add(filename[3:])


def script_strings() -> dict[str, str]:
    """French text -> translation, for the ``tr()`` strings of the scripts linked so far."""
    if current_lang() == DEFAULT:
        return {}
    modules = g.get("i18n_scripts") or set()
    out = {}
    for text in sorted(script_texts(modules)):
        translated = gettext(text)
        if translated != text:
            out[text] = translated
    return out


def js_strings() -> dict[str, str]:
    """The strings of the participant's scripts (live.js, wall.js, outbox.js), translated.

    Empty in French: the scripts' fallbacks are the French text, and a phone's first load
    need not carry them twice (it has a size budget, see the README).
    """
    if current_lang() == DEFAULT:
        return {}
    return {key: str(text) for key, text in JS_STRINGS.items()}


#: Keys used by static/js/i18n.js ``t(key)``; the French text is also the script's fallback.
JS_STRINGS: dict[str, Any] = {
    "status.connecting": lazy_gettext("connexion…"),
    "status.connected": lazy_gettext("connecté"),
    "status.reconnecting": lazy_gettext("reconnexion…"),
    "status.offline": lazy_gettext("hors ligne"),
    "wall.publish": lazy_gettext("Publier"),
    "wall.sending": lazy_gettext("Envoi…"),
    "wall.sending_status": lazy_gettext("Envoi en cours…"),
    "wall.published_pratique": lazy_gettext("Pratique publiée."),
    "wall.published_chantier": lazy_gettext("Chantier publié."),
    "wall.pending": lazy_gettext("En attente d’envoi"),
    "wall.sent": lazy_gettext("« {titre} » envoyée."),
    "wall.offline_queued": lazy_gettext(
        "Hors ligne : votre carte est gardée sur ce téléphone, en attente d’envoi. "
        "Elle partira dès le retour de la connexion."
    ),
    "wall.stalled": lazy_gettext(
        "Pas de réponse du serveur : votre carte est gardée sur ce téléphone et sera envoyée "
        "automatiquement au retour de la connexion."
    ),
    "wall.waiting": lazy_gettext(
        "Des cartes attendent d’être envoyées : elles partiront dès que la connexion sera rétablie."
    ),
    "wall.draft_restored": lazy_gettext("Votre brouillon a été restauré."),
    "wall.refused_refilled": lazy_gettext(
        "« {titre} » n’a pas été publiée : son texte est remis dans le formulaire."
    ),
    "wall.refused_later": lazy_gettext(
        "« {titre} » n’a pas été publiée. Son texte vous attend : publiez d’abord ce que vous "
        "écrivez."
    ),
    "wall.title_required": lazy_gettext("Indiquez « Titre »."),
    "wall.form_errors_one": lazy_gettext("Le formulaire contient une erreur"),
    "wall.form_errors_many": lazy_gettext("Le formulaire contient {n} erreurs"),
    "wall.failed": lazy_gettext("L’envoi a échoué. Réessayez."),
    "wall.presence_one": lazy_gettext("{n} personne connectée"),
    "wall.presence_many": lazy_gettext("{n} personnes connectées"),
    "card.public": lazy_gettext("Public concerné :"),
    "card.edited": lazy_gettext("modifié"),
    "card.anonymous": lazy_gettext("anonyme"),
    "card.merged": lazy_gettext("Regroupé avec :"),
    "card.photo": lazy_gettext("Photo jointe à la carte"),
}


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    # Flask-Babel caches the locale in the app context (g); a context shared by several
    # requests (tests, a worker reusing one) must not keep the previous visitor's language.
    app.before_request(refresh)
    app.register_blueprint(bp)
    app.url_defaults(_record_script)
    app.jinja_env.globals.update(
        current_lang=current_lang,
        js_strings=js_strings,
        script_strings=script_strings,
        language_names=NAMES,
        languages=LANGUAGES,
    )
    app.jinja_env.filters["date_long"] = date_long
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["date_time"] = date_time
    app.jinja_env.filters["local_clock"] = local_clock
    app.jinja_env.filters["tr"] = translate
    # The page depends on the language: caches must keep one copy per Accept-Language/cookie.
    app.after_request(_vary)


def _vary(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


__all__ = ["LANGUAGES", "gettext", "init_app", "select_locale"]
