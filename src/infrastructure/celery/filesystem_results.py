"""`file://` task results that `AsyncResult.get()` notices within 20 ms.

Celery polls a result store every 0.5 s by default, which alone made an embedded round trip take
half a second; the broker side already polls every 0.1 s.
"""

from collections.abc import Callable
from typing import Any

from celery.backends.filesystem import FilesystemBackend

POLL_INTERVAL_S = 0.02


class FilesystemResultBackend(FilesystemBackend):
    def wait_for(
        self,
        task_id: str,
        timeout: float | None = None,
        interval: float = 0.5,
        no_ack: bool = True,
        on_interval: Callable[[], Any] | None = None,
    ) -> Any:
        return super().wait_for(
            task_id,
            timeout=timeout,
            interval=min(interval, POLL_INTERVAL_S),
            no_ack=no_ack,
            on_interval=on_interval,
        )


def backend_url(folder_uri: str) -> str:
    """A result_backend setting that selects this class for a `file://` folder."""
    return f"{__name__}:{FilesystemResultBackend.__name__}+{folder_uri}"
