"""The ``json`` export: the read model itself, per ``restitution.schema.json``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parent / "restitution.schema.json"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) documenting the export, version by version."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def render(model: dict[str, Any], **_options: Any) -> bytes:
    return (json.dumps(model, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
