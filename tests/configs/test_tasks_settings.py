"""Task settings read from prefixed variables, with defaults that keep the documented behaviour."""

from datetime import timedelta
from pathlib import Path

import pytest

from configs.paths import VAR_DIR
from configs.tasks import CelerySettings, SessionCleanupSettings, TodoCleanupSettings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_EMBEDDED_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_no_broker_url_means_the_embedded_broker_under_var() -> None:
    settings = CelerySettings(_env_file=None)

    assert settings.embedded
    assert settings.embedded_dir == VAR_DIR / "celery"


def test_a_relative_embedded_dir_is_under_the_project_wherever_we_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CELERY_EMBEDDED_DIR", "var/celery")
    monkeypatch.chdir(tmp_path)

    assert CelerySettings(_env_file=None).embedded_dir == VAR_DIR / "celery"


def test_an_empty_broker_url_also_means_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CELERY_BROKER_URL", "")

    assert CelerySettings(_env_file=None).embedded


def test_a_redis_url_turns_the_embedded_broker_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://localhost:6379/0")

    settings = CelerySettings(_env_file=None)

    assert not settings.embedded
    assert "redis" not in repr(settings)  # a URL may hold a password: it stays secret


def test_cleanup_defaults_delete_every_completed_todo_daily_at_two() -> None:
    settings = TodoCleanupSettings(_env_file=None)

    assert settings.retention == timedelta(0)
    assert settings.schedule == "0 2 * * *"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("P7D", timedelta(days=7)),
        ("PT12H", timedelta(hours=12)),
        ("0", timedelta(0)),
        ("86400", timedelta(days=1)),
    ],
)
def test_retention_takes_seconds_or_iso_8601_durations(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: timedelta
) -> None:
    monkeypatch.setenv("TODO_CLEANUP_RETENTION", value)

    assert TodoCleanupSettings(_env_file=None).retention == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TODO_CLEANUP_BATCH_SIZE", "0", "must be >= 1"),
        ("TODO_CLEANUP_RETENTION", "-P1D", "must not be negative"),
        ("TODO_CLEANUP_SCHEDULE", "0 2 * *", "5 crontab fields"),
    ],
)
def test_nonsense_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValueError, match=message):
        TodoCleanupSettings(_env_file=None)


def test_rabbitmq_needs_a_result_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CELERY_BROKER_URL", "amqp://todo:secret@localhost:5672//")

    with pytest.raises(
        ValueError, match="CELERY_RESULT_BACKEND must be set when CELERY_BROKER_URL"
    ):
        CelerySettings(_env_file=None)

    monkeypatch.setenv("CELERY_RESULT_BACKEND", "redis://localhost:6379/1")
    assert not CelerySettings(_env_file=None).embedded


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SESSION_CLEANUP_SCHEDULE", "0 3 * *", "SESSION_CLEANUP_SCHEDULE must have 5 crontab"),
        ("CELERY_RESULT_CLEANUP_SCHEDULE", "daily", "CELERY_RESULT_CLEANUP_SCHEDULE must have 5"),
        ("CELERY_SOFT_TIME_LIMIT_S", "90", "CELERY_SOFT_TIME_LIMIT_S must be positive and below"),
        ("SESSION_CLEANUP_SOFT_TIME_LIMIT_S", "0", "SESSION_CLEANUP_SOFT_TIME_LIMIT_S must be"),
    ],
)
def test_task_schedules_and_limits_are_checked_when_read(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    settings_class = {"SESSION": SessionCleanupSettings, "CELERY": CelerySettings}[
        name.split("_")[0]
    ]

    with pytest.raises(ValueError, match=message):
        settings_class(_env_file=None)


def test_beat_s_schedule_file_is_under_the_project_wherever_we_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CELERY_BEAT_SCHEDULE_FILE", "var/celerybeat-schedule")
    monkeypatch.chdir(tmp_path)

    assert CelerySettings(_env_file=None).beat_schedule_file == VAR_DIR / "celerybeat-schedule"
