"""The embedded broker unbinds a transient queue once the process that bound it is gone.

The binding processes are real and are killed with SIGKILL, as Flower or a worker may be.
"""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue

from infrastructure.celery.embedded import EmbeddedFolders
from infrastructure.celery.filesystem_transport import Transport
from tests.harness.api_server import SRC_DIR
from tests.harness.processes import stop_process

EXCHANGE = Exchange("tests.fanout", type="fanout")

_BIND_AND_WAIT = """
import sys
from kombu import Connection, Exchange, Queue
from infrastructure.celery.embedded import EmbeddedFolders
from infrastructure.celery.filesystem_transport import Transport
from pathlib import Path

folders = EmbeddedFolders(Path(sys.argv[1]))
connection = Connection("filesystem://localhost/", transport=Transport,
                        transport_options=folders.transport_options())
queue = Queue(sys.argv[2], Exchange("tests.fanout", type="fanout"),
              auto_delete=sys.argv[3] == "transient", durable=sys.argv[3] != "transient")
queue(connection.default_channel).declare()
print("bound", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def folders(tmp_path: Path) -> EmbeddedFolders:
    folders = EmbeddedFolders(tmp_path / "celery")
    folders.create()
    return folders


@pytest.fixture
def binders(folders: EmbeddedFolders) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """One process per queue, each bound to the exchange and waiting (stopped by pid after)."""
    started: dict[str, subprocess.Popen[bytes]] = {}
    for queue, kind in (("events-of-a", "transient"), ("events-of-b", "transient"),
                        ("durable", "durable")):  # fmt: skip
        proc = subprocess.Popen(
            [sys.executable, "-c", _BIND_AND_WAIT, str(folders.root), queue, kind],
            cwd=SRC_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"bound\n"
        started[queue] = proc
    yield started
    for proc in started.values():
        stop_process(proc)


def _publish(folders: EmbeddedFolders) -> None:
    options = folders.transport_options()
    with Connection("filesystem://localhost/", transport=Transport, transport_options=options) as c:
        c.Producer().publish({"event": "heartbeat"}, exchange=EXCHANGE, serializer="json")


def _queued(folders: EmbeddedFolders, queue: str) -> int:
    return len(list(folders.queue.glob(f"*.{queue}.msg")))


def test_a_killed_process_queue_stops_receiving_and_loses_its_messages(
    folders: EmbeddedFolders, binders: dict[str, subprocess.Popen[bytes]]
) -> None:
    _publish(folders)
    assert [_queued(folders, q) for q in binders] == [1, 1, 1]

    binders["events-of-a"].kill()
    binders["events-of-a"].wait()
    binders["durable"].kill()
    binders["durable"].wait()
    _publish(folders)
    _publish(folders)

    assert _queued(folders, "events-of-a") == 0  # unbound, and its message deleted
    assert _queued(folders, "events-of-b") == 3  # its process lives: it keeps every message
    assert _queued(folders, "durable") == 3  # task queues outlive their consumers
    table = (folders.control / "tests.fanout.exchange").read_text()
    assert "events-of-a" not in table
    assert "events-of-b" in table
    assert not (folders.control / "events-of-a.bound").exists()


def test_a_queue_bound_again_after_its_process_died_receives_again(
    folders: EmbeddedFolders, binders: dict[str, subprocess.Popen[bytes]]
) -> None:
    binders["events-of-a"].kill()
    binders["events-of-a"].wait()
    _publish(folders)
    assert _queued(folders, "events-of-a") == 0

    options = folders.transport_options()
    with Connection("filesystem://localhost/", transport=Transport, transport_options=options) as c:
        queue = Queue("events-of-a", EXCHANGE, auto_delete=True)(c.default_channel)
        queue.declare()
        _publish(folders)
        assert _queued(folders, "events-of-a") == 1
        queue.delete()  # and this process holds it no more
