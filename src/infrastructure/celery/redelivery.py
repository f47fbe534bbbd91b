"""A cap on redeliveries of late-acknowledged tasks.

With `acks_late` and `reject_on_worker_lost`, a task that kills its worker would be delivered
again forever. Every broker marks a message it delivers again `redelivered` (Redis after the
visibility timeout, RabbitMQ when a consumer's connection drops, the embedded broker when a
consumer is gone); each such delivery is counted per task id, and past the cap the task fails
instead of running again. Counts live in Redis when there is one, else in files beside the
embedded broker.
"""

import fcntl
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
from celery import Task

from infrastructure.celery.publishing import PublishingTask

REDELIVERY_TTL_S = 24 * 3600

RedeliveryCounter = Callable[[str], int]


class RedeliveryLimitError(RuntimeError):
    """The task was redelivered more often than allowed; it is failed instead of run."""


class RedeliveryCappedTask(PublishingTask):
    max_redeliveries = 3
    # Counts deliveries of a task id; None when there is nowhere to count them.
    count_redelivery: RedeliveryCounter | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        delivery_info = self.request.delivery_info or {}
        counter = type(self).count_redelivery
        if delivery_info.get("redelivered") and counter is not None and self.request.id:
            redeliveries = counter(self.request.id)
            if redeliveries > self.max_redeliveries:
                msg = (
                    f"{self.name} {self.request.id} was redelivered {redeliveries} times; giving up"
                )
                raise RedeliveryLimitError(msg)
        return super().__call__(*args, **kwargs)


def redis_redelivery_counter(url: str) -> RedeliveryCounter:
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)

    def count(task_id: str) -> int:
        key = f"todo-service:redeliveries:{task_id}"
        pipe = client.pipeline()
        pipe.incr(key)
        pipe.expire(key, REDELIVERY_TTL_S)
        return int(pipe.execute()[0])

    return count


def file_redelivery_counter(folder: Path) -> RedeliveryCounter:
    """One small file per task id, counted under `flock`; old files go with the broker's pruning."""

    def count(task_id: str) -> int:
        folder.mkdir(parents=True, exist_ok=True)
        name = "".join(c for c in task_id if c.isalnum() or c in "-_") or "unnamed"
        fd = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            seen = os.read(fd, 32).strip()
            counted = int(seen or 0) + 1
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, str(counted).encode())
            return counted
        finally:
            os.close(fd)

    return count


def capped_task_class(*, max_redeliveries: int, counter: RedeliveryCounter | None) -> type[Task]:  # type: ignore[type-arg]
    """The base task class for an app."""
    attributes: dict[str, Any] = {"max_redeliveries": max_redeliveries}
    if counter is not None:
        attributes["count_redelivery"] = staticmethod(counter)
    return type("TodoServiceTask", (RedeliveryCappedTask,), attributes)
