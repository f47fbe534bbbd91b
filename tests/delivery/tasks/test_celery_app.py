"""The Celery app's configuration in both broker modes, and its Beat schedule."""

from pathlib import Path

import pytest
from celery import Celery
from celery.schedules import crontab
from pydantic import SecretStr

from configs.tasks import CelerySettings, SessionCleanupSettings, TodoCleanupSettings
from delivery.tasks.celery_config import BEAT_SCHEDULER, EMBEDDED_TRANSPORT
from delivery.tasks.registry import TaskName, TasksRegistry
from infrastructure.celery.filesystem_results import FilesystemResultBackend
from infrastructure.celery.limits import TaskLimitsError
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

    with pytest.raises(TaskLimitsError) as refused:
        container.resolve(TasksRegistry)

    message = str(refused.value)
    assert "user.sessions.cleanup: hard time limit 5000 s (SESSION_CLEANUP_TIME_LIMIT_S)" in message
    assert "CELERY_VISIBILITY_TIMEOUT_S=4000 s" in message
    assert "todo.cleanup:" not in message  # only the offenders are named


def test_the_defaults_end_every_task_before_a_ten_minute_redelivery() -> None:
    """On Redis a task whose worker died comes back within 10 minutes, and never twice at once."""
    app = _app()
    visibility = CelerySettings().visibility_timeout_s

    assert visibility <= 600
    builtins = {name for name in app.tasks if name.startswith("celery.")}
    assert {"celery.chord_unlock", "celery.backend_cleanup"} <= builtins
    for name, task in app.tasks.items():
        hard = task.time_limit or app.conf.task_time_limit
        assert hard < visibility, name


def test_a_default_limit_past_the_visibility_timeout_names_celery_s_own_tasks_too() -> None:
    settings = CelerySettings(soft_time_limit_s=500, time_limit_s=700)

    with pytest.raises(TaskLimitsError) as refused:
        _app(settings)

    message = str(refused.value)
    assert "celery.chord_unlock: hard time limit 700 s (CELERY_TIME_LIMIT_S)" in message
    assert "ping: hard time limit 700 s (CELERY_TIME_LIMIT_S)" in message
    assert "todo.cleanup:" not in message  # it has its own, shorter limits


def test_a_task_limit_from_the_environment_is_checked_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TODO_CLEANUP_SOFT_TIME_LIMIT_S", "3000")
    monkeypatch.setenv("TODO_CLEANUP_TIME_LIMIT_S", "3300")

    with pytest.raises(TaskLimitsError, match=r"todo\.cleanup: hard time limit 3300 s "):
        ContainerFactory()().resolve(TasksRegistry)


def test_a_soft_limit_must_stay_below_the_hard_one() -> None:
    with pytest.raises(ValueError, match="TODO_CLEANUP_SOFT_TIME_LIMIT_S must be positive and"):
        TodoCleanupSettings(soft_time_limit_s=300, time_limit_s=300)


@pytest.mark.usefixtures("no_celery_env")
def test_rabbitmq_mode_confirms_publishes_and_keeps_redis_results_fast_failing() -> None:
    settings = CelerySettings(
        broker_url=SecretStr("amqp://guest:guest@127.0.0.1:5699//"),
        result_backend=SecretStr("redis://127.0.0.1:6399/1"),
    )
    conf = _app(settings).conf

    assert conf.broker_transport_options == {"confirm_publish": True}
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.result_backend == "redis://127.0.0.1:6399/1"
    assert conf.redis_socket_connect_timeout <= 1
    assert conf.result_backend_transport_options["retry_policy"]["max_retries"] == 0


def test_every_beat_entry_s_schedule_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSION_CLEANUP_SCHEDULE", "15 4 * * *")
    monkeypatch.setenv("CELERY_EMBEDDED_PRUNE_INTERVAL_S", "600")
    monkeypatch.setenv("CELERY_RESULT_CLEANUP_SCHEDULE", "0 5 * * 0")
    monkeypatch.setenv("CELERY_BROKER_URL", "")
    monkeypatch.setenv("CELERY_RESULT_BACKEND", "")

    schedule = _app().conf.beat_schedule

    assert schedule["prune-refresh-sessions-daily"]["schedule"] == crontab(minute=15, hour=4)
    assert schedule["prune-embedded-broker-hourly"]["schedule"] == 600.0
    # Celery's own entry, under its own name so that Beat keeps ours instead of its fixed 04:00.
    cleanup = schedule["celery.backend_cleanup"]
    assert cleanup["schedule"] == crontab(minute=0, hour=5, day_of_week=0)
    assert cleanup["task"] == "celery.backend_cleanup"


def test_beat_keeps_its_schedule_where_the_setting_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CELERY_BEAT_SCHEDULE_FILE", str(tmp_path / "schedule"))

    conf = _app().conf

    assert conf.beat_schedule_filename == str(tmp_path / "schedule")
    assert conf.beat_scheduler == BEAT_SCHEDULER


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
