"""Input hygiene before any signature check: size, well-formedness, no DTDs or entities.

A document with a DOCTYPE is refused before it is parsed at all, so that neither an
external entity (XXE) nor an entity expansion bomb ("billion laughs") ever reaches
the XML parser's entity machinery; the parser itself is hardened as a second line.
"""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

from chalicelib.eds.model import Check
from chalicelib.eds.refusals import refuse

_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!ELEMENT", b"<!ATTLIST")
_WHITESPACE = re.compile(r"\s+")


def hardened_parser() -> etree.XMLParser:
    """An lxml parser that loads no DTD, resolves no entity and touches no network."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_blank_text=False,
    )


def as_bytes(xml: bytes | str) -> bytes:
    """The document as bytes: text is encoded as UTF-8, bytes are kept exactly."""
    return xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)


def parse_document(data: bytes, *, max_bytes: int) -> etree._Element:
    """The root element of a safe, well-formed document, or a ``malformed`` refusal."""
    if not data.strip():
        raise refuse(Check.MALFORMED, "empty")
    if len(data) > max_bytes:
        raise refuse(Check.MALFORMED, "too_large", max_bytes=max_bytes)
    upper = data.upper()
    if any(marker in upper for marker in _DTD_MARKERS):
        raise refuse(Check.MALFORMED, "dtd")
    try:
        root = etree.fromstring(data, parser=hardened_parser())
    except (etree.XMLSyntaxError, ValueError) as error:
        raise refuse(Check.MALFORMED, "not_xml") from error
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise refuse(Check.MALFORMED, "dtd")
    if any(True for _ in root.iter(etree.Entity)):
        raise refuse(Check.MALFORMED, "dtd")
    return root


def decode_base64(text: str | None) -> bytes:
    """Strict base64 (line breaks and ``&#13;`` allowed, nothing else), or a ``malformed`` refusal."""
    compact = _WHITESPACE.sub("", text or "")
    if not compact:
        raise refuse(Check.MALFORMED, "bad_base64")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as error:
        raise refuse(Check.MALFORMED, "bad_base64") from error


def decode_base64_document(text: str | bytes) -> bytes:
    """A signed document sent base64-encoded (as some clients post it), decoded strictly."""
    return decode_base64(text.decode("ascii", "replace") if isinstance(text, bytes) else text)
