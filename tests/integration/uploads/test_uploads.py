"""Uploads straight to S3 with a presigned POST, then checked by the server."""

from __future__ import annotations

import boto3

from chalicelib.settings import get_settings

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100 + b"IEND\xaeB`\x82"


def upload(api, token, data, *, purpose="benefit", content_type="image/jpeg", name="scan.jpg"):
    status, form = api.call(
        "POST",
        "/uploads",
        {"purpose": purpose, "file_name": name, "content_type": content_type, "size": len(data)},
        token,
    )
    assert status == 201, form
    key = form["fields"]["key"]
    boto3.client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key, Body=data)
    return form["upload_id"]


def test_a_scan_is_uploaded_and_accepted(api, pki_people):
    token = api.parent_token(pki_people["parent"])
    upload_id = upload(api, token, JPEG)
    status, body = api.call("POST", f"/uploads/{upload_id}/complete", token=token)
    assert status == 200, body
    assert body == {"upload_id": upload_id, "content_type": "image/jpeg", "size": len(JPEG)}


def test_a_png_named_jpg_is_refused_for_contract_documents_and_removed(api, pki_people):
    # given a PNG announced as a JPEG photo for the contract
    token = api.parent_token(pki_people["parent"])
    upload_id = upload(api, token, PNG, purpose="contract", name="photo.jpg")
    # when the upload is completed
    status, body = api.call("POST", f"/uploads/{upload_id}/complete", token=token)
    # then it is refused by its content, and nothing of it is kept
    assert status == 422
    assert body["error"]["code"] == "upload.wrong_type"
    assert api.call("POST", f"/uploads/{upload_id}/complete", token=token)[0] == 404


def test_an_oversized_file_is_refused_before_upload(api, pki_people):
    token = api.parent_token(pki_people["parent"])
    status, body = api.call(
        "POST",
        "/uploads",
        {"purpose": "contract", "file_name": "p.jpg", "content_type": "image/jpeg", "size": 2_200_000},
        token,
    )
    assert status == 413
    assert body["error"]["code"] == "upload.too_large"


def test_someone_elses_upload_cannot_be_used(api, pki_people):
    owner = api.parent_token(pki_people["parent"])
    upload_id = upload(api, owner, JPEG)
    stranger = api.parent_token(pki_people["other_parent"])
    status, body = api.call("POST", f"/uploads/{upload_id}/complete", token=stranger)
    assert status == 403
    assert body["error"]["code"] == "upload.not_yours"


def _policy(form):
    import base64
    import json

    return json.loads(base64.b64decode(form["fields"]["policy"]))


def test_upload_keys_are_opaque_and_the_form_binds_key_type_and_exact_size(api, pki_people):
    parent = pki_people["parent"]
    token = api.parent_token(parent)
    status, form = api.call(
        "POST",
        "/uploads",
        {"purpose": "benefit", "file_name": f"{parent.person.iin} АХМЕТОВА.jpg", "content_type": "image/jpeg"}
        | {"size": len(JPEG)},
        token,
    )
    assert status == 201, form
    key = form["fields"]["key"]
    assert parent.person.iin not in key and "АХМЕТОВА" not in key and form["upload_id"] in key
    conditions = _policy(form)["conditions"]
    assert ["content-length-range", len(JPEG), len(JPEG)] in conditions
    assert {"key": key} in conditions or ["eq", "$key", key] in conditions
    assert {"Content-Type": "image/jpeg"} in conditions


def test_a_second_upload_after_completion_replaces_nothing_that_was_checked(api, pki_people):
    # given a checked scan
    token = api.parent_token(pki_people["parent"])
    announced = {"purpose": "benefit", "file_name": "scan.jpg", "content_type": "image/jpeg", "size": len(JPEG)}
    status, form = api.call("POST", "/uploads", announced, token)
    assert status == 201, form
    s3 = boto3.client("s3")
    bucket = get_settings().documents_bucket
    s3.put_object(Bucket=bucket, Key=form["fields"]["key"], Body=JPEG)
    assert api.call("POST", f"/uploads/{form['upload_id']}/complete", token=token)[0] == 200
    # when the same presigned form is used again with other bytes
    s3.put_object(Bucket=bucket, Key=form["fields"]["key"], Body=b"MZ" + b"\x00" * 300)
    # then the kept file is still the checked one, under a key no form writes, without the parent's IIN
    from chalicelib import wiring
    from chalicelib.domain.principal import Principal, Role
    from chalicelib.domain.uploads import UploadPurpose

    owner = Principal(iin=pki_people["parent"].person.iin, full_name="", role=Role.PARENT, certificate_serial="")
    kept = wiring.upload_service().accepted(owner, (form["upload_id"],), UploadPurpose.BENEFIT)[0]
    assert kept.key != form["fields"]["key"] and owner.iin not in kept.key
    assert s3.get_object(Bucket=bucket, Key=kept.key)["Body"].read() == JPEG
