"""What the benchmark serves: the real API plus the ceiling and the probes, which only it mounts."""

from delivery.http.app import app  # first: building the app sets Django up, and the probes need it

# isort: split
from bench.api.ceiling import mount_ceiling
from bench.api.probes import mount_probes

mount_probes(app, mount_ceiling(app))

__all__ = ["app"]
