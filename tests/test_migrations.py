"""The migrations build exactly the schema the models describe, on the suite's database
(SQLite by default, PostgreSQL with TEST_DATABASE_URL): a model changed without its
migration, or a migration that forgot a column, an index or a constraint, fails here."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask

from facilitation.extensions import db


def _fk_key(fk: Any) -> tuple[str, tuple[str, ...], str]:
    return (
        fk.parent.name,
        tuple(c.name for c in fk.columns),
        next(iter(fk.elements)).column.table.name,
    )


def _without_unnamed_fk_pairs(differences: list[Any]) -> list[Any]:
    """SQLite does not report the names of foreign keys made by a batch migration, so the
    same key shows as removed (no name) and added (named): drop such pairs."""
    removed = {_fk_key(d[1]) for d in differences if d[0] == "remove_fk" and d[1].name is None}
    added = {_fk_key(d[1]) for d in differences if d[0] == "add_fk"}
    same = removed & added
    return [
        d for d in differences if not (d[0] in ("remove_fk", "add_fk") and _fk_key(d[1]) in same)
    ]


def test_the_migrated_schema_matches_the_models(app: Flask) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    if db.engine.dialect.name == "sqlite":
        differences = _without_unnamed_fk_pairs(differences)
    assert differences == [], "\n".join(map(str, differences))
