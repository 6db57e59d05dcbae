"""``flask --app facilitation …`` commands."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app, url_for

from facilitation.domain import access, accounts
from facilitation.domain.errors import DomainError
from facilitation.domain.events import get_atelier, get_event
from facilitation.extensions import db
from facilitation.ops.demo import day as demo_day


def register(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(urls)
    # `flask backup PATH`, `flask restore PATH` (facilitation/ops/backup.py).
    from facilitation.ops.backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    # `flask loadtest`, `flask loadtest-event create|remove` (facilitation/ops/loadtest/).
    from facilitation.ops.loadtest import commands as loadtest_commands

    loadtest_commands.register(app)
    app.cli.add_command(organizer)
    app.cli.add_command(facilitator_link)
    # `flask export SLUG --format FORMAT --output PATH` (the restitution, facilitation/exports/).
    from facilitation.exports.command import export

    app.cli.add_command(export)
    # `flask purge SLUG` / `flask purge --due`: personal data after the restitution.
    from facilitation.ops.purge import purge_command

    app.cli.add_command(purge_command)


def public_base(base_url: str | None) -> str:
    """The address printed links start with: ``--base-url``, else ``PUBLIC_BASE_URL``.

    Without either, this shell's HOST and PORT are assumed, which may not be the running
    server's (another shell, another port): say so, and how to set it, on stderr so that
    the links themselves can still be piped.
    """
    base = base_url or current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/")
    assumed = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
    click.echo(
        f"Adresse supposée : {assumed} (HOST et PORT de ce terminal). Si le serveur tourne "
        "sur une autre adresse ou un autre port, relancez avec --base-url "
        "https://adresse-publique ou définissez PUBLIC_BASE_URL.",
        err=True,
    )
    return assumed


def require_migrated_database() -> None:
    """Stop with one French line when the database is missing tables or behind the code."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    migrate: Migrate = current_app.extensions["migrate"].migrate
    heads = set(ScriptDirectory.from_config(migrate.get_config()).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != heads:
        raise click.ClickException(
            "La base de données n'est pas à jour : lancez d'abord "
            "« flask --app facilitation db upgrade heads » (ou « make run », qui le fait)."
        )


@click.command()
@click.option("--sample", is_flag=True, help="Remplir aussi la journée de contributions d'exemple.")
def demo(sample: bool) -> None:
    """Charger la journée de démonstration (idempotent)."""
    require_migrated_database()
    event = demo_day.load(sample=sample)
    db.session.commit()
    click.echo(f"Journée de démonstration chargée : {event.title} ({event.slug})")


@click.command()
@click.option("--event", "slug", default=demo_day.SLUG, show_default=True)
@click.option("--base-url", default=None, help="Adresse publique (par défaut HOST:PORT).")
def urls(slug: str, base_url: str | None) -> None:
    """Afficher les adresses à ouvrir : page pour rejoindre, projecteur de chaque atelier."""
    base = public_base(base_url)
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
                if sequence.kind != "ateliers_pratiques":
                    continue
                # Morning ateliers: the tour de table, its screen and its control.
                tour = url_for(
                    "interconnaissance.tour_projector",
                    slug=slug,
                    atelier_id=atelier.id,
                    _external=True,
                )
                control = url_for(
                    "interconnaissance.tour_control", atelier_id=atelier.id, _external=True
                )
                click.echo(f"      tour de table : {tour}\n      animation du tour : {control}")
        actors = url_for("interconnaissance_organizer.actors", slug=slug, _external=True)
        click.echo(f"\n  Carte des acteurs (organisateurs) : {actors}")
        click.echo()


@click.group()
def organizer() -> None:
    """Comptes de l'équipe organisatrice (agence d'animation)."""


@organizer.command("create")
@click.argument("email")
@click.option("--name", default="", help="Nom affiché.")
@click.option(
    "--password",
    prompt="Mot de passe",
    hide_input=True,
    confirmation_prompt=True,
    help="Demandé si absent (jamais en clair dans l'historique du shell).",
)
@click.option(
    "--event",
    "slugs",
    multiple=True,
    help="Slug d'un événement dont ce compte est organisateur (répétable).",
)
def organizer_create(email: str, name: str, password: str, slugs: tuple[str, ...]) -> None:
    """Créer un compte organisateur."""
    try:
        account = access.create_organizer(email, password, name)
        for slug in slugs:
            access.grant_event(account, get_event(slug))
    except DomainError as exc:
        db.session.rollback()
        details = "; ".join(exc.errors.values()) or exc.message
        raise click.ClickException(details) from None
    db.session.commit()
    click.echo(f"Compte organisateur créé : {account.email}")


@organizer.command("grant")
@click.argument("email")
@click.argument("slug")
@click.option(
    "--role",
    type=click.Choice(["owner", "organizer"]),
    default="owner",
    show_default=True,
    help="owner : invite et retire des organisateurs ; organizer : anime la journée.",
)
def organizer_grant(email: str, slug: str, role: str) -> None:
    """Rendre un compte organisateur (ou propriétaire) d'un événement."""
    from sqlalchemy import select

    from facilitation.models import Organizer

    account = db.session.scalar(
        select(Organizer).where(Organizer.email == access.normalise_email(email))
    )
    if account is None:
        raise click.ClickException(f"Aucun compte organisateur pour {email}.")
    try:
        accounts.add_to_team(account, get_event(slug), role)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"{account.email} organise maintenant {slug} ({role}).")


@organizer.command("reset-link")
@click.argument("email")
@click.option("--base-url", default=None, help="Adresse publique (par défaut HOST:PORT).")
def organizer_reset_link(email: str, base_url: str | None) -> None:
    """Afficher un lien à usage unique pour choisir un nouveau mot de passe (24 h)."""
    try:
        account, token = accounts.reset_link(email)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    base = public_base(base_url)
    click.echo(
        f"Lien de réinitialisation pour {account.email} (valable {accounts.RESET_HOURS} h, "
        f"une seule fois) : {base}/organisateur/mot-de-passe/{token}"
    )


@click.command("facilitator-link")
@click.argument("slug")
@click.option("--atelier", "atelier_id", type=int, default=None, help="Limiter à un atelier.")
@click.option("--label", default="", help="Pour qui (nom de l'animateur·rice).")
@click.option("--base-url", default=None, help="Adresse publique (par défaut HOST:PORT).")
def facilitator_link(slug: str, atelier_id: int | None, label: str, base_url: str | None) -> None:
    """Créer un lien secret d'animation (un atelier ou tout l'événement) et l'afficher."""
    try:
        event = get_event(slug)
        atelier = get_atelier(event, atelier_id) if atelier_id else None
        _link, token = access.create_facilitator_link(event, atelier, label)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    base = public_base(base_url)
    scope = f"atelier « {atelier.title} »" if atelier else "tout l'événement"
    click.echo(f"Lien d'animation ({scope}) : {base}/f/{token}")
