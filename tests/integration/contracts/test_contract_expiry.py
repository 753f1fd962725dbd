"""What a parent left unfinished expires: unused uploads (record, then bytes) and contracts never sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest

from app import app
from chalicelib import wiring
from chalicelib.settings import get_settings
from chalicelib.store.contracts import Contract
from chalicelib.store.registry import all_models
from chalicelib.store.uploads import Upload
from infra.resources.buckets import LIFECYCLE_RULES
from infra.resources.template import app_functions, merge_template
from tests.integration.contracts.conftest import Wizard

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"\xff\xd9"
WEEK = timedelta(days=get_settings().upload_unattached_days)


def _object_exists(key: str) -> bool:
    s3 = boto3.client("s3")
    try:
        s3.head_object(Bucket=get_settings().documents_bucket, Key=key)
    except s3.exceptions.ClientError:
        return False
    return True


def _sweep(api: Any, clock: Any, days: float) -> None:
    """Time passes; the job sweep runs what came due meanwhile."""
    clock.advance(timedelta(days=days))
    wiring.job_worker().drain(lookahead=timedelta(minutes=1))


def test_an_upload_nothing_uses_expires_record_first_then_bytes(api, filing, clock):
    # given a checked scan the parent never attached
    upload_id = filing.upload_scan()
    key = Upload.get(upload_id).key
    # when less than the kept days pass, it stays
    _sweep(api, clock, WEEK.days - 1)
    assert Upload.get(upload_id).status == "accepted" and _object_exists(key)
    # when they have passed, its record and its bytes are gone
    _sweep(api, clock, 1.01)
    with pytest.raises(Upload.DoesNotExist):
        Upload.get(upload_id)
    assert not _object_exists(key)
    assert filing.call("POST", f"/uploads/{upload_id}/complete")[0] == 404


def test_an_upload_an_application_holds_is_kept(api, filing, clock):
    upload_id = filing.upload_scan()
    status, body = filing.file(benefit="large_family", attachments=[upload_id])
    assert status == 201, body
    _sweep(api, clock, WEEK.days + 1)
    upload = Upload.get(upload_id)
    assert upload.status == "accepted" and _object_exists(upload.key)


def test_a_pending_upload_past_its_ttl_is_gone_before_dynamodb_removes_it(api, filing, clock):
    # given an upload announced and never sent (DynamoDB's TTL removes the record lazily)
    status, form = filing.call(
        "POST", "/uploads", {"purpose": "benefit", "file_name": "a.jpg", "content_type": "image/jpeg", "size": 10}
    )
    assert status == 201
    clock.advance(timedelta(days=2, seconds=1))
    # then the record past its TTL counts as gone
    status, body = filing.call("POST", f"/uploads/{form['upload_id']}/complete")
    assert status == 404, body


def test_a_sent_contract_keeps_its_documents(api, sent: Wizard, clock):
    documents = Contract.get(sent.number).steps["documents"]
    _sweep(api, clock, WEEK.days + 2)
    for upload_id in filter(None, documents.values()):
        upload = Upload.get(upload_id)
        assert upload.status == "accepted" and _object_exists(upload.key)
    assert Contract.get(sent.number).steps["documents"] == documents


def test_a_draft_whose_direction_ended_loses_its_personal_data_and_documents(api, wizard: Wizard, clock):
    # given a draft through step 5, never sent
    assert wizard.start()[0] == 201
    wizard.through_step5()
    documents = [u for u in Contract.get(wizard.number).steps["documents"].values() if u]
    stored = [Upload.get(u).key for u in documents]
    # while its direction is live (not lapsed by the sweep yet), nothing of it goes, however long
    _sweep(api, clock, 0.1)
    _sweep(api, clock, WEEK.days + 1)
    assert set(Contract.get(wizard.number).steps) >= {"representative", "details", "documents"}
    assert all(_object_exists(k) for k in stored)
    # when the direction ends (the parent revokes it; or it lapses) and the next daily look comes
    _end_direction(wizard)
    _sweep(api, clock, 1.6)  # looked at daily (a day and up to half a day more, spread)
    # then the draft keeps no personal data, and its documents are gone, record and bytes
    contract = Contract.get(wizard.number)
    assert contract.status == "draft"
    assert not {"representative", "details", "documents"} & set(contract.steps)
    for upload_id, key in zip(documents, stored, strict=True):
        with pytest.raises(Upload.DoesNotExist):
            Upload.get(upload_id)
        assert not _object_exists(key)
    # and the parent sees it cancelled, without links to anything removed
    card = wizard.get()
    assert card["status"] == "cancelled"


def _end_direction(wizard: Wizard) -> None:
    from chalicelib.store.directions import Direction

    direction = Direction.get(wizard.direction)
    if direction.state.live:  # past its deadline the sweep has not lapsed it yet: lapse it as the sweep would
        from chalicelib.functions import directions as direction_functions

        direction_functions.direction_expiry.func({})
    assert not Direction.get(wizard.direction).state.live


def test_the_template_expires_abandoned_uploads_in_s3_and_in_dynamodb():
    template = merge_template(get_settings(), all_models(), app_functions(app))
    resources = template["Resources"]
    uploads = resources["UploadsTable"]["Properties"]
    assert uploads["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    rules = {r["Id"]: r for r in resources["DocumentsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]}
    assert rules["abandoned-uploads"]["Prefix"] == "uploads/incoming/"
    # S3 removes an incoming file no sooner than the record's TTL (two days after the announcement)
    assert rules["abandoned-uploads"]["ExpirationInDays"] == 2
    assert rules["uploads-old-versions"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    # the signed legal record never expires
    assert not any(r.get("Prefix", "").startswith("signed/") for r in LIFECYCLE_RULES)
    # the job worker removes the checked bytes of an unused upload: it may delete under uploads/
    statements = resources["JobWorkerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    writes = next(s for s in statements if s.get("Sid") == "ReadWriteObjects")
    assert "s3:DeleteObject" in writes["Action"]
    assert any("uploads/" in str(r) for r in writes["Resource"])
