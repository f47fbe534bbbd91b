"""`file://` task results, written atomically and noticed by `AsyncResult.get()` within 20 ms.

Celery polls a result store every 0.5 s by default, which alone made an embedded round trip take
half a second; the broker side already polls every 0.1 s. Celery also rewrites a result file in
place, so a reader polling at that moment saw an empty file and took the task for unknown.
"""

import os
import uuid
from collections.abc import Callable
from typing import Any

from celery.backends.filesystem import FilesystemBackend

POLL_INTERVAL_S = 0.02


class FilesystemResultBackend(FilesystemBackend):
    def set(self, key: str, value: Any) -> None:
        final = self._filename(key)  # type: ignore[attr-defined]  # celery's, not in its stubs
        partial = final + b".partial-" + uuid.uuid4().hex.encode()
        with open(partial, "wb") as file:
            file.write(value.encode() if isinstance(value, str) else value)
        os.replace(partial, final)  # readers see the old result or the new one, never half

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
