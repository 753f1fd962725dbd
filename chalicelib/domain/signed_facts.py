"""Every fact of a signed statement equals the server's state: the comparison that names the field.

The server builds each document a client signs (application, withdrawal, benefit claim, private
choice, contract, the kindergarten's signature). On receipt it builds the same document again from
its own state — with the facts only the signer decides (a free-text reason, the chosen
kindergarten) taken from the signed element — and compares the two element by element: every
element, attribute and text, in order. The first difference is returned as a path such as
``child/@iin`` or ``applicant/surname``; the service refuses with that field named.
Only the preparation time (``preparedAt`` of the root) and the signature itself may differ.
"""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

_DS_SIGNATURE = "{http://www.w3.org/2000/09/xmldsig#}Signature"
ROOT_FREE = ("preparedAt",)


def _children(element: etree._Element) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and c.tag != _DS_SIGNATURE]


def _step(parent: etree._Element, child: etree._Element, path: str) -> str:
    same = [c for c in _children(parent) if c.tag == child.tag]
    name = child.tag if len(same) == 1 else f"{child.tag}[{same.index(child) + 1}]"
    return f"{path}/{name}" if path else str(name)


def first_difference(
    signed: etree._Element, expected: etree._Element | str, *, free: Collection[str] = ROOT_FREE
) -> str | None:
    """The path of the first fact in which ``signed`` differs from ``expected``; None when they agree.

    ``free`` names root attributes that may differ (when the document was prepared).
    """
    if isinstance(expected, str):
        expected = etree.fromstring(expected.encode())
    if signed.tag != expected.tag:
        return "(document)"

    def walk(got: etree._Element, want: etree._Element, path: str, root: bool) -> str | None:
        for name in sorted(set(got.attrib) | set(want.attrib)):
            if root and name in free:
                continue
            if got.get(name) != want.get(name):
                return f"{path}/@{name}" if path else f"@{name}"
        if (got.text or "") != (want.text or "") and (got.text or "").strip() + (want.text or "").strip():
            return path or "(text)"
        got_children, want_children = _children(got), _children(want)
        for got_child, want_child in zip(got_children, want_children, strict=False):
            if got_child.tag != want_child.tag:
                return _step(want, want_child, path)
            found = walk(got_child, want_child, _step(want, want_child, path), False)
            if found:
                return found
        if len(got_children) != len(want_children):
            longer, parent = (
                (want_children, want) if len(want_children) > len(got_children) else (got_children, got)
            )
            return _step(parent, longer[min(len(got_children), len(want_children))], path)
        return None

    return walk(signed, expected, "", True)
