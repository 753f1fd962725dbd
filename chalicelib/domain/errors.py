"""Domain errors: each names the rule that was broken, in Kazakh and Russian.

The HTTP layer maps :attr:`DomainError.kind` to a status code in one place
(``chalicelib.api.responses``); nothing else decides status codes.
"""

from __future__ import annotations

from typing import Any, Literal

ErrorKind = Literal[
    "invalid",  # 400/422: the input breaks a rule
    "unauthenticated",  # 401: no valid session
    "forbidden",  # 403: someone else's data, or a role that may not do this
    "not_found",  # 404
    "conflict",  # 409: the state does not allow it (already done, raced)
    "too_large",  # 413
    "unavailable",  # 503: a dependency (revocation data) is unavailable
]


class DomainError(Exception):
    """A refusal with a stable code and a message for people in kk and ru."""

    kind: ErrorKind = "invalid"

    def __init__(
        self,
        code: str,
        kk: str,
        ru: str,
        *,
        details: dict[str, Any] | None = None,
        kind: ErrorKind | None = None,
    ) -> None:
        super().__init__(f"{code}: {ru}")
        self.code = code
        self.kk = kk
        self.ru = ru
        self.details = details or {}
        if kind is not None:
            self.kind = kind

    def body(self) -> dict[str, Any]:
        """The stable JSON error body."""
        return {
            "error": {
                "code": self.code,
                "message": self.ru,
                "messages": {"kk": self.kk, "ru": self.ru},
                "details": self.details,
            }
        }


class InvalidInput(DomainError):
    kind: ErrorKind = "invalid"


class Unauthenticated(DomainError):
    kind: ErrorKind = "unauthenticated"


class Forbidden(DomainError):
    kind: ErrorKind = "forbidden"


class NotFound(DomainError):
    kind: ErrorKind = "not_found"


class Conflict(DomainError):
    kind: ErrorKind = "conflict"


class TooLarge(DomainError):
    kind: ErrorKind = "too_large"


class Unavailable(DomainError):
    kind: ErrorKind = "unavailable"
