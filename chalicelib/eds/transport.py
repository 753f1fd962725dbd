"""Plain HTTP for revocation data: GET a CRL, POST an OCSP request. Time-boxed and size-capped.

The standard library is enough here and keeps the Lambda package small. Both calls are
injectable (``Fetch``, ``Post``) so that tests answer from memory or a local server.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # NCA's full CRLs are large; anything beyond this is not a CRL

Fetch = Callable[[str, float], bytes]
Post = Callable[[str, bytes, str, float], bytes]


class TransportError(Exception):
    """The revocation source could not be reached or answered badly."""


def _checked(url: str) -> str:
    if urlsplit(url).scheme not in {"http", "https"}:
        raise TransportError(f"not an HTTP address: {url}")
    return url


def _read(request: urllib.request.Request, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except OSError as error:  # URLError, HTTPError, timeouts are all OSErrors
        raise TransportError(str(error)) from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise TransportError("response too large")
    return body


def http_get(url: str, timeout: float) -> bytes:
    """The body at ``url`` (a CRL), or :class:`TransportError`."""
    return _read(urllib.request.Request(_checked(url), method="GET"), timeout)


def http_post(url: str, body: bytes, content_type: str, timeout: float) -> bytes:
    """POST ``body`` to ``url`` (an OCSP request) and return the answer, or :class:`TransportError`."""
    request = urllib.request.Request(
        _checked(url), data=body, method="POST", headers={"Content-Type": content_type}
    )
    return _read(request, timeout)
