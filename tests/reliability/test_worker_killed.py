"""A cleanup whose worker dies mid-run is finished by another worker, on every broker.

The worker is SIGKILLed with its pool, as when its machine or container dies, while a database
trigger keeps the run mid-way. The broker hands the unacknowledged task to the next worker (Redis
after the visibility timeout, RabbitMQ and the embedded broker as soon as the consumer is gone);
the run, having the same id, takes its own overlap lock back and finishes.
"""

import time

import pytest

from tests.delivery.tasks.database import SlowDeletes
from tests.reliability.cases import ACTIVE_USERS, seed_cleanup_case
from tests.reliability.conftest import (
    BROKER,
    REDIS_VISIBILITY_TIMEOUT_S,
    Cluster,
    logged_at,
    mid_run,
    wait_until,
)

# How long after the kill another worker may take to pick the task up, worker start included.
PICKED_UP_WITHIN_S = {"embedded": 30.0, "rabbitmq": 30.0, "redis": REDIS_VISIBILITY_TIMEOUT_S + 15}


def test_a_run_whose_whole_worker_is_killed_is_finished_by_another(
    cluster: Cluster, slow_deletes: SlowDeletes
) -> None:
    case = seed_cleanup_case()
    first = cluster.worker("first")
    cluster.ready(first)
    registry = cluster.registry()

    with slow_deletes():
        run = registry.todo_cleanup.delay()
        wait_until(mid_run(run, case), timeout_s=30, what="the first batch to commit")
        first.kill()
        killed_at = time.monotonic()

        second = cluster.worker("second")
        result = run.get(timeout=PICKED_UP_WITHIN_S[BROKER] + 30)
        finished_after_s = time.monotonic() - killed_at

    assert result["skipped"] is None, result  # not refused by the dead run's own lock
    assert result["users_processed"] == ACTIVE_USERS
    assert result["error_count"] == 0
    case.assert_exactly_the_right_rows_are_gone()
    ready = logged_at(second, "ready.")
    picked_up_s = (
        logged_at(second, f"Task todo.cleanup[{run.id}] received") - ready
    ).total_seconds()
    if BROKER == "redis":  # it waited in Redis for the visibility timeout, not much longer
        assert finished_after_s >= REDIS_VISIBILITY_TIMEOUT_S - 3
        assert picked_up_s > 0  # by the worker's periodic look, after it had started
    else:  # handed over as soon as the new worker asked
        assert picked_up_s < 3
    assert finished_after_s < PICKED_UP_WITHIN_S[BROKER]
    print(
        f"\n{BROKER}: the new worker got the killed run {picked_up_s:.2f} s after it was ready;"
        f" finished {finished_after_s:.1f} s after the kill"
    )


@pytest.mark.skipif(BROKER != "embedded", reason="the embedded broker's own bookkeeping")
def test_the_embedded_broker_loses_nothing_when_its_worker_is_killed(
    cluster: Cluster, slow_deletes: SlowDeletes
) -> None:
    """Running, reserved and queued messages all survive: none is acknowledged before its end."""
    case = seed_cleanup_case()
    worker = cluster.worker("only", concurrency=1)
    cluster.ready(worker)
    registry = cluster.registry()
    unacked = cluster.scratch / "celery" / "unacked"

    with slow_deletes():
        run = registry.todo_cleanup.delay()
        wait_until(mid_run(run, case), timeout_s=30, what="the first batch to commit")
        pings = [registry.ping.delay() for _ in range(10)]  # queued behind the running cleanup
        held = wait_until(
            lambda: [p for p in unacked.rglob("*.msg")], timeout_s=10, what="unacknowledged files"
        )
        worker.kill()
        assert len(held) >= 1  # the running cleanup (and the reserved ping, if any)

        worker = cluster.worker("restarted", concurrency=1)
        result = run.get(timeout=60)
        answers = [p.get(timeout=30) for p in pings]

    assert result["skipped"] is None, result
    assert answers == ["pong"] * 10
    case.assert_exactly_the_right_rows_are_gone()
    assert not list(unacked.rglob("*.msg"))  # every message was acknowledged in the end
    ready = logged_at(worker, "ready.")
    restored = (logged_at(worker, "returned to the queue") - ready).total_seconds()
    received = (logged_at(worker, f"Task todo.cleanup[{run.id}] received") - ready).total_seconds()
    print(
        f"\nembedded: {len(held)} unacknowledged message(s) returned {restored:.2f} s and the"
        f" cleanup received {received:.2f} s after the restarted worker was ready; 10 pings kept"
    )
