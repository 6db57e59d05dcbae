"""The one origin a load test may talk to.

Every request of a run is built here from a path, and every answer is checked not to point
elsewhere (no redirect is followed), so a run cannot spill onto another server.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit


class TargetError(ValueError):
    """The URL is not one a load test may use, or a request would leave it."""


class Target:
    """``http(s)://host[:port]`` given on the command line; paths are joined onto it."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TargetError(f"adresse invalide : {url!r} (attendu http(s)://hôte[:port])")
        if parts.query or parts.fragment or parts.username:
            raise TargetError(f"adresse invalide : {url!r} (ni requête, ni fragment, ni compte)")
        self.scheme = parts.scheme
        self.netloc = parts.netloc.lower()
        self.prefix = parts.path.rstrip("/")
        self.origin = f"{self.scheme}://{self.netloc}"
        self.base = self.origin + self.prefix

    def url(self, path: str) -> str:
        """``path`` (starting with ``/``) under the target; refuses anything that escapes it."""
        if not path.startswith("/") or path.startswith("//"):
            raise TargetError(f"chemin invalide : {path!r}")
        full = urljoin(self.base + "/", path.lstrip("/"))
        self.check(full)
        return full

    def check(self, url: str) -> None:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc.lower()}" != self.origin:
            raise TargetError(f"{url} n'est pas sur {self.origin} : refusé")
        if not parts.path.startswith(self.prefix + "/") and parts.path != self.prefix:
            raise TargetError(f"{url} sort de {self.base} : refusé")

    @property
    def socketio_path(self) -> str:
        """The Engine.IO path under the target (``socket.io`` at the root)."""
        return (self.prefix.lstrip("/") + "/socket.io") if self.prefix else "socket.io"

    def __str__(self) -> str:
        return self.base
