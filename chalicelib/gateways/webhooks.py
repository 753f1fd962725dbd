"""The HTTP client of webhook deliveries: the address resolved is the address connected to.

The endpoint's host is resolved once per delivery; every address it resolves to must pass
:func:`chalicelib.domain.webhooks.check_address`, and the connection goes to that address (TLS
still checks the certificate against the host name, sent as SNI and ``Host``), so a DNS answer
that changes between the check and the connection cannot reach an internal address. Redirects
are never followed; the whole request has a time limit; at most 64 KB of the answer is read.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

from chalicelib.domain.webhooks import check_address, check_url

MAX_ANSWER = 64 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: str | None
    body: str
    seconds: float
    address: str


def resolve(host: str, port: int, *, loopback_allowed: bool) -> str:
    """The address to connect to: every address of the host is checked, the first is used."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise OSError(f"{host} has no address")
    for address in addresses:
        check_address(address, loopback_allowed=loopback_allowed)
    return addresses[0]


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, loopback_allowed: bool) -> Answer:
    """POST ``body`` to ``url``; raises ``InvalidInput`` (refused address) or an ``OSError``/urllib3 error."""
    scheme, host, port = check_url(url, loopback_allowed=loopback_allowed)
    address = resolve(host, port, loopback_allowed=loopback_allowed and scheme == "http")
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default_port = 443 if scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    limit = urllib3.Timeout(connect=timeout, read=timeout, total=timeout)
    pool: urllib3.HTTPConnectionPool
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=limit,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=limit, retries=False)
    started = time.monotonic()
    try:
        response = pool.urlopen(
            "POST",
            target,
            body=body,
            headers={
                **headers,
                "Host": host_header,
                "Content-Type": "application/json",
                "User-Agent": "Balabaqsha-Webhooks/1",
            },
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            text = response.read(MAX_ANSWER, decode_content=True).decode("utf-8", "replace")
        finally:
            response.release_conn()
    finally:
        pool.close()
    return Answer(
        status=response.status,
        retry_after=response.headers.get("Retry-After"),
        body=text[:2000],
        seconds=time.monotonic() - started,
        address=address,
    )
