"""The TrueType fonts the documents embed: DejaVu when the system has it, else Vera.

Vera ships inside reportlab (a dependency), so a PDF or a PNG chart can always be made, on a
bare CI machine too; DejaVu (Debian ``fonts-dejavu-core``) covers more characters.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import reportlab

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_VERA = Path(reportlab.__file__).resolve().parent / "fonts"


@cache
def font_files() -> dict[str, Path]:
    """``{"regular": path, "bold": path, "italic": path}``."""
    dejavu = {
        "regular": _DEJAVU / "DejaVuSans.ttf",
        "bold": _DEJAVU / "DejaVuSans-Bold.ttf",
        "italic": _DEJAVU / "DejaVuSans-Oblique.ttf",
    }
    if all(p.is_file() for p in dejavu.values()):
        return dejavu
    return {
        "regular": _VERA / "Vera.ttf",
        "bold": _VERA / "VeraBd.ttf",
        "italic": _VERA / "VeraIt.ttf",
    }
