"""The embedded broker: our filesystem transport and `file://` results under one folder.

Everything lives on one filesystem, so moving a message between `queue/`, `unacked/` and
`processed/` is an atomic rename (kombu's default moves it through the system temp folder, which
is not). Processed messages and redelivery counts are pruned by age.
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infrastructure.celery.filesystem_results import backend_url

POLLING_INTERVAL_S = 0.1
# How often a consumer looks for consumers that died with messages unacknowledged.
SWEEP_INTERVAL_S = 1.0


@dataclass(frozen=True)
class EmbeddedFolders:
    root: Path

    @property
    def queue(self) -> Path:
        return self.root / "queue"

    @property
    def unacked(self) -> Path:
        return self.root / "unacked"

    @property
    def processed(self) -> Path:
        return self.root / "processed"

    @property
    def redeliveries(self) -> Path:
        return self.root / "redeliveries"

    @property
    def control(self) -> Path:
        return self.root / "control"

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def locks(self) -> Path:
        return self.root / "locks"

    def create(self) -> None:
        folders = (self.queue, self.unacked, self.processed, self.control, self.results, self.locks)
        for folder in (*folders, self.redeliveries):
            folder.mkdir(parents=True, exist_ok=True)

    def transport_options(self) -> dict[str, Any]:
        return {
            "data_folder_in": str(self.queue),
            "data_folder_out": str(self.queue),
            "store_processed": True,
            "processed_folder": str(self.processed),
            "control_folder": str(self.control),
            "polling_interval": POLLING_INTERVAL_S,
            "unacked_folder": str(self.unacked),
            "sweep_interval": SWEEP_INTERVAL_S,
        }

    def result_backend_url(self) -> str:
        return backend_url(self.results.resolve().as_uri())


def prune_older_than(folder: Path, *, age_s: float) -> int:
    """Delete the files in `folder` not modified for `age_s`; returns how many went."""
    cutoff = time.time() - age_s
    removed = 0
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker pruned it first
            continue
    return removed
