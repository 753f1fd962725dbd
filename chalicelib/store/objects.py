"""A small S3 object store: bytes in, bytes out, by key, in the documents bucket.

Used for everything kept as an object: signed XML as received (the legal record),
uploaded scans, generated PDFs, cached revocation lists. The boto3 client is created
on first use and reused, so importing this module costs nothing at cold start;
``AWS_ENDPOINT_URL`` (the embedded moto server locally) is honoured.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chalicelib.settings import aws_endpoint_url, get_settings


class ObjectStore:
    """Objects in one S3 bucket."""

    def __init__(self, bucket: str | None = None, *, client: Any | None = None) -> None:
        self.bucket = bucket or get_settings().documents_bucket
        self._client = client

    @property
    def client(self) -> Any:
        """The boto3 S3 client, created on first use."""
        if self._client is None:
            import boto3

            self._client = boto3.client(
                "s3", region_name=get_settings().aws_region, endpoint_url=aws_endpoint_url()
            )
        return self._client

    def put(
        self,
        key: str,
        body: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Store ``body`` under ``key``, replacing what was there."""
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata or {}
        )

    def get(self, key: str) -> bytes | None:
        """The bytes stored under ``key``, or ``None`` when there is no such object."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.NoSuchKey:
            return None
        return response["Body"].read()

    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        """Remove the object under ``key`` (nothing happens if there is none)."""
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def presigned_post(
        self, key: str, *, content_type: str, max_bytes: int, min_bytes: int = 1, expires_in: int = 900
    ) -> dict[str, Any]:
        """A form that lets a browser POST one file straight to ``key`` (size and type limited by S3).

        The limits are enforced by S3 in AWS only (moto ignores them): the server reads and
        checks every upload itself before using it.
        """
        return self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", min_bytes, max_bytes]],
            ExpiresIn=expires_in,
        )

    def presigned_get(
        self, key: str, *, file_name: str | None = None, expires_in: int = 300, ascii_name: str | None = None
    ) -> str:
        """A short-lived link to download ``key`` as ``file_name`` (Kazakh and Russian names are sent
        as RFC 6266 ``filename*``, with ``ascii_name`` or the key's last part for old clients)."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if file_name:
            if file_name.isascii():
                params["ResponseContentDisposition"] = f'attachment; filename="{file_name}"'
            else:
                fallback = ascii_name or key.rsplit("/", 1)[-1]
                params["ResponseContentDisposition"] = (
                    f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
                )
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
