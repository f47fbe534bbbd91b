"""The Celery configuration for the three broker modes: embedded, Redis and RabbitMQ."""

from datetime import timedelta
from typing import Any

from configs.tasks import CelerySettings
from infrastructure.celery.embedded import EmbeddedFolders

EMBEDDED_TRANSPORT = "infrastructure.celery.filesystem_transport:Transport"
BEAT_SCHEDULER = "infrastructure.celery.beat:SingleBeatScheduler"


def celery_config(settings: CelerySettings) -> dict[str, Any]:
    return {
        **_broker_config(settings),
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_serializer": "json",
        "result_serializer": "json",
        "result_expires": timedelta(seconds=settings.result_expires_s),
        "timezone": "UTC",
        "enable_utc": True,
        # Every task is idempotent: a worker that dies mid-task hands it back to the queue.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.soft_time_limit_s,
        "task_time_limit": settings.time_limit_s,
        "task_track_started": True,
        # What Flower shows: every state change of every task, and when it was published.
        "worker_send_task_events": settings.task_events,
        "task_send_sent_event": settings.task_events,
        # Our logging configuration (with secret redaction) stays in charge in the worker.
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": settings.publish_timeout_s,
        # Publishing retries briefly, then fails: a request must never hang on a dead broker.
        "task_publish_retry_policy": {
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.2,
        },
        "beat_scheduler": BEAT_SCHEDULER,
        "beat_schedule_filename": str(settings.beat_schedule_file),
    }


def _broker_config(settings: CelerySettings) -> dict[str, Any]:
    if settings.embedded:
        folders = EmbeddedFolders(settings.embedded_dir)
        folders.create()
        return {
            # A host keeps kombu from warning that none was given; the folders are all it uses.
            "broker_url": "filesystem://localhost/",
            "broker_transport": EMBEDDED_TRANSPORT,
            "broker_transport_options": folders.transport_options(),
            "result_backend": _secret(settings.result_backend) or folders.result_backend_url(),
        }
    broker_url = _secret(settings.broker_url)
    result_backend = _secret(settings.result_backend) or broker_url
    config = _redis_config(settings) if is_redis(broker_url) else _amqp_config(broker_url)
    if is_redis(result_backend):
        config |= _redis_results_config(settings)
    return {"broker_url": broker_url, "result_backend": result_backend, **config}


def _redis_config(settings: CelerySettings) -> dict[str, Any]:
    return {
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout_s,
            # kombu looks for tasks past their visibility timeout every 10 s but scans only on
            # every 10th look: a dead worker's task would wait up to 100 s more. Scan each time,
            # every `RESTORE_SCANS` of the timeout (at most every 10 s).
            "unacked_restore_interval": restore_interval_s(settings.visibility_timeout_s),
            "unacked_restore_throttle": 1,
            # Connecting gets the publish timeout; a reply may take longer (BRPOP waits 1 s).
            "socket_connect_timeout": settings.publish_timeout_s,
            "socket_timeout": _reply_timeout_s(settings),
            "max_retries": 1,
        },
    }


RESTORE_SCANS = 50


def restore_interval_s(visibility_timeout_s: float) -> int:
    return max(1, min(10, round(visibility_timeout_s / RESTORE_SCANS)))


def _amqp_config(broker_url: str) -> dict[str, Any]:
    """RabbitMQ (and any other broker URL): the broker itself tracks unacknowledged messages."""
    if not broker_url.startswith(("amqp://", "amqps://", "pyamqp://")):
        return {}
    return {
        # A publish returns once RabbitMQ has taken the message, not when it left the socket.
        "broker_transport_options": {"confirm_publish": True},
        # On a lost connection RabbitMQ hands the worker's unacknowledged tasks to another
        # consumer at once; stop running them here rather than run them twice.
        "worker_cancel_long_running_tasks_on_connection_loss": True,
    }


def _redis_results_config(settings: CelerySettings) -> dict[str, Any]:
    return {
        "redis_socket_connect_timeout": settings.publish_timeout_s,
        "redis_socket_timeout": _reply_timeout_s(settings),
        "result_backend_transport_options": {
            "visibility_timeout": settings.visibility_timeout_s,
            "retry_policy": {"max_retries": 0},
        },
    }


def is_redis(url: str) -> bool:
    return url.startswith(("redis://", "rediss://"))


def _reply_timeout_s(settings: CelerySettings) -> float:
    return max(2 * settings.publish_timeout_s, 2.0)


def _secret(value: Any) -> str:
    return str(value.get_secret_value()) if value else ""
