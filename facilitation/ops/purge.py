"""``flask purge SLUG`` and ``flask purge --due``: remove an event's personal data.

The rules are in ``facilitation.domain.privacy``; this command shows what would be removed,
asks for confirmation (``--yes`` skips it, ``--dry-run`` only shows), then commits. It is
idempotent: a purged event has nothing left to remove. ``--due`` purges every event whose
« purger après le » date has passed, without asking (for the systemd timer
``facilitation/ops/deploy/facilitation-purge.timer``).
"""

from __future__ import annotations

from datetime import date

import click

from facilitation.domain import privacy
from facilitation.domain.errors import DomainError
from facilitation.domain.events import get_event
from facilitation.edge.sqlite import scrub_deleted
from facilitation.extensions import db
from facilitation.models import Event


def _show(event: Event, summary: privacy.PurgeSummary) -> None:
    click.echo(f"{event.title} ({event.slug}, {event.date.isoformat()})")
    for label, n in summary.lines():
        if n:
            click.echo(f"  {n:>6}  {label}")
    if summary.total == 0:
        click.echo("  Aucune donnée personnelle à supprimer (déjà purgé).")


@click.command("purge")
@click.argument("slug", required=False)
@click.option(
    "--due", is_flag=True, help="Purger chaque événement dont la date de purge est passée."
)
@click.option("--dry-run", is_flag=True, help="Montrer ce qui serait supprimé, sans rien changer.")
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
def purge_command(slug: str | None, due: bool, dry_run: bool, yes: bool) -> None:
    """Supprimer les données personnelles d'un événement, en gardant ses résultats anonymisés."""
    if bool(slug) == due:
        raise click.UsageError("Indiquez soit le SLUG d'un événement, soit --due.")
    if due:
        events = privacy.due_events(date.today())
        if not events:
            click.echo("Aucun événement à purger aujourd'hui.")
            return
        for event in events:
            if dry_run:
                _show(event, privacy.plan_purge(event))
                continue
            _show(event, privacy.purge_event(event))
            db.session.commit()
            _scrub()
            click.echo("  Purgé.")
        return
    try:
        event = get_event(slug or "")
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    summary = privacy.plan_purge(event)
    _show(event, summary)
    if dry_run:
        click.echo("Simulation : rien n'a été modifié.")
        return
    if summary.total == 0:
        privacy.purge_event(event)
        db.session.commit()
        return
    if not yes:
        click.confirm(
            "Supprimer définitivement ces données personnelles ? Les cartes, votes et synthèses "
            "restent, anonymisés.",
            abort=True,
        )
    privacy.purge_event(event)
    db.session.commit()
    _scrub()
    click.echo("Données personnelles supprimées ; résultats anonymisés conservés.")


def _scrub() -> None:
    """Nothing of the purged rows left readable in the database files (edge/sqlite.py)."""
    if not scrub_deleted(db.engine, tuple(db.metadata.tables)):
        click.echo(
            "Attention : le journal SQLite (-wal) n'a pas pu être vidé, un lecteur le tenait. "
            "Relancez la purge (elle ne change plus rien) quand le serveur est calme.",
            err=True,
        )
