"""A test CA's CRL and OCSP served over HTTP on 127.0.0.1, and an S3 bucket in moto."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.settings import get_settings
from chalicelib.store.objects import ObjectStore
from infra.local.testca import TestCA
from tests.pki import PKI_NOW


class RevocationServer:
    """Serves ``GET /crl/issuing.crl`` and ``POST /ocsp`` for a test CA, on a port of its own."""

    def __init__(self, ca: TestCA) -> None:
        self.ca = ca
        self.failing = False
        self.crl_body: bytes | None = None  # fixed bytes to serve instead of a fresh CRL
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                server.requests.append(f"GET {self.path}")
                if server.failing or self.path != "/crl/issuing.crl":
                    self._answer(503, b"unavailable", "text/plain")
                    return
                body = server.crl_body if server.crl_body is not None else server.ca.publish()
                self._answer(200, body, "application/pkix-crl")

            def do_POST(self) -> None:
                server.requests.append(f"POST {self.path}")
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if server.failing or self.path != "/ocsp":
                    self._answer(503, b"unavailable", "text/plain")
                    return
                self._answer(200, server.ca.ocsp_respond(body), "application/ocsp-response")

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self.crl_url = f"{self.base_url}/crl/issuing.crl"
        self.ocsp_url = f"{self.base_url}/ocsp"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def start(self) -> RevocationServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def count(self, prefix: str) -> int:
        return sum(1 for request in self.requests if request.startswith(prefix))


@pytest.fixture
def revocation_ca() -> TestCA:
    """A CA of this test only: what it revokes concerns nobody else."""
    return TestCA(now=PKI_NOW)


@pytest.fixture
def revocation_server(revocation_ca: TestCA) -> Iterator[RevocationServer]:
    server = RevocationServer(revocation_ca).start()
    yield server
    server.stop()


@pytest.fixture
def documents_bucket() -> Iterator[ObjectStore]:
    """The documents bucket in in-process moto."""
    get_settings.cache_clear()
    settings = get_settings()
    with mock_aws():
        boto3.client("s3", region_name=settings.aws_region).create_bucket(
            Bucket=settings.documents_bucket,
            CreateBucketConfiguration={"LocationConstraint": settings.aws_region},
        )
        yield ObjectStore(settings.documents_bucket)
    get_settings.cache_clear()
