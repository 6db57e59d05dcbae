"""What a vote refuses, each with the message a phone or a console shows."""

from __future__ import annotations

from flask_babel import lazy_gettext

from facilitation.domain.errors import DomainError


class VoteClosed(DomainError):
    code = "vote_closed"
    default_message = lazy_gettext("Le vote n'est pas ouvert dans cet atelier.")
    http_status = 409


class VoteConflict(DomainError):
    code = "vote_conflict"
    default_message = lazy_gettext(
        "Un vote est déjà ouvert dans cet atelier : clôturez-le d'abord."
    )
    http_status = 409


class BudgetExceeded(DomainError):
    """Refused set: the ack still tells the phone where it stands, to resync its buttons."""

    code = "budget"
    default_message = lazy_gettext("Vous n'avez plus de points : retirez-en un d'une autre carte.")
    http_status = 409

    def __init__(self, message: str | None = None, *, count: int = 0, dots_left: int = 0) -> None:
        super().__init__(message)
        self.count = count
        self.dots_left = dots_left

    def as_dict(self) -> dict[str, object]:
        return super().as_dict() | {"count": self.count, "dots_left": self.dots_left}
