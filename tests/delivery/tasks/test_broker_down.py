"""Publishing with no broker to reach fails fast and clearly, in both modes."""

import shutil
import time
from pathlib import Path

import pytest

from delivery.tasks.publishing import BrokerUnavailableError, TaskPublisher
from delivery.tasks.registry import TasksRegistry
from infrastructure.celery.filesystem_results import backend_url
from ioc.container import ContainerFactory
from tests.harness.servers import free_port

pytestmark = pytest.mark.django_db

FAIL_WITHIN_S = 2.5


def _publisher(monkeypatch: pytest.MonkeyPatch, broker_url: str, **env: str) -> TaskPublisher:
    """Through the environment: Celery reads CELERY_BROKER_URL there before its configuration."""
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", "")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return ContainerFactory()().resolve(TaskPublisher)


def _assert_fails_fast(publisher: TaskPublisher) -> BrokerUnavailableError:
    started = time.monotonic()
    with pytest.raises(BrokerUnavailableError, match=r"cannot queue todo\.cleanup: the ") as caught:
        publisher.publish_todo_cleanup()
    assert time.monotonic() - started < FAIL_WITHIN_S
    return caught.value


def test_a_closed_redis_port_fails_within_two_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    _assert_fails_fast(_publisher(monkeypatch, url))


def test_an_unusable_embedded_queue_fails_within_two_seconds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    publisher = _publisher(monkeypatch, "", CELERY_EMBEDDED_DIR=str(tmp_path))
    publisher.publish_todo_cleanup()  # the folder works...
    queue = tmp_path / "queue"
    shutil.rmtree(queue)
    queue.write_text("not a folder")  # ...until something else takes its place

    _assert_fails_fast(publisher)


def test_the_registry_s_own_delay_fails_fast_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's `registry.todo_cleanup.delay()` raises the broker's error, never hangs."""
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setenv("CELERY_RESULT_BACKEND", "")
    registry = ContainerFactory()().resolve(TasksRegistry)

    started = time.monotonic()
    with pytest.raises(Exception, match=r"(?i)connect|refused"):
        registry.todo_cleanup.delay()
    assert time.monotonic() - started < FAIL_WITHIN_S


def test_the_error_names_the_broker_but_never_its_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there
    (tmp_path / "results").mkdir()
    results = backend_url((tmp_path / "results").as_uri())
    publisher = _publisher(
        monkeypatch, f"amqp://todo:s3cret@127.0.0.1:{port}//", CELERY_RESULT_BACKEND=results
    )

    error = _assert_fails_fast(publisher)

    assert f"the task broker amqp://127.0.0.1:{port}// is unreachable" in str(error)
    assert "s3cret" not in str(error)
    assert "todo:" not in str(error)


def test_a_dead_result_backend_is_named_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    """RabbitMQ may be up while the Redis holding the results is not: the error says which."""
    results = f"redis://:pw@127.0.0.1:{free_port()}/1"
    publisher = _publisher(
        monkeypatch, f"amqp://127.0.0.1:{free_port()}//", CELERY_RESULT_BACKEND=results
    )

    error = _assert_fails_fast(publisher)

    assert f"the result backend {results.replace(':pw@', '')} is unreachable" in str(error)
