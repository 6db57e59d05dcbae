"""Languages over Socket.IO (issue 6): a refusal's message follows the language of the
browser that opened the socket (its cookie or Accept-Language, read from the handshake)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask

from facilitation.models import Atelier


def test_a_refusal_is_in_the_language_of_the_socket_s_browser(
    app: Flask, make_atelier: Callable[..., Atelier], make_socket: Callable[..., Any]
) -> None:
    atelier = make_atelier()
    english = app.test_client()
    english.get("/langue/en")  # the header's switch: a cookie the handshake carries
    french = app.test_client()
    for client, expected in (
        (english, "Join the event to contribute."),
        (french, "Rejoignez l'événement pour contribuer."),
        (english, "Join the event to contribute."),
    ):
        socket = make_socket(client)
        ack = socket.emit(
            "contribution:create",
            {"atelier_id": atelier.id, "client_id": uuid.uuid4().hex, "titre": "Un café"},
            callback=True,
        )
        assert ack["ok"] is False and ack["code"] == "not_joined"
        assert ack["message"] == expected
