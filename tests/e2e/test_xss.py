"""XSS corpus (issue 8): hostile text through every text field, and no page runs any of it.

Payloads go in through the app's real entry points (the join and profile forms, the contact
request, Socket.IO events of participants, facilitators and the organizer, the synthesis and
publication forms), then Chromium opens every page where that text shows (wall, projector,
console, régie, who's who, tour de table, chantier page, restitution, slides, notes, published
page, « Mes données »…) with ``alert``/``confirm``/``prompt`` hooked and dialogs listened to.
A page fails when a dialog opens, a hook is called, an element made from user text exists
(every HTML payload carries ``data-xss``), a ``javascript:`` link exists, or a template
evaluated ``{{7*7}}``; the ``_pages`` fixture also fails on any CSP refusal or script error
(an injected inline handler would be refused by the CSP: refused is still injected). Some
payloads are sent while the pages are open, so the live (socket-rendered) paths are checked too.

The exports are checked as files: CSV cells never start with a formula character, Markdown
has no raw ``<``, DOCX/ODT are well-formed XML holding the text, the PDF has no JavaScript.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.e2e.conftest import E2E_DATABASE, first_organizer, organizer_cookie, wait_live
from tests.realserver.clients import SLUG, TIMEOUT, Phone, event_json
from tests.support.csrf import token_from

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("live_server", [E2E_DATABASE], indirect=True),
]

#: Each fits in 60 characters (the shortest text field, a display name).
PAYLOADS = (
    '<script data-xss>alert("s1")</script>',
    '<img data-xss src=x onerror=alert("s2")>',
    '"><svg data-xss onload=alert("s3")>',
    "'><a data-xss href=javascript:alert('s4')>s4</a>",
    'javascript:alert("s5")',
    "XSS{{7*7}}${7*7}<%= 7*7 %>",
    "</textarea></title><b data-xss>s7</b>",
    '=HYPERLINK("http://evil.invalid";"s8")',
    '+cmd|" /C calc"!A0',
    '@SUM(1+1)*cmd|"/C calc"!A0',
    '-2+3+cmd|"/C calc"!A0',
    "<style data-xss>*{display:none}</style>",
)
FORMULA = ("=", "+", "-", "@", "\t", "\r")

HOOKS = """
  window.__xss = [];
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => { window.__xss.push(name + ":" + args.join(",")); };
  }
