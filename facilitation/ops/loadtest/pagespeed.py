"""First render of the participant's wall on an emulated weak phone (``make bench-page``).

Starts the real server (``python wsgi.py``, SQLite, demo day) in a temporary directory, joins
an atelier once, then loads the wall from an empty cache in fresh Chromium contexts with the
DevTools protocol emulating a slow 4G connection and a 4x slower CPU (Lighthouse's mobile
profile: 150 ms RTT ×3.75 = 562.5 ms of latency, 1.6 Mbit/s ×0.9 down, 750 kbit/s ×0.9 up).
Prints, per run and as the median: first contentful paint, DOMContentLoaded, load, the moment
the live socket joined the atelier, and the bytes on the wire. A measurement, never a test
assertion (timings depend on the machine).

    python -m facilitation.ops.loadtest.pagespeed [--runs 5] [--out instance/bench/pagespeed.md]
        [--brand-color '#7a1f5c']   # the demo event branded (its colours in the page)
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from facilitation.ops.loadtest.bench import REPO_ROOT, Server, base_env, flask

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SLOW_4G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
    "uploadThroughput": 750 * 1024 / 8 * 0.9,
}
CPU_SLOWDOWN = 4
SLUG = "rencontres-action-sociale-2021"
PHONE = {"width": 390, "height": 844}


def first_atelier(page: Any, base: str) -> int:
    data = page.request.get(f"{base}/api/events/{SLUG}").json()
    for sequence in data["programme"]:
        if sequence["ateliers"]:
            return int(sequence["ateliers"][0]["id"])
    raise RuntimeError("the demo day has no atelier")


def join(browser: Any, base: str) -> tuple[list[dict[str, Any]], int]:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    atelier = first_atelier(page, base)
    page.goto(f"{base}/e/{SLUG}/rejoindre")
    page.fill("#display_name", "Mesure")
    page.fill("#structure", "CCAS")
    page.check(f"#atelier-{atelier}")
    page.check("#consent")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/e/{SLUG}/a/{atelier}")
    cookies = context.cookies()
    context.close()
    return cookies, atelier


def measure(
    browser: Any, base: str, cookies: list[dict[str, Any]], atelier: int
) -> dict[str, float]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
    context.add_cookies(cookies)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.goto(f"{base}/e/{SLUG}/a/{atelier}", wait_until="load", timeout=60_000)
    page.wait_for_selector('#wall[data-live="joined"]', state="attached", timeout=60_000)
    joined_at = page.evaluate("performance.now()")
    timing = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType("navigation")[0];
          const fcp = performance.getEntriesByName("first-contentful-paint")[0];
          return {fcp: fcp ? fcp.startTime : -1, dcl: nav.domContentLoadedEventEnd,
                  load: nav.loadEventEnd};
        }"""
    )
    context.close()
    return {**timing, "joined": joined_at, "bytes": float(sum(sizes.values()))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=str(REPO_ROOT / "instance" / "bench" / "pagespeed.md"))
    parser.add_argument(
        "--brand-color", default="", help="brand the demo event with this #rrggbb colour"
    )
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="pagespeed-") as tmp:
        workdir = Path(tmp)
        env = base_env(workdir, f"sqlite:///{workdir / 'pagespeed.sqlite3'}")
        flask(env, "db", "upgrade", "heads")
        flask(env, "demo", "--sample")
        if args.brand_color:
            with sqlite3.connect(workdir / "pagespeed.sqlite3") as conn:
                conn.execute(
                    "UPDATE event SET brand_color = ? WHERE slug = ?", (args.brand_color, SLUG)
                )
        server = Server(env, workdir / "server.log").start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                cookies, atelier = join(browser, server.url)
                runs = [measure(browser, server.url, cookies, atelier) for _ in range(args.runs)]
                browser.close()
        finally:
            server.stop()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    lines = [
        f"Participant wall{' (branded ' + args.brand_color + ')' if args.brand_color else ''}"
        f", first load, emulated slow 4G ({SLOW_4G['latency']} ms, "
        f"{SLOW_4G['downloadThroughput'] * 8 / 1e6:.2f} Mbit/s down) + CPU ×{CPU_SLOWDOWN}, "
        f"Chromium, median of {len(runs)} ({time.strftime('%Y-%m-%d')}):",
        "",
        "| first contentful paint | DOMContentLoaded | load | live (socket joined) | bytes on the wire |",
        "|---:|---:|---:|---:|---:|",
        f"| {med('fcp'):.0f} ms | {med('dcl'):.0f} ms | {med('load'):.0f} ms "
        f"| {med('joined'):.0f} ms | {med('bytes') / 1024:.1f} KB |",
    ]
    report = "\n".join(lines)
    print(report)
    for i, r in enumerate(runs, 1):
        print(
            f"  run {i}: fcp {r['fcp']:.0f} ms, dcl {r['dcl']:.0f} ms, load {r['load']:.0f} ms, "
            f"joined {r['joined']:.0f} ms, {r['bytes'] / 1024:.1f} KB"
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
