"""Fuzz every HTTP endpoint with random and malformed requests (hypothesis).

For each URL rule of the app (discovered, so new pages are fuzzed too) and each of its
methods, from an anonymous browser, a participant and the event's organizer, with random
path values (real ids and slugs, junk, huge numbers), query strings and bodies (form, JSON,
raw bytes), with or without the CSRF token:

- never a server error (no 5xx; 503 "busy" cannot happen here: nothing holds a lock);
- a refused request (4xx) changes nothing (every table's row count, the ateliers' versions).

``FUZZ_EXAMPLES`` (default 25 here) sets the number of requests per rule and method.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import BuildError, IntegerConverter

from facilitation import create_app
from facilitation.models import Atelier, Participant
from tests.support.fuzz import JSON, WEIRD_TEXT, build_world, fingerprint

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

FORM_KEYS = [
    "code",
    "display_name",
    "structure",
    "commune",
    "atelier_id",
    "consent",
    "client_id",
    "titre",
    "description",
    "public_concerne",
    "email",
    "password",
    "text",
    "comment",
    "action",
    "order",
    "status",
    "contribution_id",
    "chantier_id",
    "pratique_id",
    "request_id",
    "offers",
    "needs",
    "contact",
    "role",
    "next",
]


def _rules() -> list[tuple[str, str, str]]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "fuzz-rules-only-" + "x" * 32,
            "SOCKETIO_ASYNC_MODE": "threading",
        }
    )
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.add((rule.endpoint, rule.rule, method))
    return sorted(found)


RULES = _rules()


@pytest.fixture
def world(
    app: Flask,
    make_atelier: Callable[..., Atelier],
    make_participant: Callable[..., Participant],
    joined_client: Callable[..., FlaskClient],
) -> dict[str, Any]:
    """An event with two ateliers and a card; an anonymous, a participant, an organizer."""
    world = build_world(app, make_atelier, make_participant, joined_client)
    atelier = world.atelier
    clients = {
        "anonymous": app.test_client(),
        "participant": world.participant,
        "organizer": world.organizer_browser,
    }
    tokens = {}
    for name, client in clients.items():
        client.get("/")  # every browser gets its session and CSRF token
        with client.session_transaction() as session:
            tokens[name] = session.get("_csrf", "")
    ids = sorted(
        {atelier.id, world.chantiers.id, world.other.id, world.organizer.id, atelier.event_id}
        | {1, 2, 3}
    )
    return {
        "clients": clients,
        "tokens": tokens,
        "ids": ids,
        "slug": atelier.event.slug,
    }


#: A URL or a form body carries bytes: a lone surrogate cannot be sent as text there (the
#: raw bodies below send its bytes, invalid UTF-8, instead).
HTTP_TEXT = WEIRD_TEXT.filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s))


def path_values(app: Flask, rule_text: str, world: dict[str, Any]) -> st.SearchStrategy[Any]:
    rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text)
    values: dict[str, st.SearchStrategy[Any]] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = st.sampled_from(world["ids"]) | st.integers(0, 2**40)
        elif name == "fmt":
            values[name] = st.sampled_from(["md", "csv", "json", "docx", "odt", "pdf", "x"])
        else:
            values[name] = (
                st.just(world["slug"])
                | st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s)
                | HTTP_TEXT.filter(lambda s: s and "/" not in s)
            )
    return st.fixed_dictionaries(values)


TEXT = st.text(max_size=60) | HTTP_TEXT
BODY = st.dictionaries(st.sampled_from(FORM_KEYS) | st.text(max_size=10), TEXT, max_size=8)


@pytest.mark.parametrize(("endpoint", "rule", "method"), RULES)
def test_no_request_is_a_server_error_or_changes_state_when_refused(
    app: Flask, world: dict[str, Any], endpoint: str, rule: str, method: str
) -> None:
    adapter = app.url_map.bind("facilitation.test")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        values=path_values(app, rule, world),
        who=st.sampled_from(sorted(world["clients"])),
        with_token=st.booleans(),
        kind=st.sampled_from(["form", "json", "raw", "query"]),
        body=BODY,
        # Invalid UTF-8 as an attacker sends it: a lone surrogate's bytes.
        raw=st.binary(max_size=200)
        | JSON.map(str).map(lambda s: s.encode("utf-8", "surrogatepass")),
    )
    def check(
        values: dict[str, Any], who: str, with_token: bool, kind: str, body: dict, raw: bytes
    ) -> None:
        try:
            url = adapter.build(endpoint, values, method=method)
        except BuildError:
            return
        client = world["clients"][who]
        headers = {"X-CSRF-Token": world["tokens"][who]} if with_token else {}
        request: dict[str, Any] = {"headers": headers}
        if kind == "form":
            request["data"] = body
        elif kind == "json":
            request["json"] = body
        elif kind == "raw":
            request["data"] = raw
            request["content_type"] = "application/octet-stream"
        else:
            request["query_string"] = body
        before = fingerprint()

        response = client.open(url, method=method, **request)

        assert response.status_code < 500, (method, url, who, kind, body, response.status)
        if response.status_code >= 400:
            assert fingerprint() == before, (method, url, who, kind, body, response.status)

    check()
