"""Deployment files for several workers: ``nginx.conf``, systemd units, ``Procfile``.

:class:`LocalNginx` runs the shipped ``nginx.conf`` unprivileged on loopback (its own
prefix, ports and workers), for ``make bench`` and the two-worker test: what is tested is
the file operators install, with only the ports and paths rewritten.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NGINX_SITE = HERE / "nginx.conf"


def nginx_binary() -> str | None:
    """nginx on PATH or in /usr/sbin (Debian), or ``None``."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def site_for(listen: int, upstream_ports: list[int], static_dir: Path) -> str:
    """The shipped site file with its ``listen`` port, worker ports and static path replaced."""
    text = NGINX_SITE.read_text()
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in upstream_ports)
    text, n = re.subn(
        r"(?m)^    server 127\.0\.0\.1:\d+;\n(?:    server 127\.0\.0\.1:\d+;\n)*", servers, text
    )
    if n != 1:
        raise ValueError("nginx.conf: the upstream block's server lines were not found")
    text = re.sub(r"(?m)^    listen 80;", f"    listen 127.0.0.1:{listen};", text)
    return text.replace("/srv/facilitation/static/", f"{static_dir}/")


def standalone_conf(site: str, prefix: Path) -> str:
    """A whole nginx.conf around ``site`` that runs as any user, in the foreground."""
    return f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 16384; }}
worker_rlimit_nofile 40000;
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{site}
}}
"""


class LocalNginx:
    """nginx on ``127.0.0.1:<listen>`` in front of ``upstream_ports``; stop() when done."""

    def __init__(
        self, prefix: Path, listen: int, upstream_ports: list[int], static_dir: Path
    ) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx introuvable : `make nginx` l'installe (paquet Debian).")
        self.prefix = prefix
        self.listen = listen
        self.url = f"http://127.0.0.1:{listen}"
        prefix.mkdir(parents=True, exist_ok=True)
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(standalone_conf(site_for(listen, upstream_ports, static_dir), prefix))
        subprocess.run(
            [binary, "-t", "-q", "-p", str(prefix), "-c", str(self.conf)],
            check=True,
            capture_output=True,
        )
        self.proc = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(self.conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(prefix / "stderr.log").open("wb"),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited {self.proc.returncode}: {self.logs()}")
            try:
                with socket.create_connection(("127.0.0.1", listen), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx not listening on {listen}: {self.logs()}")

    def logs(self) -> str:
        out = []
        for name in ("error.log", "stderr.log"):
            path = self.prefix / name
            if path.exists():
                out.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(out)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
