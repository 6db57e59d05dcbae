"""``flask --app facilitation …`` commands."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app, url_for

from facilitation import demo_day
from facilitation.domain.events import get_event
from facilitation.extensions import db


def register(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(urls)


@click.command()
@click.option("--sample", is_flag=True, help="Remplir aussi la journée de contributions d'exemple.")
def demo(sample: bool) -> None:
    """Charger la journée de démonstration (idempotent)."""
    event = demo_day.load(sample=sample)
    db.session.commit()
    click.echo(f"Journée de démonstration chargée : {event.title} ({event.slug})")


@click.command()
@click.option("--event", "slug", default=demo_day.SLUG, show_default=True)
@click.option("--base-url", default=None, help="Adresse publique (par défaut HOST:PORT).")
def urls(slug: str, base_url: str | None) -> None:
    """Afficher les adresses à ouvrir : page pour rejoindre, projecteur de chaque atelier."""
    base = (
        base_url
        or current_app.config.get("PUBLIC_BASE_URL")
        or f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
    ).rstrip("/")
    event = get_event(slug)
    with current_app.test_request_context(base_url=base):
        click.echo(f"\n{event.title} — code {event.join_code}")
        click.echo(f"  Accueil (code) : {url_for('public.home', _external=True)}")
        click.echo(f"  Rejoindre      : {url_for('public.join', slug=slug, _external=True)}")
        for sequence in event.sequences:
            if not sequence.ateliers:
                continue
            click.echo(f"\n  {sequence.starts_at:%Hh%M} {sequence.title}")
            for atelier in sequence.ateliers:
                projector = url_for(
                    "public.projector", slug=slug, atelier_id=atelier.id, _external=True
                )
                click.echo(f"    • {atelier.title}\n      projecteur : {projector}")
        click.echo()
