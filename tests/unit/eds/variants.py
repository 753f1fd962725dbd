"""Malicious and malformed variants of a signed document, for the refusal tests."""

from __future__ import annotations

import copy

from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"ds": DS}


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, load_dtd=False))


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def signature_of(root: etree._Element) -> etree._Element:
    return root.find("ds:Signature", NS)


def with_extra_element(signed: bytes) -> bytes:
    """An unsigned element slipped into the signed document."""
    root = parse(signed)
    root.insert(0, etree.fromstring("<extra>pay to attacker</extra>"))
    return serialise(root)


def wrapped_in_new_root(signed: bytes) -> bytes:
    """The signed document moved inside an attacker's root, next to the attacker's data."""
    root = etree.fromstring("<application><child>someone else</child></application>")
    root.append(parse(signed))
    return serialise(root)


def signature_moved_into_child(signed: bytes) -> bytes:
    """The signature taken from under the root and put into a child element."""
    root = parse(signed)
    signature = signature_of(root)
    root.remove(signature)
    root[0].append(signature)
    return serialise(root)


def signature_duplicated(signed: bytes) -> bytes:
    """A second copy of the signature under the root."""
    root = parse(signed)
    root.append(copy.deepcopy(signature_of(root)))
    return serialise(root)


def signature_as_root(signed: bytes) -> bytes:
    """The signature itself presented as the document (enveloping shape)."""
    return serialise(copy.deepcopy(signature_of(parse(signed))))


def with_signed_info(signed: bytes, xpath: str, attribute: str, value: str) -> bytes:
    """The signed document with one attribute of ``SignedInfo`` changed (the signature is then stale)."""
    root = parse(signed)
    for element in signature_of(root).xpath(xpath, namespaces=NS):
        element.set(attribute, value)
    return serialise(root)


def with_text(signed: bytes, xpath: str, text: str) -> bytes:
    root = parse(signed)
    for element in root.xpath(xpath, namespaces=NS):
        element.text = text
    return serialise(root)


def with_transform(signed: bytes, algorithm: str) -> bytes:
    """One more transform added to the reference."""
    root = parse(signed)
    transforms = signature_of(root).find("ds:SignedInfo/ds:Reference/ds:Transforms", NS)
    etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=algorithm)
    return serialise(root)
