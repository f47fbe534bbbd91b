"""A late-acknowledged task that keeps coming back is failed after a few redeliveries."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from celery import Celery

from infrastructure.celery.redelivery import (
    RedeliveryLimitError,
    capped_task_class,
    file_redelivery_counter,
    redis_redelivery_counter,
)
from tests.harness.servers import RedisServer


def _app_with_counter(counts: dict[str, int], *, max_redeliveries: int) -> Celery:
    def count(task_id: str) -> int:
        counts[task_id] = counts.get(task_id, 0) + 1
        return counts[task_id]

    capped = capped_task_class(max_redeliveries=max_redeliveries, counter=count)
    return Celery("redelivery-test", task_cls=capped, set_as_current=False)


def test_redeliveries_past_the_cap_fail_instead_of_running() -> None:
    counts: dict[str, int] = {}
    app = _app_with_counter(counts, max_redeliveries=2)
    runs: list[int] = []

    def work() -> int:
        runs.append(1)
        return len(runs)

    task = app.task(name="work", shared=False)(work)
    redelivered = {"id": "task-1", "delivery_info": {"redelivered": True}}

    outcomes = []
    for _ in range(3):
        task.push_request(**redelivered)
        try:
            outcomes.append(task())
        except RedeliveryLimitError as exc:
            outcomes.append(str(exc))
        finally:
            task.pop_request()

    assert outcomes[:2] == [1, 2]
    assert "redelivered 3 times; giving up" in str(outcomes[2])
    assert len(runs) == 2


def test_first_deliveries_are_not_counted() -> None:
    counts: dict[str, int] = {}

    def work() -> str:
        return "ran"

    task = _app_with_counter(counts, max_redeliveries=0).task(name="work", shared=False)(work)
    task.push_request(id="task-2", delivery_info={"redelivered": False})
    try:
        assert task() == "ran"
    finally:
        task.pop_request()
    assert counts == {}


def test_the_redis_counter_counts_per_task_id(redis_server: RedisServer | None) -> None:
    if redis_server is None:
        pytest.skip("needs Redis (TEST_BACKEND=postgres)")
    count = redis_redelivery_counter(redis_server.url_for(3))
    task_id = str(uuid.uuid4())

    assert [count(task_id), count(task_id), count("another")] == [1, 2, 1]


def test_the_file_counter_counts_each_delivery_once_however_many_count_at_once(
    tmp_path: Path,
) -> None:
    """The embedded broker's counts: one file per task id, updated under `flock`."""
    task_id = str(uuid.uuid4())
    count = file_redelivery_counter(tmp_path / "redeliveries")
    with ThreadPoolExecutor(max_workers=6) as pool:
        counts = list(pool.map(lambda _: count(task_id), range(30)))

    assert sorted(counts) == list(range(1, 31))
    assert count(task_id) == 31
    assert count("../another") == 1  # never a path outside the folder
    assert sorted(p.name for p in (tmp_path / "redeliveries").iterdir()) == sorted(
        [task_id, "another"]
    )
