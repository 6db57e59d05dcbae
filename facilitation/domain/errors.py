"""Domain errors, each carrying a message a participant can read (French first)."""

from __future__ import annotations


class DomainError(Exception):
    """A refused action. ``code`` is stable for clients; ``message`` is for people."""

    code = "error"
    default_message = "Action impossible."
    http_status = 400

    def __init__(self, message: str | None = None, errors: dict[str, str] | None = None) -> None:
        self.message = message or self.default_message
        self.errors = errors or {}
        super().__init__(self.message)

    def as_dict(self) -> dict[str, object]:
        return {"ok": False, "code": self.code, "message": self.message, "errors": self.errors}


class ValidationError(DomainError):
    code = "invalid"
    default_message = "Certains champs sont à corriger."
    http_status = 422


class NotFound(DomainError):
    code = "not_found"
    default_message = "Introuvable."
    http_status = 404


class Forbidden(DomainError):
    code = "forbidden"
    default_message = "Vous n'avez pas le droit de faire cela."
    http_status = 403


class NotJoined(Forbidden):
    code = "not_joined"
    default_message = "Rejoignez d'abord cet atelier pour y contribuer."


class Closed(DomainError):
    code = "closed"
    default_message = "L'événement est clos : il n'est plus possible de contribuer."
    http_status = 409


class RateLimited(DomainError):
    """Too many actions in a short time (see facilitation/ratelimit.py)."""

    code = "rate_limited"
    default_message = "Vous envoyez trop de choses à la fois : patientez quelques secondes."
    http_status = 429

    def __init__(self, message: str | None = None, retry_after: int = 1) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(
            message
            or f"Vous envoyez trop de choses à la fois : réessayez dans {self.retry_after} s."
        )

    def as_dict(self) -> dict[str, object]:
        return super().as_dict() | {"retry_after": self.retry_after}


class Busy(DomainError):
    """The database stayed locked (SQLite busy) after bounded retries: nothing was saved."""

    code = "busy"
    default_message = (
        "Le serveur est très sollicité et n'a rien pu enregistrer pour l'instant : "
        "réessayez dans un instant."
    )
    http_status = 503
