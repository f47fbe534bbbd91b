"""The ASGI app the benchmark serves: the real API plus the ceiling route, which only it mounts."""

from bench.api.ceiling import mount_ceiling
from delivery.http.app import app

mount_ceiling(app)

__all__ = ["app"]
