"""Helpers to file a queue application the way the web front end does (used across the integration tests)."""

from __future__ import annotations

from typing import Any

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"\xff\xd9"  # a small but whole JPEG
CHILD = "220910635004"  # Серікова Аяла, child of the demo "parent" and "second_parent" (population fixture)


def draft_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "applicant": {
            "address": {
                "city": "Астана",
                "district": "Есіл ауданы",
                "street": "Сығанақ көшесі",
                "house": "15",
                "flat": "7",
            },
            "email": "aigul@mail.kz",
            "phone": "+77011234567",
        },
        "child": {"iin": CHILD},
        "region": "astana",
        "district": "esil",
        "kindergartens": ["ast-esil-012"],
        "language": "kk",
        "benefit": None,
        "attachments": [],
    }
    body.update(changes)
    return body


class Filing:
    """A signed-in parent filing through the API."""

    def __init__(self, api: Any, person: Any) -> None:
        self.api = api
        self.person = person
        self.token = api.parent_token(person)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, answer = self.api.call(method, path, body, self.token)
        if status == 401 and answer["error"]["code"] == "auth.expired_token":  # the clock moved on
            self.token = self.api.parent_token(self.person)
            status, answer = self.api.call(method, path, body, self.token)
        return status, answer

    def file(self, *, run_jobs: bool = True, **changes: Any) -> tuple[int, Any]:
        """Draft, sign and send; then run the jobs of the registration (documents, messages)
        as the worker would, unless ``run_jobs`` is False."""
        status, drafted = self.call("POST", "/applications/draft", draft_body(**changes))
        if status != 200:
            return status, drafted
        signed = self.api.sign(drafted["xml"], self.person.sign).decode()
        before, self.api.jobs_after_requests = self.api.jobs_after_requests, run_jobs and self.api.jobs_after_requests
        try:
            return self.call("POST", "/applications", {"signed_xml": signed})
        finally:
            self.api.jobs_after_requests = before

    def upload_scan(self, data: bytes = JPEG, purpose: str = "benefit") -> str:
        """A checked upload: announced, put in S3 as the browser's presigned POST would, completed."""
        import boto3

        from chalicelib.settings import get_settings

        status, form = self.call(
            "POST",
            "/uploads",
            {"purpose": purpose, "file_name": "scan.jpg", "content_type": "image/jpeg", "size": len(data)},
        )
        assert status == 201, form
        boto3.client("s3").put_object(Bucket=get_settings().documents_bucket, Key=form["fields"]["key"], Body=data)
        status, completed = self.call("POST", f"/uploads/{form['upload_id']}/complete")
        assert status == 200, completed
        return form["upload_id"]
