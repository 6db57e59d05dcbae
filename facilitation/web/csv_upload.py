"""The CSV import forms (macros.html ``csv_upload_form``): a file sent, or its content pasted."""

from __future__ import annotations

from flask import request

from facilitation.domain.setup.csv_import import MAX_BYTES, decode


def posted_csv() -> str:
    """The text of the file sent in ``fichier``, else what was pasted in ``contenu``."""
    upload = request.files.get("fichier")
    if upload and upload.filename:
        return decode(upload.read(MAX_BYTES + 1))
    return request.form.get("contenu", "")
