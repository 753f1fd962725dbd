"""A service centre's desk (ХҚКО / ЦОН): file an application for a parent who came in person."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote, unquote

from chalice import Blueprint, Response
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.applications import AddressIn, application_json
from chalicelib.api.responses import handles_errors, json_response, parse_body
from chalicelib.api.security import require_role
from chalicelib.domain.principal import Role

bp = Blueprint(__name__)


class DeskContacts(BaseModel):
    address: AddressIn
    email: str = Field(min_length=3, max_length=254)
    phone: str = Field(min_length=5, max_length=32)


class DeskChild(BaseModel):
    iin: str = Field(min_length=1, max_length=20)


class DeskDraftRequest(BaseModel):
    parent_iin: str = Field(min_length=1, max_length=20)
    consent: Literal["parent_eds", "paper"]
    applicant: DeskContacts
    child: DeskChild
    region: str = Field(min_length=1, max_length=50)
    district: str = Field(min_length=1, max_length=50)
    kindergartens: list[str] = Field(max_length=10)
    language: Literal["kk", "ru"]


class DeskSignedRequest(BaseModel):
    signed_xml: str = Field(min_length=1)


def _desk() -> Any:
    return require_role(bp.current_request, Role.SERVICE_CENTER)


@bp.route("/operator/service-centre/people/{iin}", methods=["GET"], cors=True)
@handles_errors
def person(iin: str) -> Any:
    """The parent and their children as the population registry knows them (step 1 at the desk)."""
    return wiring.service_centre().prefill(_desk(), unquote(iin))


@bp.route("/operator/service-centre/applications/draft", methods=["POST"], cors=True)
@handles_errors
def draft() -> Any:
    from chalicelib.domain.application_form import Address
    from chalicelib.services.applications import DraftInput

    operator = _desk()
    body = parse_body(bp.current_request, DeskDraftRequest)
    xml = wiring.service_centre().draft(
        operator,
        body.parent_iin,
        DraftInput(
            address=Address(**body.applicant.address.model_dump()),
            email=body.applicant.email,
            phone=body.applicant.phone,
            extra_email=None,
            extra_phone=None,
            child_iin=body.child.iin,
            child_surname="",
            child_given_name="",
            child_patronymic=None,
            region=body.region,
            district=body.district,
            kindergartens=tuple(body.kindergartens),
            language=body.language,
            benefit=None,
        ),
        body.consent,
    )
    return {"xml": xml, "signer": "parent" if body.consent == "parent_eds" else "operator"}


@bp.route("/operator/service-centre/applications", methods=["POST"], cors=True)
@handles_errors
def submit() -> Any:
    operator = _desk()
    body = parse_body(bp.current_request, DeskSignedRequest)
    submitted = wiring.service_centre().submit(operator, body.signed_xml)
    answer = {**application_json(submitted.view), "documents_preparing": True}
    if submitted.replayed:
        return json_response(answer, status=200, headers={"Idempotent-Replayed": "true"})
    return json_response(answer, status=201)


@bp.route("/operator/service-centre/applications/{application_id}/hand-over", methods=["POST"], cors=True)
@handles_errors
def hand_over(application_id: str) -> Any:
    """The desk gave the parent the printed documents: the hand-over step (appendix 3, table 2, step 15) ends."""
    return wiring.service_centre().hand_over(_desk(), unquote(application_id))


@bp.route("/operator/service-centre/applications/{application_id}/pack", methods=["GET"], cors=True)
@handles_errors
def pack(application_id: str) -> Any:
    """The four documents in force as one PDF, to print and hand to the parent."""
    name, pdf = wiring.service_centre().pack(_desk(), unquote(application_id))
    return Response(
        body=pdf,
        status_code=200,
        headers={
            "Content-Type": "application/pdf",
            # the number is Cyrillic («УО.…»): an ASCII name, and the real one encoded (RFC 6266)
            "Content-Disposition": f"inline; filename=\"application-documents.pdf\"; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
