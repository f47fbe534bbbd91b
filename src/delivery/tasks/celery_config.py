"""The Celery configuration for both broker modes, and the embedded mode's housekeeping."""

from datetime import timedelta
from typing import Any

from celery import Celery

from configs.tasks import CelerySettings
from delivery.tasks.registry import TaskName
from infrastructure.celery.embedded import EmbeddedFolders, prune_older_than

PRUNE_EVERY_S = 3600.0
EMBEDDED_TRANSPORT = "infrastructure.celery.filesystem_transport:Transport"


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
    # Connecting gets the publish timeout; a reply may take longer (BRPOP waits up to 1 s).
    connect_s = settings.publish_timeout_s
    reply_s = max(2 * connect_s, 2.0)
    return {
        "broker_url": broker_url,
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout_s,
            "socket_connect_timeout": connect_s,
            "socket_timeout": reply_s,
            "max_retries": 1,
        },
        "result_backend": _secret(settings.result_backend) or broker_url,
        "redis_socket_connect_timeout": connect_s,
        "redis_socket_timeout": reply_s,
        "result_backend_transport_options": {
            "visibility_timeout": settings.visibility_timeout_s,
            "retry_policy": {"max_retries": 0},
        },
    }


def register_embedded_pruning(
    celery_app: Celery, folders: EmbeddedFolders, settings: CelerySettings
) -> None:
    """Consumed messages are kept (for the atomic move); drop them once their results expire."""

    @celery_app.task(name=TaskName.PRUNE_EMBEDDED_BROKER, shared=False)
    def prune_embedded_broker() -> int:
        return prune_older_than(folders.processed, age_s=settings.result_expires_s)

    celery_app.conf.beat_schedule["prune-embedded-broker-hourly"] = {
        "task": TaskName.PRUNE_EMBEDDED_BROKER,
        "schedule": PRUNE_EVERY_S,
    }


def _secret(value: Any) -> str:
    return str(value.get_secret_value()) if value else ""
