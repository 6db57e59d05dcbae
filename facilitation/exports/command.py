"""``flask --app facilitation export SLUG --format FORMAT --output PATH [--atelier ID]``."""

from __future__ import annotations

from pathlib import Path

import click

from facilitation.domain.errors import DomainError
from facilitation.domain.events import get_event
from facilitation.domain.restitution import Audience, restitution
from facilitation.exports import FORMATS, download_name, render


@click.command("export")
@click.argument("slug")
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), required=True, help="Format du document."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=True, writable=True, path_type=Path),
    default=None,
    help="Fichier à écrire (ou dossier : le nom est alors choisi). « - » : sortie standard.",
)
@click.option("--atelier", "atelier_id", type=int, default=None, help="Un seul atelier.")
@click.option(
    "--plain-csv",
    is_flag=True,
    help="CSV standard (UTF-8 sans BOM, virgules) au lieu du CSV pour Excel en français.",
)
@click.option(
    "--public",
    is_flag=True,
    help="Version publique : ni noms ni contacts (comme la page publiée).",
)
def export(
    slug: str,
    fmt: str,
    output: Path | None,
    atelier_id: int | None,
    plain_csv: bool,
    public: bool,
) -> None:
    """Exporter la restitution d'un événement (docx, odt, pdf, pptx, csv, md, json)."""
    try:
        event = get_event(slug)
        model = restitution(
            event, Audience.PUBLIC if public else Audience.ORGANIZER, atelier_id=atelier_id
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    options = {"dialect": "plain"} if plain_csv and fmt == "csv" else {}
    data = render(model, fmt, **options)
    if output is not None and str(output) == "-":
        click.get_binary_stream("stdout").write(data)
        return
    target = output or Path(download_name(model, fmt, **options))
    if target.is_dir():
        target = target / download_name(model, fmt, **options)
    target.write_bytes(data)
    click.echo(f"Restitution exportée ({FORMATS[fmt].label}) : {target} ({len(data)} octets)")
