"""A minimal DER reader for certificate extensions that ``cryptography`` refuses to parse.

NCA's OCSP responder certificates carry an ``OCSPNoCheck`` extension encoded as an
empty OCTET STRING instead of NULL; ``cryptography`` then refuses to parse *any* of
the certificate's extensions. The extended key usage must still be read (a responder
certificate without OCSPSigning must not be trusted), so this module walks the
to-be-signed bytes itself: tag, length, value, nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator

SEQUENCE = 0x30
OBJECT_IDENTIFIER = 0x06
OCTET_STRING = 0x04
EXTENSIONS = 0xA3  # [3] EXPLICIT in TBSCertificate


class DerError(ValueError):
    """Bytes that are not the DER this module expects."""


def _items(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The (tag, value) pairs laid one after another in ``data``."""
    position = 0
    while position < len(data):
        if position + 2 > len(data):
            raise DerError("truncated")
        tag = data[position]
        length = data[position + 1]
        position += 2
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 4 or position + count > len(data):
                raise DerError("bad length")
            length = int.from_bytes(data[position : position + count], "big")
            position += count
        if position + length > len(data):
            raise DerError("truncated")
        yield tag, data[position : position + length]
        position += length


def _single(data: bytes, tag: int) -> bytes:
    items = list(_items(data))
    if len(items) != 1 or items[0][0] != tag:
        raise DerError("unexpected element")
    return items[0][1]


def decode_oid(value: bytes) -> str:
    """The dotted form of an OBJECT IDENTIFIER's content bytes."""
    if not value:
        raise DerError("empty OID")
    arcs: list[int] = []
    current = 0
    for byte in value:
        current = current << 7 | byte & 0x7F
        if not byte & 0x80:
            arcs.append(current)
            current = 0
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(arc) for arc in head + arcs[1:])


def extension_values(tbs_certificate: bytes) -> dict[str, bytes]:
    """The extensions of a certificate (its ``tbs_certificate_bytes``): dotted OID -> DER value."""
    tbs = _single(tbs_certificate, SEQUENCE)
    found: dict[str, bytes] = {}
    for tag, value in _items(tbs):
        if tag != EXTENSIONS:
            continue
        for extension_tag, extension in _items(_single(value, SEQUENCE)):
            if extension_tag != SEQUENCE:
                raise DerError("extension is not a SEQUENCE")
            parts = list(_items(extension))
            if not parts or parts[0][0] != OBJECT_IDENTIFIER or parts[-1][0] != OCTET_STRING:
                raise DerError("malformed extension")
            found[decode_oid(parts[0][1])] = parts[-1][1]
    return found


def oid_sequence(value: bytes) -> list[str]:
    """The OIDs of a ``SEQUENCE OF OBJECT IDENTIFIER`` (an extended key usage value)."""
    oids = []
    for tag, content in _items(_single(value, SEQUENCE)):
        if tag != OBJECT_IDENTIFIER:
            raise DerError("not an OID")
        oids.append(decode_oid(content))
    return oids
