"""The Celery app's configuration in both broker modes, and its Beat schedule."""

from pathlib import Path

import pytest
from celery import Celery
from celery.schedules import crontab
from pydantic import SecretStr

from configs.tasks import CelerySettings, SessionCleanupSettings, TodoCleanupSettings
from delivery.tasks.celery_config import EMBEDDED_TRANSPORT
from delivery.tasks.registry import TaskName, TasksRegistry
from infrastructure.celery.filesystem_results import FilesystemResultBackend
from ioc.container import ContainerFactory

pytestmark = pytest.mark.django_db


def _app(
    celery: CelerySettings | None = None, cleanup: TodoCleanupSettings | None = None
) -> Celery:
    container = ContainerFactory()()
    if celery is not None:
        container.register(CelerySettings, instance=celery)
    if cleanup is not None:
        container.register(TodoCleanupSettings, instance=cleanup)
    return container.resolve(TasksRegistry).celery_app


@pytest.fixture
def no_celery_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery prefers these variables to its configuration; drop them to test the configuration."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)


def test_delivery_defaults_hold_in_every_mode() -> None:
    conf = _app().conf

    assert conf.accept_content == ["json"]
    assert (conf.task_serializer, conf.result_serializer) == ("json", "json")
    assert conf.task_acks_late
    assert conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert str(conf.timezone) == "UTC"
    assert conf.enable_utc is True
    assert conf.worker_hijack_root_logger is False
    assert conf.task_soft_time_limit < conf.task_time_limit


def test_every_task_has_soft_and_hard_time_limits() -> None:
    app = _app()
    cleanup = TodoCleanupSettings()
    ours = {name: app.tasks[name] for name in TaskName if name in app.tasks}

    assert set(TaskName) - {TaskName.PRUNE_EMBEDDED_BROKER} <= set(ours)
    for name, task in ours.items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert 0 < soft < hard, name
    assert app.tasks[TaskName.TODO_CLEANUP].time_limit == cleanup.time_limit_s
    sessions = app.tasks[TaskName.USER_SESSIONS_CLEANUP]
    assert sessions.time_limit == SessionCleanupSettings().time_limit_s


@pytest.mark.usefixtures("no_celery_env")
def test_embedded_mode_keeps_queue_results_and_processed_messages_in_one_folder(
    tmp_path: Path,
) -> None:
    app = _app(CelerySettings(broker_url=None, result_backend=None, embedded_dir=tmp_path))
    conf = app.conf
    options = conf.broker_transport_options

    assert conf.broker_url == "filesystem://localhost/"
    assert conf.broker_transport == EMBEDDED_TRANSPORT  # publishes atomically
    assert options["data_folder_in"] == options["data_folder_out"] == str(tmp_path / "queue")
    assert options["store_processed"] is True
    assert Path(options["processed_folder"]).parent == tmp_path  # same filesystem, never /tmp
    assert Path(options["control_folder"]).is_dir()
    assert options["polling_interval"] == 0.1
    assert conf.result_backend.endswith("+" + (tmp_path / "results").as_uri())
    # Polled every 20 ms by AsyncResult.get(), not Celery's default 500 ms.
    assert isinstance(app.backend, FilesystemResultBackend)
    assert "prune-embedded-broker-hourly" in conf.beat_schedule


@pytest.mark.usefixtures("no_celery_env")
def test_redis_mode_outlives_the_longest_task_and_fails_fast() -> None:
    url = "redis://127.0.0.1:6399/0"
    cleanup = TodoCleanupSettings()
    conf = _app(CelerySettings(broker_url=SecretStr(url), result_backend=None), cleanup).conf
    options = conf.broker_transport_options

    assert conf.broker_url == conf.result_backend == url
    assert options["visibility_timeout"] > cleanup.time_limit_s
    assert options["socket_connect_timeout"] <= 1
    assert conf.task_publish_retry_policy["max_retries"] <= 1
    assert "prune-embedded-broker-hourly" not in conf.beat_schedule


def test_a_visibility_timeout_shorter_than_the_cleanup_is_refused() -> None:
    settings = CelerySettings(
        broker_url=SecretStr("redis://127.0.0.1:6399/0"), visibility_timeout_s=60
    )

    with pytest.raises(ValueError, match="CELERY_VISIBILITY_TIMEOUT_S"):
        _app(settings)


def test_beat_pings_every_minute_and_cleans_up_daily_at_two_utc() -> None:
    schedule = _app().conf.beat_schedule

    assert schedule["ping-every-minute"]["task"] == TaskName.PING
    assert schedule["ping-every-minute"]["schedule"] == 60.0
    assert schedule["cleanup-completed-todos-daily"]["task"] == TaskName.TODO_CLEANUP
    assert schedule["cleanup-completed-todos-daily"]["schedule"] == crontab(hour=2, minute=0)


def test_beat_prunes_refresh_sessions_daily_at_three_utc() -> None:
    entry = _app().conf.beat_schedule["prune-refresh-sessions-daily"]

    assert entry["task"] == TaskName.USER_SESSIONS_CLEANUP
    assert entry["schedule"] == crontab(hour=3, minute=0)


def test_a_visibility_timeout_shorter_than_the_session_cleanup_is_refused() -> None:
    container = ContainerFactory()()
    container.register(CelerySettings, instance=CelerySettings(visibility_timeout_s=4000))
    container.register(SessionCleanupSettings, instance=SessionCleanupSettings(time_limit_s=5000))

    with pytest.raises(ValueError, match="must exceed SESSION_CLEANUP_TIME_LIMIT_S"):
        container.resolve(TasksRegistry)


def test_the_schedule_is_overridable_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_CLEANUP_SCHEDULE", "30 3 * * 1")
    monkeypatch.setenv("CELERY_PING_INTERVAL_S", "15")

    schedule = _app().conf.beat_schedule

    assert schedule["cleanup-completed-todos-daily"]["schedule"] == crontab(
        minute=30, hour=3, day_of_week=1
    )
    assert schedule["ping-every-minute"]["schedule"] == 15.0


def test_a_malformed_schedule_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_CLEANUP_SCHEDULE", "every night")

    with pytest.raises(ValueError, match="TODO_CLEANUP_SCHEDULE must have 5 crontab fields"):
        TodoCleanupSettings()
