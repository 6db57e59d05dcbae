"""The CSRF token of a page, as a browser would submit it with the page's form."""

from __future__ import annotations

import re

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_from(html: str) -> str:
    """The ``csrf_token`` hidden field's value in ``html`` (the page's form)."""
    match = _TOKEN.search(html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


def form_token(client, url: str) -> str:  # type: ignore[no-untyped-def]
    """GET ``url`` with a Flask test client and return its form's token (cookie kept)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return token_from(response.get_data(as_text=True))
