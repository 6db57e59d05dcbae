"""Domain errors, each carrying a message a participant can read (French first).

Messages are marked with ``lazy_gettext``: they are translated when read (``message``,
``errors``, ``as_dict()``), so a refusal follows the language of the request or socket that
gets it, not the one of whoever imported the module first.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext


class DomainError(Exception):
    """A refused action. ``code`` is stable for clients; ``message`` is for people."""

    code = "error"
    default_message: Any = lazy_gettext("Action impossible.")
    http_status = 400

    def __init__(self, message: Any = None, errors: dict[str, Any] | None = None) -> None:
        self._message = message or self.default_message
        self._errors = errors or {}
        super().__init__(self._message)

    @property
    def message(self) -> str:
        """The message in the current request's language."""
        return str(self._message)

    @property
    def errors(self) -> dict[str, str]:
        """Field -> message, in the current request's language."""
        return {field: str(text) for field, text in self._errors.items()}

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, object]:
        return {"ok": False, "code": self.code, "message": self.message, "errors": self.errors}


class ValidationError(DomainError):
    code = "invalid"
    default_message: Any = lazy_gettext("Certains champs sont à corriger.")
    http_status = 422


class NotFound(DomainError):
    code = "not_found"
    default_message: Any = lazy_gettext("Introuvable.")
    http_status = 404


class Forbidden(DomainError):
    code = "forbidden"
    default_message: Any = lazy_gettext("Vous n'avez pas le droit de faire cela.")
    http_status = 403


class NotJoined(Forbidden):
    code = "not_joined"
    default_message: Any = lazy_gettext("Rejoignez d'abord cet atelier pour y contribuer.")


class Closed(DomainError):
    code = "closed"
    default_message: Any = lazy_gettext(
        "L'événement est clos : il n'est plus possible de contribuer."
    )
    http_status = 409


class RateLimited(DomainError):
    """Too many actions in a short time (see facilitation/edge/ratelimit.py)."""

    code = "rate_limited"
    default_message: Any = lazy_gettext(
        "Vous envoyez trop de choses à la fois : patientez quelques secondes."
    )
    http_status = 429

    def __init__(self, message: str | None = None, retry_after: int = 1) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(
            message
            or lazy_gettext(
                "Vous envoyez trop de choses à la fois : réessayez dans %(seconds)s s.",
                seconds=self.retry_after,
            )
        )

    def as_dict(self) -> dict[str, object]:
        return super().as_dict() | {"retry_after": self.retry_after}


class Busy(DomainError):
    """The database stayed locked (SQLite busy) after bounded retries: nothing was saved."""

    code = "busy"
    default_message: Any = lazy_gettext(
        "Le serveur est très sollicité et n'a rien pu enregistrer pour l'instant : "
        "réessayez dans un instant."
    )
    http_status = 503
