"""The broker goes away under a Django shell, and comes back: no restart of the shell needed.

The shell runs the tutorial's calls. While the broker is down, `delay()` fails within 2 s with
our own error naming the broker (never its password), not Celery's "Retry limit exceeded ... The
Celery application must be restarted."; once the broker is back, the same shell queues again and
gets its result from a worker.
"""

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from configs.paths import ROOT_DIR
from tests.harness.processes import stop_process
from tests.harness.servers import RabbitMQServer, RedisServer
from tests.reliability.conftest import BROKER, Cluster, wait_until

FAIL_WITHIN_S = 2.0

SHELL_SESSION = """\
import json, pathlib, time
from ioc.container import ContainerFactory
from delivery.tasks.registry import TasksRegistry

signals = pathlib.Path({signals!r})
def say(name, **data):
    (signals / name).write_text(json.dumps(data))
def wait_for(name):
    while not (signals / name).exists():
        time.sleep(0.05)

container = ContainerFactory()()
first = container.resolve(TasksRegistry).todo_cleanup.delay().get(timeout=30)
say("up", skipped=first["skipped"])
wait_for("down")
started = time.monotonic()
try:
    container.resolve(TasksRegistry).todo_cleanup.delay()
except Exception as exc:
    say("failed", type=type(exc).__module__ + "." + type(exc).__name__, message=str(exc),
        seconds=time.monotonic() - started)
else:
    say("failed", type=None, message="queued while the broker was down", seconds=0)
wait_for("back")
print(container.resolve(TasksRegistry).todo_cleanup.delay().get(timeout=30))
"""


@pytest.fixture
def outage(
    cluster: Cluster, rabbitmq_server: RabbitMQServer | None
) -> Iterator[tuple[Callable[[], None], Callable[[], None], str]]:
    """(take the broker down, bring it back, its URL as a user would write it)."""
    if BROKER == "embedded":
        pytest.skip("the embedded broker has no server to lose (see test_broker_down.py)")
    if BROKER == "rabbitmq":
        assert rabbitmq_server is not None
        yield rabbitmq_server.stop_app, rabbitmq_server.start_app, rabbitmq_server.url
        return
    # A Redis of its own: broker, results and locks go down together, as in production.
    with RedisServer() as server:
        cluster.use(
            CELERY_BROKER_URL=server.url_for(0),
            CELERY_RESULT_BACKEND=server.url_for(1),
            REDIS_URL=server.url_for(2),
        )
        yield server.pause, server.resume, server.url_for(0)


def test_the_shell_gets_a_clear_error_while_the_broker_is_down_and_no_restart_after(
    cluster: Cluster, outage: tuple[Callable[[], None], Callable[[], None], str], tmp_path: Path
) -> None:
    take_down, bring_back, broker_url = outage
    cluster.ready(cluster.worker("steady"))
    signals = tmp_path / "signals"
    signals.mkdir()
    session = tmp_path / "session.py"
    session.write_text(SHELL_SESSION.format(signals=str(signals)))
    out_path, err_path = tmp_path / "shell.out", tmp_path / "shell.err"
    with session.open() as typed, out_path.open("w") as out_file, err_path.open("w") as err_file:
        shell = subprocess.Popen(
            [sys.executable, "src/manage.py", "shell"], cwd=ROOT_DIR, env=cluster.env,
            stdin=typed, stdout=out_file, stderr=err_file,
        )  # fmt: skip
    try:
        wait_until((signals / "up").exists, timeout_s=60, what="the shell's first cleanup")
        take_down()
        (signals / "down").touch()
        wait_until((signals / "failed").exists, timeout_s=30, what="the shell's failed delay()")
        bring_back()
        (signals / "back").touch()
        shell.wait(timeout=90)
    finally:
        stop_process(shell)
    out, err = out_path.read_text(), err_path.read_text()

    failed = json.loads((signals / "failed").read_text())
    assert failed["type"] == "infrastructure.celery.publishing.BrokerUnavailableError", failed
    assert failed["seconds"] < FAIL_WITHIN_S
    without_password = broker_url.replace("guest:guest@", "")
    assert f"cannot queue todo.cleanup: the task broker {without_password}" in failed["message"]
    assert "guest:" not in failed["message"]
    assert "must be restarted" not in out + err
    assert shell.returncode == 0, err
    assert out.strip().splitlines()[-1].startswith("{'users_processed': 0, "), out
    print(f"\n{BROKER} down: {failed['message']!r} after {failed['seconds']:.2f} s")
