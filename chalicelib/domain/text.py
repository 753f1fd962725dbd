"""What a stored text may contain: the characters of XML 1.0, without control characters.

Every text a client sends ends up in DynamoDB, in a signed XML document or in a PDF; a NUL,
another control character, a lone surrogate or a non-character breaks one of them. They are
refused at the boundary, naming the field (``chalicelib.api.responses.parse_body``).
Tab, line feed and carriage return are text.
"""

from __future__ import annotations

import re

# C0 controls except \t \n \r, DEL and C1 controls, UTF-16 surrogates, U+FFFE and U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def forbidden_character(text: str) -> str | None:
    """The first character a stored text may not contain, as ``U+XXXX``; None when the text is clean."""
    found = _FORBIDDEN.search(text)
    return f"U+{ord(found.group()):04X}" if found else None
