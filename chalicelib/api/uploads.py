"""Files a parent sends straight to S3: announce, upload with the presigned form, complete."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response, parse_body
from chalicelib.api.security import require_parent
from chalicelib.domain.uploads import UploadPurpose

bp = Blueprint(__name__)


class UploadRequest(BaseModel):
    purpose: UploadPurpose
    file_name: str = Field(min_length=1, max_length=200)
    content_type: str = Field(min_length=3, max_length=100)
    size: int = Field(ge=0)


@bp.route("/uploads", methods=["POST"], cors=True)
@handles_errors
def start_upload() -> Any:
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, UploadRequest)
    form = wiring.upload_service().start(principal, body.purpose, body.file_name, body.content_type, body.size)
    return json_response(form, status=201)


@bp.route("/uploads/{upload_id}/complete", methods=["POST"], cors=True)
@handles_errors
def complete_upload(upload_id: str) -> Any:
    principal = require_parent(bp.current_request)
    checked = wiring.upload_service().complete(principal, upload_id)
    return {"upload_id": upload_id, "content_type": checked.content_type, "size": checked.size}
