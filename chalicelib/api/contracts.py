"""The parent's electronic contracts (seed 000): start on a direction, the six steps, send, read.

Step bodies are validated by the domain (``chalicelib.domain.contract_form``), which names the
refused field (``details.field``: ``representative.iin``, ``bank.iban`` …) in Kazakh and Russian.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from chalice import Blueprint, Response
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response, parse_body
from chalicelib.api.security import require_parent
from chalicelib.clock import local_time

if TYPE_CHECKING:
    from chalicelib.services.contracts import ContractView

bp = Blueprint(__name__)


class ReadRequest(BaseModel):
    read: bool = False


class SignedRequest(BaseModel):
    signed_xml: str = Field(min_length=1)


class ConfirmRequest(BaseModel):
    read_confirmed: bool = False


class SendRequest(BaseModel):
    signed_xml: str = Field(min_length=1)
    read_confirmed: bool = False


class Freeform(BaseModel):
    """A step's body: its fields are checked by the domain, which names each refused one."""

    model_config = {"extra": "allow"}


def _step_body() -> dict[str, Any]:
    body = parse_body(bp.current_request, Freeform)
    return dict(body.model_extra or {})


def _bilingual(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return {"kk": value.get("kk", ""), "ru": value.get("ru", "")}
    return {"kk": value.kk, "ru": value.ru}


def _refusal_json(refusal: dict[str, Any] | None) -> dict[str, Any] | None:
    """The kindergarten's last refusal: its reason, when, and who signed it (never the stored record's key)."""
    if not refusal:
        return None
    shown = {k: refusal[k] for k in ("reason", "at", "by") if k in refusal}
    signature = refusal.get("signature")
    if signature:
        shown["signed_by"] = signature.get("signer_name")
        shown["certificate_serial"] = signature.get("certificate_serial")
    return shown


def contract_json(view: ContractView, *, full: bool = True, for_kindergarten: bool = False) -> dict[str, Any]:
    """A contract as the parent (or, without the parent's AUTH check data, the kindergarten) sees it."""
    from chalicelib.domain.contracts import Step
    from chalicelib.services.contracts import VALIDITY

    c = view.contract
    k, d, t = view.kindergarten, view.direction, view.template
    steps = dict(c.steps or {})
    body: dict[str, Any] = {
        "number": c.number,
        "direction_number": c.direction_number,
        "application_id": c.application_id,
        "status": view.status.value,
        "status_kk": view.status.kk,
        "status_ru": view.status.ru,
        "status_at": c.status_at.isoformat(),
        "started_at": c.started_at.isoformat(),
        "sent_at": c.sent_at.isoformat() if c.sent_at else None,
        "signed_at": c.signed_at.isoformat() if c.signed_at else None,
        "concluded_on": local_time(c.signed_at).date().isoformat() if c.signed_at else None,
        "validity": {"kk": VALIDITY.kk, "ru": VALIDITY.ru},
        "kindergarten": {
            "id": c.kindergarten_id,
            "name": _bilingual(k.name) if k else None,
            "address": _bilingual(k.address) if k else None,
            "phone": k.phone if k else None,
            "bin": k.bin if k else None,
        },
        "child": {"full_name": c.child_full_name, "iin": c.child_iin, "birth_date": c.birth_date.isoformat()},
        "direction": (
            {"status": d.status, "deadline": d.deadline.isoformat(), "clock_paused": d.paused_seconds is not None}
            if d
            else None
        ),
        "refusal": _refusal_json(c.refusal),
        "refusals": int(c.refusals or 0),
        "template_version": int(c.template_version),
        "prices": view.prices,
        "prices_fixed_on": c.prices_fixed_on.isoformat() if c.prices_fixed_on else None,
        "signatures": [
            {key: value for key, value in signature.items() if key not in {"xml_key"}}
            for signature in (c.representative_signature, c.kindergarten_signature)
            if signature
        ],
        "actions": list(view.actions),
        "document_url": view.document_url,
        "document_preparing": view.document_preparing,
    }
    if view.documents is not None:
        body["document_links"] = view.documents
    if not full:
        return body
    body["step"] = view.step.value
    body["steps"] = {
        step.key: (bool(steps.get(step.key)) if step is Step.INFO else steps.get(step.key))
        for step in Step
        if step is not Step.CONFIRM
    }
    if for_kindergarten:
        body["steps"].pop(Step.EDS.key, None)
    body["title"] = t.title if t else None
    body["sections"] = t.sections if t else []
    return body


def _number(number: str) -> str:
    return unquote(number)


@bp.route("/contracts", methods=["GET"], cors=True)
@handles_errors
def mine() -> Any:
    principal = require_parent(bp.current_request)
    views = wiring.contract_service().list_mine(principal)
    return {"items": [contract_json(view, full=False) for view in views]}


@bp.route("/directions/{number}/contract", methods=["POST"], cors=True)
@handles_errors
def start(number: str) -> Any:
    principal = require_parent(bp.current_request)
    view, created = wiring.contract_service().start(principal, _number(number))
    return json_response(contract_json(view), status=201 if created else 200)


@bp.route("/contracts/{number}", methods=["GET"], cors=True)
@handles_errors
def one(number: str) -> Any:
    principal = require_parent(bp.current_request)
    return contract_json(wiring.contract_service().view(principal, _number(number)))


@bp.route("/contracts/{number}/steps/info", methods=["POST"], cors=True)
@handles_errors
def info(number: str) -> Any:
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, ReadRequest)
    return contract_json(wiring.contract_service().save_info(principal, _number(number), body.read))


