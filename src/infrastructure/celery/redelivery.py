"""A cap on redeliveries of late-acknowledged tasks.

With `acks_late` and `reject_on_worker_lost`, a task that kills its worker would be redelivered
forever. Redis marks restored messages `redelivered`; each such delivery is counted per task id,
and past the cap the task fails instead of running again.
"""

from collections.abc import Callable
from typing import Any

import redis
from celery import Task

REDELIVERY_TTL_S = 24 * 3600


class RedeliveryLimitError(RuntimeError):
    """The task was redelivered more often than allowed; it is failed instead of run."""


class RedeliveryCappedTask(Task):  # type: ignore[type-arg]
    max_redeliveries = 3
    # Counts deliveries of a task id; None where the broker never redelivers (embedded mode).
    count_redelivery: Callable[[str], int] | None = None

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


def redis_redelivery_counter(url: str) -> Callable[[str], int]:
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)

    def count(task_id: str) -> int:
        key = f"todo-service:redeliveries:{task_id}"
        pipe = client.pipeline()
        pipe.incr(key)
        pipe.expire(key, REDELIVERY_TTL_S)
        return int(pipe.execute()[0])

    return count


def capped_task_class(*, max_redeliveries: int, broker_url: str | None) -> type[Task]:  # type: ignore[type-arg]
    """The base task class for an app; only Redis redelivers, so only Redis needs a counter."""
    attributes: dict[str, Any] = {"max_redeliveries": max_redeliveries}
    if broker_url and broker_url.startswith(("redis://", "rediss://")):
        attributes["count_redelivery"] = staticmethod(redis_redelivery_counter(broker_url))
    return type("TodoServiceTask", (RedeliveryCappedTask,), attributes)
