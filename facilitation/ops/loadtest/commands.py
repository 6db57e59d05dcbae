"""``flask loadtest`` (the generator) and ``flask loadtest-event create|remove`` (the fixture).

The generator talks to the server only over HTTP and Socket.IO, at the URL it is given; it
never opens the app's database. Its event is a throwaway ``loadtest-<random>``:

* with ``--token`` (or ``LOADTEST_TOKEN`` in the environment) and the server started with
  the same ``LOADTEST_TOKEN``, the run creates the event over HTTP and removes it at the end;
* otherwise the operator creates it on the server with ``flask loadtest-event create`` and
  passes its slug with ``--event``; any slug not starting with ``loadtest-`` is refused.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import click

from facilitation.ops.loadtest import fixture
from facilitation.ops.loadtest.target import Target, TargetError

PROBE_TIMEOUT_S = 3.0


# ============================================================================ server side
@click.group("loadtest-event")
def loadtest_event() -> None:
    """Créer / supprimer un événement jetable pour un test de charge (sur le serveur)."""


@loadtest_event.command("create")
@click.option("--ateliers", type=click.IntRange(1, fixture.MAX_ATELIERS), default=40)
@click.option(
    "--dots", type=click.IntRange(0, fixture.MAX_DOTS), default=0, help="Vote ouvert : N points."
)
@click.option(
    "--words",
    type=click.IntRange(0, fixture.MAX_WORDS),
    default=0,
    help="Nuage « en un mot » ouvert : N mots par téléphone.",
)
def create_cmd(ateliers: int, dots: int, words: int) -> None:
    """Créer ``loadtest-<aléatoire>`` avec N ateliers ; affiche son slug."""
    from facilitation.extensions import db

    event = fixture.create_event(ateliers, dots, words)
    data = fixture.describe(event)
    db.session.commit()
    click.echo(data["slug"])


@loadtest_event.command("remove")
@click.argument("slug")
def remove_cmd(slug: str) -> None:
    """Supprimer un événement de test de charge et tout ce qu'il contient."""
    from facilitation.domain.errors import DomainError
    from facilitation.extensions import db

    try:
        fixture.remove_event(slug)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message)
    db.session.commit()
    click.echo(f"Supprimé : {slug}")