@bp.route("/contracts/{number}/eds-challenge", methods=["POST"], cors=True)
@handles_errors
def eds_challenge(number: str) -> Any:
    principal = require_parent(bp.current_request)
    return {"xml": wiring.contract_service().eds_challenge(principal, _number(number))}


@bp.route("/contracts/{number}/steps/eds", methods=["POST"], cors=True)
@handles_errors
def eds(number: str) -> Any:
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, SignedRequest)
    return contract_json(wiring.contract_service().save_eds(principal, _number(number), body.signed_xml))


@bp.route("/contracts/{number}/steps/representative", methods=["PUT"], cors=True)
@handles_errors
def representative(number: str) -> Any:
    principal = require_parent(bp.current_request)
    return contract_json(wiring.contract_service().save_representative(principal, _number(number), _step_body()))


@bp.route("/contracts/{number}/steps/details", methods=["PUT"], cors=True)
@handles_errors
def details(number: str) -> Any:
    principal = require_parent(bp.current_request)
    return contract_json(wiring.contract_service().save_details(principal, _number(number), _step_body()))


@bp.route("/contracts/{number}/steps/documents", methods=["PUT"], cors=True)
@handles_errors
def documents(number: str) -> Any:
    principal = require_parent(bp.current_request)
    return contract_json(wiring.contract_service().save_documents(principal, _number(number), _step_body()))


@bp.route("/contracts/{number}/draft.pdf", methods=["GET"], cors=True)
@handles_errors
def draft(number: str) -> Any:
    principal = require_parent(bp.current_request)
    pdf = wiring.contract_service().draft_pdf(principal, _number(number))
    return Response(
        body=pdf,
        status_code=200,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f'inline; filename="contract-draft-{_number(number)}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/contracts/{number}/signing-document", methods=["POST"], cors=True)
@handles_errors
def signing_document(number: str) -> Any:
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, ConfirmRequest)
    return {"xml": wiring.contract_service().signing_document(principal, _number(number), body.read_confirmed)}


@bp.route("/contracts/{number}/send", methods=["POST"], cors=True)
@handles_errors
def send(number: str) -> Any:
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, SendRequest)
    view = wiring.contract_service().send(principal, _number(number), body.signed_xml, body.read_confirmed)
    return contract_json(view)


@bp.route("/contracts/{number}/document", methods=["GET"], cors=True)
@handles_errors
def final_document(number: str) -> Any:
    from chalicelib.domain.contracts import ContractStatus, document_preparing, not_signed_yet

    principal = require_parent(bp.current_request)
    url = wiring.contract_service().document_url(principal, _number(number))
    if url is None:
        status = wiring.contract_service().view(principal, _number(number)).status
        if status is ContractStatus.SIGNED:  # its job renders it within seconds
            raise document_preparing()
        raise not_signed_yet(status)
    return {"url": url}