"""
PROBE = """payloads => ({
  hooks: window.__xss || [],
  nodes: [...document.querySelectorAll("[data-xss]")].map(n => n.outerHTML.slice(0, 80)),
  js_links: [...document.querySelectorAll("a[href], area[href], iframe[src], form[action]")]
    .map(n => n.getAttribute("href") || n.getAttribute("src") || n.getAttribute("action"))
    .filter(u => /^\\s*javascript:/i.test(u)),
  evaluated: /XSS49/.test(document.body.innerText),
  shown: payloads.some(p => document.body.innerText.includes(p)),
})"""


def payload(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


def cid() -> str:
    return uuid.uuid4().hex


class Probe:
    """Pages opened with the hooks, checked one by one; all findings reported together."""

    def __init__(self, browser_pages: Any, base: str) -> None:
        self.pages = browser_pages
        self.base = base
        self.findings: list[str] = []
        self.dialogs: list[str] = []
        self.checked: list[str] = []
        #: Pages where a payload was seen as text (so the check above was not vacuous).
        self.shown: set[str] = set()

    def page(self, label: str, cookies: list[dict[str, Any]] | None = None, **options: Any) -> Any:
        page = self.pages.new_page(label, viewport={"width": 1280, "height": 900}, **options)
        if cookies:
            page.context.add_cookies(cookies)
        page.add_init_script(HOOKS)
        page.on("dialog", lambda d: (self.dialogs.append(f"{label}: {d.message}"), d.dismiss()))
        return page

    def visit(self, page: Any, path: str, live: str | None = None) -> None:
        response = page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        page.wait_for_load_state("load")
        if live:
            wait_live(page, live)
        self.check(page, path)

    def check(self, page: Any, name: str) -> None:
        found = page.evaluate(PROBE, list(PAYLOADS))
        self.checked.append(name)
        if found["shown"]:
            self.shown.add(name)
        for key in ("hooks", "nodes", "js_links"):
            if found[key]:
                self.findings.append(f"{name}: {key} {found[key]}")
        if found["evaluated"]:
            self.findings.append(f"{name}: a template evaluated {{{{7*7}}}}")

    def assert_clean(self) -> None:
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"
        assert not self.findings, "XSS findings:\n" + "\n".join(self.findings)


def cookies_of(session: requests.Session, base: str) -> list[dict[str, Any]]:
    return [{"name": c.name, "value": c.value, "url": base} for c in session.cookies]


def form_post(session: requests.Session, base: str, page: str, target: str, **data: Any) -> Any:
    """GET ``page`` for its CSRF token, then POST ``data`` to ``target`` like its form."""
    token = token_from(session.get(base + page, timeout=TIMEOUT).text)
    response = session.post(
        base + target, data={"csrf_token": token, **data}, allow_redirects=False, timeout=TIMEOUT
    )
    assert response.status_code in (200, 302, 303), (
        target,
        response.status_code,
        response.text[:500],
    )
    return response


def ok(ack: dict[str, Any]) -> dict[str, Any]:
    assert ack.get("ok") is True, ack
    return ack


def organizer_session(server: Any) -> requests.Session:
    """An HTTP session signed in as the first organizer (the cookie the server then updates)."""
    session = requests.Session()
    session.cookies.set("session", organizer_cookie(server)["value"], domain="127.0.0.1", path="/")
    return session


def ateliers_by_kind(base: str) -> tuple[int, int]:
    pratique = chantier = None
    for sequence in event_json(base)["programme"]:
        if sequence["ateliers"] and sequence.get("kind") == "ateliers_pratiques":
            pratique = pratique or sequence["ateliers"][0]["id"]
        if sequence["ateliers"] and sequence.get("kind") == "ateliers_chantiers":
            chantier = chantier or sequence["ateliers"][0]["id"]
    assert pratique and chantier
    return int(pratique), int(chantier)


@pytest.fixture(scope="module")
def hostile_day(live_server: Any) -> dict[str, Any]:
    """The demo day, filled through its real entry points with the payloads."""
    server = live_server
    server.flask("demo")
    first_organizer(server, "xss@example.org")
    base = server.url
    out = server.flask("facilitator-link", SLUG, "--label", payload(1), "--base-url", base).stdout
    link = re.search(r"(http\S+/f/\S+)", out)
    assert link, out
    pratique, chantier = ateliers_by_kind(base)
    phones: list[Phone] = []

    def person(i: int, atelier: int) -> Phone:
        phone = Phone(base, payload(i))
        phones.append(phone)
        url = f"{base}/e/{SLUG}/rejoindre"
        token = token_from(phone.http.get(url, timeout=TIMEOUT).text)
        answer = phone.http.post(
            url,
            data={
                "csrf_token": token,
                "display_name": payload(i),
                "structure": payload(i + 1),
                "commune": payload(i + 2),
                "atelier_id": str(atelier),
                "consent": "on",
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code == 303, answer.text[:800]
        form_post(
            phone.http, base, f"/e/{SLUG}/profil", f"/e/{SLUG}/profil",
            role=payload(i + 3), structure_kind="association", publics=payload(i + 4),
            offers=payload(i + 5), needs=payload(i + 6), contact=payload(i + 7), visible="on",
        )  # fmt: skip
        return phone.connect()

    people = [person(i, pratique) for i in range(3)]
    builders = [person(i, chantier) for i in range(3, 6)]
    for p in people + builders:
        p.join_atelier(pratique if p in people else chantier)
    # Cards: every field of the wall's form.
    cards = []
    for i, p in enumerate(people):
        for j in range(2):
            k = 2 * i + j
            ack = ok(
                p.call(
                    "contribution:create",
                    {
                        "client_id": cid(),
                        "atelier_id": pratique,
                        "titre": payload(k),
                        "description": " ".join(payload(k + n) for n in range(4)),
                        "structure": payload(k + 1),
                        "commune": payload(k + 2),
                        "public_concerne": payload(k + 3),
                    },
                )
            )
            cards.append(ack["contribution"]["id"])
    # A contact request with a hostile message.
    target = event_json(base)  # any visible person: ask the first builder's id via who's who
    whoswho = ok(people[0].call("whoswho:get", {"atelier_id": pratique}))["whoswho"]
    other_id = next(
        person["id"] for g in whoswho["groups"] for person in g["people"]
        if person["display_name"] != payload(0)
    )  # fmt: skip
    form_post(
        people[0].http, base, f"/e/{SLUG}/rencontres", f"/e/{SLUG}/rencontres/demander",
        to=str(other_id), message=" ".join(PAYLOADS[:5]),
    )  # fmt: skip
    # Chantiers: every field, additions, comments, engagement contact.
    chantier_ids = []
    for i, p in enumerate(builders):
        ack = ok(
            p.call(
                "chantier:create",
                {
                    "client_id": cid(),
                    "atelier_id": chantier,
                    "titre": payload(i),
                    "structure": payload(i + 1),
                    "constat": payload(i + 2),
                    "objectif": payload(i + 3),
                    "publics": payload(i + 4),
                    "partenaires": payload(i + 5),
                    "etapes": payload(i + 6),
                    "porteur": payload(i + 7),
                },
            )
        )
        chantier_ids.append(ack["contribution"]["id"])
    for i, p in enumerate(builders):
        target_id = chantier_ids[(i + 1) % len(chantier_ids)]
        ok(p.call("chantier:add", {"client_id": cid(), "chantier_id": target_id,
                                   "field": "etapes", "text": payload(i + 8)}))  # fmt: skip
        ok(p.call("chantier:comment", {"client_id": cid(), "chantier_id": target_id,
                                       "text": payload(i + 9)}))  # fmt: skip
        ok(p.call("chantier:engage", {"client_id": cid(), "chantier_id": target_id,
                                      "contact": payload(i + 10), "consent": True}))  # fmt: skip
    # The facilitator (event-wide link): edits, categories, scribe votes, consolidation, tour.
    facilitator = Phone(base, "facilitator")
    phones.append(facilitator)
    facilitator.http.get(link.group(1), timeout=TIMEOUT)
    facilitator.connect()
    ok(facilitator.call("console:join", {"atelier_id": pratique}))
    ok(
        facilitator.call(
            "moderation:edit",
            {
                "atelier_id": pratique,
                "contribution_id": cards[0],
                "titre": payload(6),
                "description": payload(3),
                "structure": payload(2),
                "commune": payload(1),
                "public_concerne": payload(0),
            },
        )
    )
    category = ok(facilitator.call("category:create", {"atelier_id": pratique, "name": payload(2)}))
    ok(facilitator.call("moderation:categorize", {"atelier_id": pratique, "contribution_id": cards[1],
                                                  "category_id": category["category"]["id"]}))  # fmt: skip
    ok(facilitator.call("vote:open", {"atelier_id": pratique, "settings": {}}))
    for i, p in enumerate(people):
        ok(p.call("dot:set", {"client_id": cid(), "atelier_id": pratique,
                              "contribution_id": cards[i], "count": 1}))  # fmt: skip
    ok(facilitator.call("dot:scribe", {"atelier_id": pratique, "contribution_id": cards[2],
                                       "label": payload(1), "count": 3}))  # fmt: skip
    ok(facilitator.call("vote:reveal", {"atelier_id": pratique}))
    ok(facilitator.call("chantier:consolidate", {"client_id": cid(), "chantier_id": chantier_ids[0],
                                                 "field": "objectif", "text": payload(5)}))  # fmt: skip
    ok(facilitator.call("tour:start", {"atelier_id": pratique}))
    # The organizer: the event's settings and an atelier (shown on every page), syntheses,
    # publication.
    organizer = organizer_session(server)
    settings = f"/organisateur/e/{SLUG}/reglages"
    form_post(
        organizer, base, settings, settings,
        title=payload(0) + " " + payload(5), date="24/06/2021", venue=payload(1),
        city=payload(2), join_code="RAS24", timezone="Europe/Paris", organiser_name=payload(3),
        brand_name=payload(6), brand_color="", communes="Le Pecq\n" + payload(2),
    )  # fmt: skip
    edit = f"/organisateur/e/{SLUG}/programme/ateliers/{chantier}"
    form_post(
        organizer, base, edit, edit,
        title=payload(6), theme=payload(1), question=payload(2), room=payload(3),
        facilitators=payload(4),
    )  # fmt: skip
    for atelier in (pratique, chantier):
        path = f"/organisateur/e/{SLUG}/a/{atelier}/synthese"
        form_post(organizer, base, path, path, text="\n".join(PAYLOADS))
    restitution = f"/organisateur/e/{SLUG}/restitution"
    form_post(organizer, base, restitution, restitution + "/publication", action="publier")
    published = re.search(r"(/r/[A-Za-z0-9_-]+)", organizer.get(base + restitution).text)
    assert published, "no public link after publishing"
    yield {
        "base": base,
        "pratique": pratique,
        "chantier": chantier,
        "people": people,
        "builders": builders,
        "facilitator": facilitator,
        "organizer": organizer,
        "chantier_ids": chantier_ids,
        "cards": cards,
        "published": published.group(1),
        "link": link.group(1),
        "target": target,
    }
    for phone in phones:
        phone.close()


def test_no_payload_runs_on_any_page(
    hostile_day: dict[str, Any], _pages: Any, screenshot: Callable[..., Any]
) -> None:
    day = hostile_day
    base, pratique, chantier = day["base"], day["pratique"], day["chantier"]
    probe = Probe(_pages, base)
    me = day["people"][0]
    builder = day["builders"][0]

    # -- participant pages (their cookie) -------------------------------------------
    phone = probe.page("participant", cookies_of(me.http, base), is_mobile=True, has_touch=True)
    probe.visit(phone, f"/e/{SLUG}/a/{pratique}", live="#wall")
    screenshot(phone, "wall")
    pages = probe.page("participant pages", cookies_of(me.http, base))
    for path in (
        f"/e/{SLUG}/",
        f"/e/{SLUG}/rejoindre",
        f"/e/{SLUG}/profil",
        f"/e/{SLUG}/a/{pratique}/qui",
        f"/e/{SLUG}/rencontres",
        f"/e/{SLUG}/mes-donnees",
        f"/e/{SLUG}/perspectives",
    ):
        probe.visit(pages, path)
    other = probe.page("recipient", cookies_of(day["people"][1].http, base))
    probe.visit(other, f"/e/{SLUG}/rencontres")
    chantier_phone = probe.page("builder", cookies_of(builder.http, base))
    probe.visit(chantier_phone, f"/e/{SLUG}/a/{chantier}", live="#wall")
    screenshot(chantier_phone, "chantier-wall")
    for chantier_id in day["chantier_ids"]:
        probe.visit(chantier_phone, f"/e/{SLUG}/a/{chantier}/chantiers/{chantier_id}")
    probe.visit(chantier_phone, f"/e/{SLUG}/mes-donnees")
    screenshot(chantier_phone, "mes-donnees", full_page=True)

    # -- room screens ----------------------------------------------------------------
    screen = probe.page("projector")
    probe.visit(screen, f"/e/{SLUG}/a/{pratique}/projecteur", live="#projector")
    screenshot(screen, "projector")
    tour = probe.page("tour")
    probe.visit(tour, f"/e/{SLUG}/a/{pratique}/tour-de-table")
    probe.visit(
        probe.page("chantier projector"), f"/e/{SLUG}/a/{chantier}/projecteur", live="#projector"
    )

    # -- facilitator -----------------------------------------------------------------
    console = probe.page("console", cookies_of(day["facilitator"].http, base))
    probe.visit(console, f"/animation/e/{SLUG}/a/{pratique}", live="#console")
    screenshot(console, "console")
    facilitator_pages = probe.page("facilitator pages", cookies_of(day["facilitator"].http, base))
    probe.visit(facilitator_pages, f"/animation/e/{SLUG}/")
    probe.visit(facilitator_pages, f"/f/atelier/{pratique}/tour")
    chantier_console = probe.page("chantier console", cookies_of(day["facilitator"].http, base))
    probe.visit(chantier_console, f"/animation/e/{SLUG}/a/{chantier}", live="#console")

    # -- organizer -------------------------------------------------------------------
    organizer = probe.page("organizer", cookies_of(day["organizer"], base))
    probe.visit(organizer, f"/organisateur/e/{SLUG}/regie")
    regie = organizer
    for path in (
        "/organisateur/",
        f"/organisateur/e/{SLUG}/restitution",
        f"/organisateur/e/{SLUG}/restitution/presentation",
        f"/organisateur/e/{SLUG}/restitution/notes",
        f"/organisateur/e/{SLUG}/acteurs",
        f"/organisateur/e/{SLUG}/liens",
        f"/organisateur/e/{SLUG}/donnees",
        f"/organisateur/e/{SLUG}/a/{pratique}/synthese",
        f"/organisateur/e/{SLUG}/reglages",
        f"/organisateur/e/{SLUG}/programme",
        f"/organisateur/e/{SLUG}/programme/ateliers/{chantier}",
    ):
        probe.visit(organizer_page := probe.page(path, cookies_of(day["organizer"], base)), path)
        if path.endswith("/donnees"):
            screenshot(organizer_page, "donnees", full_page=True)
    slides = probe.page("slides", cookies_of(day["organizer"], base))
    probe.visit(slides, f"/organisateur/e/{SLUG}/restitution/presentation")
    for _ in range(12):
        slides.keyboard.press("ArrowRight")
        probe.check(slides, "slides (stepped)")
    screenshot(slides, "slide")
    public = probe.page("public")
    probe.visit(public, day["published"])
    screenshot(public, "published", full_page=True)

    # -- live: payloads sent while the pages are open --------------------------------
    probe.visit(regie, f"/organisateur/e/{SLUG}/regie")
    wait_live(regie, "#regie")
    live_text = payload(0) + " live"
    # The round is in « résultats » now: the live card change is the facilitator's edit.
    ok(day["facilitator"].call("moderation:edit", {"atelier_id": pratique, "contribution_id": day["cards"][1],
                                                  "titre": live_text, "description": payload(1)}))  # fmt: skip
    announcer = Phone(base, "organizer socket")
    try:
        announcer.http.cookies.update(day["organizer"].cookies)
        announcer.connect()
        event_id = int(regie.locator("#regie").get_attribute("data-event-id"))
        ok(announcer.call("control:join", {"event_id": event_id}))
        ok(
            announcer.call(
                "announcement:send", {"client_id": cid(), "event_id": event_id, "text": payload(2)}
            )
        )
    finally:
        announcer.close()
    ok(
        day["facilitator"].call(
            "category:create", {"atelier_id": pratique, "name": payload(6) + "!"}
        )
    )
    # The organizer edits the running atelier: its screens redraw the heading live.
    edit = f"/organisateur/e/{SLUG}/programme/ateliers/{pratique}"
    live_question = payload(3) + " ?"
    form_post(day["organizer"], base, edit, edit, title=payload(0) + " atelier",
              question=live_question, theme=payload(1), room=payload(2))  # fmt: skip
    for page, name in (
        (phone, "wall (live)"),
        (screen, "projector (live)"),
        (console, "console (live)"),
    ):
        # The projector in « résultats » shows the ranking full screen: its card list (updated
        # live underneath) is hidden, so read the text of the page, not what is drawn.
        seen = "textContent" if name.startswith("projector") else "innerText"
        page.wait_for_function(f"t => document.body.{seen}.includes(t)", arg=live_text)
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=payload(2))
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=live_question)
        probe.check(page, name)
    screenshot(phone, "wall-live")
    probe.check(regie, "régie (live)")
    assert len(probe.checked) > 30
    probe.assert_clean()
    must_show = {
        f"/e/{SLUG}/a/{pratique}",
        f"/e/{SLUG}/a/{chantier}",
        f"/e/{SLUG}/a/{pratique}/projecteur",
        f"/animation/e/{SLUG}/a/{pratique}",
        f"/e/{SLUG}/a/{pratique}/qui",
        f"/e/{SLUG}/rencontres",
        f"/e/{SLUG}/mes-donnees",
        f"/e/{SLUG}/a/{chantier}/chantiers/{day['chantier_ids'][0]}",
        f"/organisateur/e/{SLUG}/restitution",
        f"/organisateur/e/{SLUG}/acteurs",
        "slides (stepped)",
        day["published"],
        f"/organisateur/e/{SLUG}/programme",
    }
    assert must_show <= probe.shown, f"payload text not on: {sorted(must_show - probe.shown)}"


def test_the_probe_sees_an_injection_and_a_dialog(live_server: Any, _pages: Any) -> None:
    """The checks above can fail: markup from user text, a hooked call and a dialog are seen."""
    probe = Probe(_pages, live_server.url)
    page = probe.page("self-test")
    page.goto(live_server.url + "/healthz")
    page.evaluate(
        "html => document.body.insertAdjacentHTML('beforeend', html)",
        '<b data-xss>x</b><a href="javascript:void(0)">y</a><p>XSS49</p>',
    )
    page.evaluate("alert('hooked')")
    probe.check(page, "self-test")
    assert len(probe.findings) == 4, probe.findings
    other = _pages.new_page("raw dialog")
    other.on("dialog", lambda d: (probe.dialogs.append(d.message), d.dismiss()))
    other.goto(live_server.url + "/healthz")
    other.evaluate("alert('raw')")
    assert probe.dialogs == ["raw"]


def test_exports_neutralise_formulas_and_markup(hostile_day: dict[str, Any]) -> None:
    day = hostile_day
    base, organizer = day["base"], day["organizer"]
    prefix = f"{base}/organisateur/e/{SLUG}/restitution/export."

    def fetch(fmt: str) -> bytes:
        response = organizer.get(prefix + fmt, timeout=60)
        assert response.status_code == 200, (fmt, response.status_code, response.text[:300])
        return response.content

    table = fetch("csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(table), delimiter=";"))
    assert len(rows) > 5
    dangerous = [c for row in rows for c in row if c.startswith(FORMULA)]
    assert not dangerous, dangerous
    assert any(c == "'" + payload(7) for row in rows for c in row), "payloads are in the CSV"

    markdown = fetch("md").decode()
    assert payload(1)[:4] not in markdown.replace("\\<", "")  # "<img" only escaped
    assert not re.search(r"(?<!\\)<", markdown), "raw < in the Markdown"
    assert "XSS49" not in markdown

    data = fetch("json").decode()
    assert "XSS49" not in data and "XSS{{7*7}}" in data

    for fmt, part in (("docx", "word/document.xml"), ("odt", "content.xml")):
        with zipfile.ZipFile(io.BytesIO(fetch(fmt))) as archive:
            xml = archive.read(part).decode()
        assert "&lt;script data-xss&gt;" in xml, fmt
        assert "<script" not in xml and "XSS49" not in xml, fmt

    pdf = fetch("pdf")
    assert pdf.startswith(b"%PDF")
    assert b"/JavaScript" not in pdf and b"/JS " not in pdf and b"/OpenAction" not in pdf
