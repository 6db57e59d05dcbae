"""The projector (static/js/cloud_layout.js) and the exports (exports/cloud.py) lay a cloud
out the same way: same sizes, same boxes, for the same words and canvas."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from facilitation.exports import cloud

ROOT = Path(__file__).resolve().parents[2]
WORDS = [
    {"label": label, "count": count, "key": label}
    for label, count in [
        ("solidarité", 14),
        ("télétravail", 9),
        ("écoute", 7),
        ("lien social", 5),
        ("fatigue", 5),
        ("coordination des acteurs", 3),
        ("visio", 2),
        ("épuisement", 1),
        ("œuvre", 1),
    ]
]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("size", [(1600, 900, 120, 24), (1200, 640, 142, 30), (700, 300, 60, 12)])
def test_javascript_and_python_place_every_word_alike(size):
    width, height, top, low = size
    script = (
        f"import {{ layoutCloud }} from {json.dumps(str(ROOT / 'static/js/cloud_layout.js'))};"
        f"const out = layoutCloud({json.dumps(WORDS)}, {{ width: {width}, height: {height},"
        f" maxSize: {top}, minSize: {low} }});"
        "console.log(JSON.stringify(out.map((p) => [p.label, p.size, p.x, p.y, p.w, p.h])));"
    )
    run = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    js = json.loads(run.stdout)
    py = [
        [p.label, p.size, p.x, p.y, p.w, p.h]
        for p in cloud.layout(WORDS, width, height, max_size=top, min_size=low)
    ]
    assert js == py
