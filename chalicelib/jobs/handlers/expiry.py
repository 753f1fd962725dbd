"""Expiry of what a parent left unfinished: checked uploads nothing uses, contracts never sent.

- ``upload.expire`` (written when an upload is checked, due ``BQ_UPLOAD_UNATTACHED_DAYS`` later):
  an upload an application holds (its attachment keys) or a contract that was sent holds is kept;
  one a contract draft holds waits for the draft (checked again daily); anything else is taken out
  of use (``expiring``: no route accepts it any more), looked up once more, then its record is
  deleted and then its bytes — so no record ever points to removed bytes.
- ``contract.expire-draft`` (written when a contract is started, due
  ``BQ_CONTRACT_DRAFT_CHECK_DAYS`` later): a contract never sent whose direction ended loses its
  personal data (the wizard's steps 3–5) and its documents; the item itself stays, since the
  direction and the history name its number. A draft still live is looked at again daily.

Pending uploads nobody completed need no job: DynamoDB's TTL removes the record after two days
and the bucket's lifecycle the bytes under ``uploads/incoming/`` (``infra/resources/buckets.py``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib import wiring
from chalicelib.domain.contracts import ContractStatus
from chalicelib.jobs.registry import NotYet
from chalicelib.jobs.worker import JobContext
from chalicelib.observability import logger
from chalicelib.store.jobs import Job
from chalicelib.store.uploads import Upload, UploadRepository

RECHECK = timedelta(days=1)
PERSONAL_STEPS = ("representative", "details", "documents")


def _contracts() -> Any:
    from chalicelib.store.contracts import ContractRepository

    return ContractRepository()


def _draft_is_over(contract: Any) -> bool:
    """A contract never sent whose direction is no longer live (shown ``cancelled``)."""
    if contract.status != ContractStatus.DRAFT.value or contract.sent_at is not None:
        return False
    from chalicelib.store.directions import DirectionRepository

    direction = DirectionRepository().find(contract.direction_number)
    return direction is None or not direction.state.live


def _holders(upload: Upload) -> tuple[list[str], list[Any]]:
    """Applications holding the upload's bytes, and contracts naming it in their documents step."""
    applications = [
        app.id
        for app in wiring.applications().list_for_parent(upload.owner_iin)
        if upload.key in (app.attachment_keys or [])
    ]
    contracts = [
        contract
        for contract in _contracts().for_applicant(upload.owner_iin)
        if upload.upload_id in ((contract.steps or {}).get("documents") or {}).values()
    ]
    return applications, contracts


def upload(job: Job, context: JobContext) -> dict[str, Any] | None:
    uploads = UploadRepository()
    found = uploads.get(job.payload["upload_id"])
    if found is None:
        return {"outcome": "gone"}
    applications, contracts = _holders(found)
    sent = [c.number for c in contracts if c.sent_at is not None or c.status != ContractStatus.DRAFT.value]
    if applications or sent:
        return {"outcome": "kept", "used_by": applications or sent}
    if contracts:  # a draft holds it: the draft's own expiry removes it with the draft's data
        raise NotYet("held by a contract draft", RECHECK.total_seconds())
    if found.status == "accepted" and not uploads.mark_expiring(found):
        return {"outcome": "changed meanwhile"}
    applications, contracts = _holders(found)  # taken by a submission just before it went out of use
    if applications or contracts:
        uploads.keep(found)
        return {"outcome": "kept", "used_by": applications or [c.number for c in contracts]}
    _remove(uploads, found)
    return {"outcome": "removed"}


def _remove(uploads: UploadRepository, found: Upload) -> None:
    """The record first, then the bytes: a failure between leaves bytes nothing names, removed on the retry."""
    key = found.key
    if found.status != "expiring":
        uploads.mark_expiring(found)
    uploads.discard(found)
    wiring.objects().delete(key)


def contract_draft(job: Job, context: JobContext) -> dict[str, Any] | None:
    contracts = _contracts()
    contract = contracts.find(job.payload["number"])
    if contract is None or contract.status != ContractStatus.DRAFT.value or contract.sent_at is not None:
        return {"outcome": "not a draft"}
    if not _draft_is_over(contract):
        raise NotYet("the draft's direction is still live", RECHECK.total_seconds())
    steps = dict(contract.steps or {})
    documents = dict(steps.get("documents") or {})
    if any(step in steps for step in PERSONAL_STEPS) or contract.eds_nonce:
        remaining = {name: value for name, value in steps.items() if name not in PERSONAL_STEPS}
        # conditioned on the version read: a contract that moved meanwhile is looked at again
        contracts.save_now(contract, {"steps": remaining, "eds_nonce": None, "eds_nonce_expires": None})
    uploads = UploadRepository()
    removed = 0
    for upload_id in documents.values():
        found = uploads.get(upload_id) if upload_id else None
        if found is not None and found.owner_iin == contract.applicant_iin:
            _remove(uploads, found)
            removed += 1
    logger.info("contract draft expired", extra={"contract": contract.number, "documents_removed": removed})
    return {"outcome": "expired", "documents_removed": removed}
