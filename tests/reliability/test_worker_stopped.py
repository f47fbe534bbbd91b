"""A pool process killed mid-cleanup, and a worker told to stop (SIGTERM) mid-cleanup."""

import os
import signal

from tests.delivery.tasks.database import SlowDeletes
from tests.reliability.cases import ACTIVE_USERS, seed_cleanup_case
from tests.reliability.conftest import Cluster, logged_at, mid_run, wait_until


def test_a_run_whose_pool_process_is_killed_runs_again_and_finishes(
    cluster: Cluster, slow_deletes: SlowDeletes
) -> None:
    """The worker sees its pool process die and hands the task back (`reject_on_worker_lost`).

    The run comes back with its own id, so it takes back the lock its dead process left.
    """
    case = seed_cleanup_case()
    worker = cluster.worker("pool", concurrency=1)
    cluster.ready(worker)
    registry = cluster.registry()

    with slow_deletes():
        run = registry.todo_cleanup.delay()
        wait_until(mid_run(run, case), timeout_s=30, what="the first batch to commit")
        [pool_process] = worker.pool_pids()
        os.kill(pool_process, signal.SIGKILL)
        result = run.get(timeout=60)

    assert result["skipped"] is None, result
    assert result["users_processed"] == ACTIVE_USERS
    case.assert_exactly_the_right_rows_are_gone()
    log = worker.log_tail(300)
    assert "WorkerLostError" in log
    assert log.count(f"Task todo.cleanup[{run.id}] received") == 2  # delivered again
    assert pool_process not in worker.pool_pids()


def test_a_warm_shutdown_lets_the_running_cleanup_finish_and_keeps_the_queue(
    cluster: Cluster, slow_deletes: SlowDeletes
) -> None:
    """SIGTERM: the running task finishes and is acknowledged; a task queued behind it is run
    (by the stopping worker or the next one), never lost."""
    case = seed_cleanup_case()
    worker = cluster.worker("stopping", concurrency=1)
    cluster.ready(worker)
    registry = cluster.registry()

    with slow_deletes():
        run = registry.todo_cleanup.delay()
        wait_until(mid_run(run, case), timeout_s=30, what="the first batch to commit")
        waiting = registry.ping.delay()  # queued behind the cleanup on this one-process worker
        worker.signal(signal.SIGTERM)
        assert worker.wait_exit(timeout=60) == 0
        result = run.get(timeout=5)  # finished by the worker that was stopping

    assert result["skipped"] is None, result
    assert result["users_processed"] == ACTIVE_USERS
    case.assert_exactly_the_right_rows_are_gone()
    assert "Warm shutdown" in worker.log_tail(100)
    assert logged_at(worker, f"task todo.cleanup[{run.id}] success in")  # the run-log line

    if not waiting.ready():  # left in the queue by the stopping worker: the next one runs it
        cluster.worker("next")
    assert waiting.get(timeout=60) == "pong"
