"""What a caller of `ping` sees: round trips one at a time, then a burst enqueued and collected."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from bench.common import percentile
from delivery.tasks.registry import TasksRegistry

RESULT_TIMEOUT_S = 60.0
# Celery polls a result backend without push (the `file://` folder) every 0.5 s unless told.
FAST_POLL_S = 0.01


@dataclass(frozen=True)
class RoundTrips:
    samples: int
    median_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Throughput:
    tasks: int
    enqueue_s: float
    total_s: float

    @property
    def per_second(self) -> float:
        return self.tasks / self.total_s


def ping_once(registry: TasksRegistry, *, interval: float | None = None) -> object:
    result = registry.ping.delay()
    if interval is None:
        return result.get(timeout=RESULT_TIMEOUT_S)  # as the README's snippet writes it
    return result.get(timeout=RESULT_TIMEOUT_S, interval=interval)


def round_trips(
    registry: TasksRegistry, *, samples: int, warm_up: int, interval: float | None = None
) -> RoundTrips:
    """`delay().get()` one after another; `interval` overrides Celery's result polling period."""
    for _ in range(warm_up):
        ping_once(registry, interval=interval)
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        ping_once(registry, interval=interval)
        timings.append((time.perf_counter() - started) * 1000)
    return RoundTrips(
        samples=samples, median_ms=statistics.median(timings), p99_ms=percentile(timings, 0.99)
    )


def throughput(registry: TasksRegistry, *, tasks: int) -> Throughput:
    """All tasks enqueued first, then every result collected: the worker's sustained rate.

    Results are polled fast so the figure measures the worker, not the collecting loop's naps.
    """
    started = time.perf_counter()
    results = [registry.ping.delay() for _ in range(tasks)]
    enqueued = time.perf_counter()
    for result in results:
        result.get(timeout=RESULT_TIMEOUT_S, interval=FAST_POLL_S)
    finished = time.perf_counter()
    return Throughput(tasks=tasks, enqueue_s=enqueued - started, total_s=finished - started)
