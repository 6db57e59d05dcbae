"""One cleaning pass for every exporter: whatever is stored must export.

XML (DOCX, ODT, the PPTX too) refuses control characters, the non-characters U+FFFE/U+FFFF
and lone surrogates (``ValueError: All strings must be XML compatible``); UTF-8 encoding
(Markdown, CSV, JSON) refuses lone surrogates. Input validation may refuse such text one
day, but rows already stored must still give a document: ``clean_model`` walks the read
model once, before any format sees it (``facilitation.exports.render``).
"""

from __future__ import annotations

import re
from typing import Any

#: Removed: C0 controls but tab and newline, DEL and C1 controls, Unicode non-characters
#: (U+FDD0..U+FDEF and the last two code points of every plane).
_DROP = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)
    )
    + "]"
)
#: A lone surrogate is half a character that was lost: shown as the replacement character.
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with what XML and UTF-8 cannot carry removed (line breaks kept as ``\\n``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SURROGATE.sub("\ufffd", _DROP.sub("", text))


def clean_model(value: Any) -> Any:
    """A copy of the read model (dicts, lists, strings) with every string cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {
            clean_text(k) if isinstance(k, str) else k: clean_model(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_model(v) for v in value]
    return value
