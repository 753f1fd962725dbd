"""Signing in with the EDS (parents and operators) and the parent's contact details."""

from __future__ import annotations

from typing import Any, Literal

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response, parse_body
from chalicelib.api.security import current_principal, require_parent
from chalicelib.domain.principal import Principal

bp = Blueprint(__name__)


class ChallengeRequest(BaseModel):
    audience: Literal["parent", "operator"] = "parent"


class SignInRequest(BaseModel):
    signed_xml: str = Field(min_length=1)


class ContactsRequest(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    phone: str = Field(min_length=5, max_length=32)
    extra_email: str | None = Field(default=None, max_length=254)
    extra_phone: str | None = Field(default=None, max_length=32)


def _person(principal: Principal) -> dict[str, Any]:
    return {
        "iin": principal.iin,
        "full_name": principal.full_name,
        "role": principal.role.value,
        "certificate_serial": principal.certificate_serial,
        "region": principal.region,
        "district": principal.district,
    }


@bp.route("/auth/challenge", methods=["POST"], cors=True)
@handles_errors
def challenge() -> Any:
    body = parse_body(bp.current_request, ChallengeRequest)
    issued = wiring.auth_service().issue_challenge(body.audience)
    return json_response(
        {"nonce": issued.nonce, "xml": issued.xml, "expires_at": issued.expires_at.isoformat()}, status=201
    )


@bp.route("/auth/sign-in", methods=["POST"], cors=True)
@handles_errors
def sign_in() -> Any:
    body = parse_body(bp.current_request, SignInRequest)
    result = wiring.auth_service().sign_in(body.signed_xml)
    return {
        "token": result.token,
        "expires_at": result.expires_at.isoformat(),
        "expires_in": result.expires_in,
        "person": _person(result.principal),
        "needs_contacts": result.needs_contacts,
    }


@bp.route("/me", methods=["GET"], cors=True)
@handles_errors
def me() -> Any:
    principal = current_principal(bp.current_request)
    body: dict[str, Any] = {"person": _person(principal)}
    if principal.role.value == "parent":
        account = wiring.auth_service().profile(principal)
        body["contacts"] = {
            "email": account.email if account else None,
            "phone": account.phone if account else None,
            "extra_email": account.extra_email if account else None,
            "extra_phone": account.extra_phone if account else None,
        }
        body["needs_contacts"] = not (account and account.email and account.phone)
    return body


@bp.route("/me/contacts", methods=["PUT"], cors=True)
@handles_errors
def save_contacts() -> Any:
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, ContactsRequest)
    account = wiring.auth_service().save_contacts(principal, body.email, body.phone, body.extra_email, body.extra_phone)
    return {
        "contacts": {
            "email": account.email,
            "phone": account.phone,
            "extra_email": account.extra_email,
            "extra_phone": account.extra_phone,
        },
        "needs_contacts": False,
    }