# ============================================================================ generator
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_: Any, **__: Any) -> None:  # a run never follows a redirect
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _http(
    target: Target, method: str, path: str, token: str | None = None, body: Any = None
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(target.url(path), data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"null")
        except ValueError:
            return exc.code, raw[:200].decode(errors="replace")


async def _probe_dots(target: Target, atelier_id: int) -> tuple[bool, str]:
    """Does the server answer ``dot:set``? (A harmless call: count 0 on card 0.)"""
    import socketio

    from facilitation.ops.loadtest.phone import UNKNOWN_EVENT_CODES

    sio = socketio.AsyncClient(reconnection=False)
    try:
        await sio.connect(
            target.origin,
            transports=["websocket"],
            socketio_path=target.socketio_path,
            wait_timeout=10,
        )
        ack = await sio.call(
            "dot:set",
            {
                "client_id": "loadtest-probe-0000",
                "atelier_id": atelier_id,
                "contribution_id": 0,
                "count": 0,
            },
            timeout=PROBE_TIMEOUT_S,
        )
    except (TimeoutError, socketio.exceptions.TimeoutError):
        return False, "le serveur ne répond pas à dot:set (vote pas encore disponible)"
    except Exception as exc:
        return False, f"sonde dot:set impossible : {exc!r}"
    finally:
        await sio.disconnect()
    if isinstance(ack, dict) and ack.get("code") in UNKNOWN_EVENT_CODES:
        return False, f"le serveur ne connaît pas dot:set ({ack.get('code')})"
    return True, "dot:set disponible"


@click.command("loadtest")
@click.option("--url", required=True, help="Adresse du serveur visé (la seule contactée).")
@click.option(
    "--event",
    "slug",
    default=None,
    help="Événement de test « loadtest-… » existant. Sans lui, il faut --token : "
    "le test crée son propre événement jetable et le supprime à la fin.",
)
@click.option("--participants", type=click.IntRange(1, 50000), required=True)
@click.option("--ateliers", type=click.IntRange(1, fixture.MAX_ATELIERS), required=True)
@click.option("--duration", type=click.FloatRange(1, 3600), required=True, help="secondes")
@click.option(
    "--posts-per-minute",
    type=click.FloatRange(0),
    default=None,
    help="Cartes par minute pour tout l'événement (défaut : 6 par atelier).",
)
@click.option(
    "--dots", type=click.IntRange(0, fixture.MAX_DOTS), default=0, help="Gommettes par téléphone."
)
@click.option(
    "--words",
    type=click.IntRange(0, fixture.MAX_WORDS),
    default=0,
    help="En un mot : mots envoyés par téléphone au nuage ouvert de son atelier.",
)
@click.option(
    "--words-window",
    type=click.FloatRange(0, 600),
    default=10.0,
    show_default=True,
    help="En un mot : chaque téléphone commence ses mots dans cette fenêtre (secondes).",
)
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None)
@click.option("--token", envvar="LOADTEST_TOKEN", default=None, help="= LOADTEST_TOKEN du serveur")
@click.option("--processes", type=click.IntRange(1, 64), default=None, help="défaut : nb de CPU")
@click.option("--drop-fraction", type=click.FloatRange(0, 1), default=0.1, show_default=True)
@click.option("--server-pid", "server_pids", type=int, multiple=True, help="RSS à mesurer")
@click.option("--spread-sources", is_flag=True, help="Adresses source 127.0.n.1 (ip_hash).")
@click.option(
    "--worker-url",
    "worker_urls",
    multiple=True,
    help="Adresse propre d'un worker derrière le proxy : ses téléphones et ses gommettes "
    "y sont comptés (GET /_loadtest/worker, avec --token).",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--burst-window",
    type=click.FloatRange(0, 600),
    default=10.0,
    show_default=True,
    help="Vote : chaque téléphone commence ses gommettes dans cette fenêtre (secondes).",
)
@click.option(
    "--storm",
    is_flag=True,
    help="Tempête de reconnexions : tous les téléphones coupent et reviennent.",
)
@click.option(
    "--storm-window",
    type=click.FloatRange(1, 600),
    default=10.0,
    show_default=True,
    help="Tous reviennent dans cette fenêtre (secondes).",
)
@click.option(
    "--consoles",
    is_flag=True,
    help="Une console d'animation par atelier (l'assistant calcule pendant le test) ; "
    "les cartes portent des mots du terrain. Demande --token.",
)
def loadtest(
    url: str,
    slug: str | None,
    participants: int,
    ateliers: int,
    duration: float,
    posts_per_minute: float | None,
    dots: int,
    json_path: str | None,
    token: str | None,
    processes: int | None,
    drop_fraction: float,
    server_pids: tuple[int, ...],
    spread_sources: bool,
    worker_urls: tuple[str, ...],
    seed: int,
    burst_window: float,
    storm: bool,
    storm_window: float,
    consoles: bool,
    words: int,
    words_window: float,
) -> None:
    """Simuler des téléphones (vrais clients Socket.IO) contre un serveur et mesurer."""
    from facilitation.ops.loadtest.runner import RunConfig, run, run_sync

    try:
        target = Target(url)
    except TargetError as exc:
        raise click.BadParameter(str(exc), param_hint="--url")
    for worker_url in worker_urls:
        try:
            Target(worker_url)
        except TargetError as exc:
            raise click.BadParameter(str(exc), param_hint="--worker-url")
    if slug is not None and not fixture.is_loadtest_slug(slug):
        raise click.BadParameter(
            f"« {slug} » n'est pas un événement de test (loadtest-…) : refusé, un test de "
            "charge ne touche jamais un vrai événement.",
            param_hint="--event",
        )
    if consoles and (slug is not None or not token):
        raise click.UsageError(
            "--consoles demande --token (le test crée son événement et son lien d'animation)."
        )
    if slug is None and not token:
        raise click.UsageError(
            "Donnez --token (= LOADTEST_TOKEN du serveur) pour que le test crée son "
            "événement jetable, ou --event loadtest-… créé par `flask loadtest-event create`."
        )
    created = False
    facilitator_path: str | None = None
    if slug is None:
        status, body = _http(
            target,
            "POST",
            "/_loadtest/events",
            token,
            {"ateliers": ateliers, "dots": dots, "consoles": consoles, "words": words},
        )
        if status != 201:
            raise click.ClickException(
                f"création de l'événement de test refusée (HTTP {status}) : {body}. "
                "Le serveur a-t-il été démarré avec LOADTEST_TOKEN ?"
            )
        slug, atelier_ids, created = body["slug"], body["ateliers"], True
        facilitator_path = body.get("facilitator_path")
    else:
        status, body = _http(target, "GET", f"/api/events/{slug}")
        if status != 200:
            raise click.ClickException(f"événement {slug} introuvable (HTTP {status})")
        atelier_ids = [a["id"] for a in body["ateliers"]][:ateliers]
    click.echo(f"Cible {target} · événement {slug} · {len(atelier_ids)} ateliers")
    try:
        dots_enabled, dots_note = (False, "aucune gommette demandée")
        if dots:
            dots_enabled, dots_note = run_sync(_probe_dots(target, atelier_ids[0]))
            click.echo(f"Gommettes : {dots_note}")
        cfg = RunConfig(
            url=target.base,
            slug=slug,
            atelier_ids=atelier_ids,
            participants=participants,
            duration=duration,
            posts_per_minute=(
                posts_per_minute if posts_per_minute is not None else 6.0 * len(atelier_ids)
            ),
            dots=dots,
            dots_enabled=dots_enabled,
            drop_fraction=drop_fraction,
            processes=processes or os.cpu_count() or 2,
            spread_sources=spread_sources,
            worker_urls=list(worker_urls),
            token=token,
            seed=seed,
            burst_window=burst_window,
            storm=storm,
            storm_window=storm_window,
            field_titles=consoles,
            words=words,
            words_window=words_window,
        )
        if consoles and facilitator_path:
            report = _with_consoles(target, facilitator_path, atelier_ids, cfg, server_pids)
        else:
            report = run(cfg, server_pids=list(server_pids))
        report["dots_note"] = dots_note
        _read_back(target, slug, token, report)
    finally:
        if created:
            status, body = _http(target, "DELETE", f"/_loadtest/events/{slug}", token)
            if status != 200:
                click.echo(f"ATTENTION : {slug} non supprimé (HTTP {status}) : {body}", err=True)
    click.echo(summary(report))
    if json_path:
        Path(json_path).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        click.echo(f"JSON : {json_path}")
    burst = report.get("vote_burst") or {}
    failed_burst = burst and (burst.get("lost") or burst.get("over_budget"))
    cloud = report.get("word_burst") or {}
    failed_words = cloud and cloud.get("stored_equals_acked") is False
    if (
        report["connected"] < participants
        or report["lost"]
        or report["errors"]
        or failed_burst
        or failed_words
    ):
        sys.exit(1)


