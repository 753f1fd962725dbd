"""Who is calling: the session token's principal, and the role a route requires."""

from __future__ import annotations

from chalice.app import Request

from chalicelib import wiring
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.principal import Principal, Role


def current_principal(request: Request) -> Principal:
    return wiring.session_tokens().principal(request.headers.get("authorization"), wiring.clock().now())


def require_role(request: Request, *roles: Role) -> Principal:
    """The caller, refused unless their role is one of ``roles``."""
    principal = current_principal(request)
    if principal.role not in roles:
        raise Forbidden(
            "auth.role_not_allowed",
            "Бұл әрекетке рұқсатыңыз жоқ.",
            "У вас нет прав на это действие.",
            details={"role": principal.role.value, "allowed": [r.value for r in roles]},
        )
    return principal


def require_parent(request: Request) -> Principal:
    return require_role(request, Role.PARENT)


def require_operator(request: Request) -> Principal:
    return require_role(request, Role.EDUCATION_DEPARTMENT, Role.SERVICE_CENTER)


def require_kindergarten(request: Request) -> Principal:
    """A kindergarten's portal, by its API key (``Authorization: Bearer bqk_<key id>.<secret>``)."""
    return wiring.partner_keys().principal(request.headers.get("authorization"))