def _with_consoles(
    target: Target,
    facilitator_path: str,
    atelier_ids: list[int],
    cfg: Any,
    server_pids: tuple[int, ...],
) -> dict[str, Any]:
    """The run, with one facilitator console per atelier connected on its own thread and
    event loop for the whole run (``consoles.Consoles``); its counts go in
    ``report["assistant"]``."""
    import asyncio
    import threading

    from facilitation.ops.loadtest.consoles import Consoles
    from facilitation.ops.loadtest.runner import run

    consoles = Consoles(target, facilitator_path, atelier_ids)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    done: dict[str, Any] = {}

    def serve() -> None:
        asyncio.set_event_loop(loop)
        done["report"] = loop.run_until_complete(consoles.run(stop))

    thread = threading.Thread(target=serve, name="loadtest-consoles", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while consoles.connected + len(consoles.errors) < len(atelier_ids):
        if time.monotonic() > deadline or not thread.is_alive():
            break
        time.sleep(0.05)
    try:
        report = run(cfg, server_pids=list(server_pids))
    finally:
        # The last cards' proposals come within the assistant's interval (1 s).
        time.sleep(2)
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
    report["assistant"] = done.get("report") or consoles.report()
    return report


def _read_back(target: Target, slug: str, token: str | None, report: dict[str, Any]) -> None:
    """What the server stored: cards (and dots, once voting exists) for the run's event."""
    from facilitation.ops.loadtest.runner import compare_dots, compare_words

    report["cards_stored"] = None
    if token:
        status, body = _http(target, "GET", f"/_loadtest/events/{slug}", token)
        if status == 200 and isinstance(body, dict):
            report["cards_stored"] = body.get("contributions")
            compare_dots(report, body)
            compare_words(report, body)
            return
    status, body = _http(target, "GET", f"/api/events/{slug}")
    if status == 200 and isinstance(body, dict):
        report["cards_stored"] = sum(int(a.get("contributions") or 0) for a in body["ateliers"])


def summary(r: dict[str, Any]) -> str:
    """The human summary printed at the end of a run."""
    lat, ack, rss = r["latency_ms"], r["ack_ms"], r.get("server_rss_kb") or {}
    cpu = r.get("server_cpu") or {}
    dots = (
        f"{r['dots_sent']} envoyées, {r['dots_counted']} comptées par le serveur, "
        f"{r['dot_errors']} refus {r.get('dot_error_codes') or ''}"
        if r["dots_enabled"]
        else f"0 envoyée ({r.get('dots_note', '')})"
    )
    per_phone = rss.get("per_phone_kb")
    lines = [
        "",
        f"Résumé — {r['participants']} téléphones, {r['ateliers']} ateliers, "
        f"{r['duration_s']:.0f} s, {r['processes']} processus générateurs",
        f"  connectés            {r['connected']}/{r['participants']} (rampe {r['ramp_s']} s)",
        f"  cartes               {r['posts_sent']} envoyées, {r['posts_acked']} acceptées, "
        f"{r.get('cards_stored')} stockées",
        f"  livraisons           {r['deliveries_received']}/{r['deliveries_expected']} "
        f"({r['deliveries_live']} en direct, {r['deliveries_resynced']} par resynchronisation), "
        f"perdues {r['lost']}",
        f"  carte → téléphones   p50 {lat['p50']} ms · p95 {lat['p95']} ms · "
        f"p99 {lat['p99']} ms · max {lat['max']} ms",
        f"  accusé d'envoi       p50 {ack['p50']} ms · p95 {ack['p95']} ms",
        f"  débit                {r['throughput']['posts_per_s']} cartes/s, "
        f"{r['throughput']['deliveries_per_s']} livraisons/s",
        f"  gommettes            {dots}",
        f"  reconnexions         {r['reconnects']} (resync p95 {r['resync_ms']['p95']} ms), "
        f"coupures subies {r['unexpected_disconnects']}",
        "  mémoire serveur      "
        + (f"{per_phone} Ko par téléphone connecté" if per_phone is not None else "non mesurée"),
        f"  CPU serveur          {cpu.get('run_s')} s pendant la charge "
        f"({cpu.get('run_cores')} cœur ; charge machine {cpu.get('loadavg_1m_end')})",
        f"  erreurs              {r['errors']}",
    ]
    if cpu.get("per_tap_ms") is not None or cpu.get("per_delivered_card_ms") is not None:
        lines.append(
            f"  CPU serveur / unité  {cpu.get('per_tap_ms')} ms par dot:set (vote), "
            f"{cpu.get('per_delivered_card_ms')} ms par carte livrée (charge)"
        )
    for w in r.get("workers") or []:
        lines.append(
            f"  worker {w.get('url')}".ljust(23)
            + f"{w.get('phones')} téléphones, {w.get('burst_taps')} dot:set pendant le vote"
            + (f" ({w['error']})" if w.get("error") else "")
        )
    burst, storm = r.get("vote_burst"), r.get("reconnect_storm")
    if burst:
        lines.append(
            f"  vote éclair          {burst['dots_acked']} gommettes acceptées "
            f"({burst['taps']} appuis en {burst['window_s']:.0f} s, {burst['retries']} renvois), "
            f"{burst.get('dots_counted')} comptées, perdues {burst.get('lost')}, "
            f"hors budget {burst.get('over_budget')}, décomptes exacts "
            f"{'oui' if burst.get('tallies_exact') else 'NON'}; tout accusé en "
            f"{burst['all_acked_s']} s (accusé p95 {burst['ack_ms']['p95']} ms)"
        )
    cloud = r.get("word_burst")
    if cloud:
        lines.append(
            f"  en un mot            {cloud['words_acked']} mots acceptés "
            f"({cloud['sends']} envois de {cloud['phones_with_cloud']}/{cloud['phones']} "
            f"téléphones en {cloud['window_s']:.0f} s, {cloud['retries']} renvois, "
            f"{cloud['errors']} refus {cloud['error_codes'] or ''}), "
            f"{cloud.get('words_stored')} stockés · accusé p50 {cloud['ack_ms']['p50']} ms · "
            f"p95 {cloud['ack_ms']['p95']} ms · max {cloud['ack_ms']['max']} ms · "
            f"décomptes reçus par téléphone {cloud['tallies_per_phone']['mean']} "
            f"(max {cloud['tallies_per_phone']['max']})"
        )
    if storm:
        lines.append(
            f"  tempête              {storm['resynced']}/{storm['phones']} resynchronisés, "
            f"tous en {storm['all_resynced_s']} s (cible {storm['target_s']:.0f} s) · "
            f"resync p95 {storm['resync_ms']['p95']} ms · max {storm['resync_ms']['max']} ms"
        )
    for phase, lat_phase in (r.get("latency_ms_by_phase") or {}).items():
        if phase != "run":
            lines.append(
                f"  cartes ({phase})".ljust(23)
                + f"{lat_phase['cards']} · p50 {lat_phase['p50']} ms · p95 {lat_phase['p95']} ms"
            )
    helper = r.get("assistant")
    if helper:
        lines.append(
            f"  assistant            {helper['consoles']} consoles, "
            f"{helper['proposal_messages']} envois de propositions, "
            f"{helper['ateliers_with_proposals']} ateliers avec propositions "
            f"(jusqu'à {helper['most_duplicates']} doublons, {helper['most_themes']} thèmes), "
            f"premier envoi à {helper['first_proposal_s']} s"
            + (f" · erreurs : {'; '.join(helper['errors'][:3])}" if helper["errors"] else "")
        )
    lines += [f"    · {e}" for e in r["error_samples"][:5]]
    return "\n".join(lines)


def register(app: Any) -> None:
    app.cli.add_command(loadtest)
    app.cli.add_command(loadtest_event)
