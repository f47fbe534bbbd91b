"""Publishing a task fails with one clear error when the broker cannot be reached.

Celery's own errors say too little or the wrong thing: kombu's "Error 111 connecting to ...",
and, once a result subscription has failed, "Retry limit exceeded while trying to reconnect to the
Celery result store backend. The Celery application must be restarted." It need not be: the next
publish reconnects. `BrokerUnavailableError` names the broker (never its credentials) instead.
"""

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from celery import Celery, Task
from celery.backends import asynchronous
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

UNREACHABLE: tuple[type[Exception], ...] = (KombuError, RedisError, OSError)
# "Retry limit exceeded while trying to reconnect to the Celery result store backend. ..."
RESTART_ADVICE: str = " ".join(asynchronous.E_RETRY_LIMIT_EXCEEDED.split())  # type: ignore[attr-defined]


class BrokerUnavailableError(RuntimeError):
    """The broker or the result backend could not be reached; nothing was queued."""


def is_unreachable(exc: BaseException) -> bool:
    """A connection failure, including Celery's result-consumer error wrapping one."""
    if isinstance(exc, (BrokerUnavailableError, *UNREACHABLE)):
        return True
    return isinstance(exc, RuntimeError) and RESTART_ADVICE in " ".join(str(exc).split())


def unavailable(celery_app: Celery, action: str, exc: BaseException) -> BrokerUnavailableError:
    """`cannot <action>: the task broker redis://host:6379/0 is unreachable (<cause>)`."""
    if isinstance(exc, BrokerUnavailableError):
        return exc
    cause = exc.__cause__ if isinstance(exc, RuntimeError) and exc.__cause__ else exc
    detail = " ".join(str(cause).split()) or type(cause).__name__
    return BrokerUnavailableError(f"cannot {action}: {describe(celery_app, exc)} ({detail})")


def describe(celery_app: Celery, exc: BaseException | None = None) -> str:
    """Which server failed, as far as the error tells: the broker, or the result backend."""
    conf = celery_app.conf
    if str(conf.broker_transport or "").endswith("filesystem_transport:Transport"):
        folder = (conf.broker_transport_options or {}).get("data_folder_in", "?")
        return f"the embedded task broker's folder {folder} is unusable"
    broker = redact(str(conf.broker_url or ""))
    backend = redact(str(conf.result_backend or ""))
    if not _is_redis(broker):
        # Only the result backend (Redis) raises Redis errors; the broker raises kombu's.
        failed = backend if exc is not None and _redis_failed(exc) else broker
        name = "result backend" if failed == backend else "task broker"
        return f"the {name} {failed} is unreachable"
    if not backend or _server(backend) == _server(broker):
        return f"the task broker {broker} is unreachable"
    return f"the task broker {broker} or its result backend {backend} is unreachable"


def redact(url: str) -> str:
    """The URL without its user name and password."""
    parts = urlsplit(url)
    if not parts.netloc or "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _is_redis(url: str) -> bool:
    return url.startswith(("redis://", "rediss://"))


def _server(url: str) -> str:
    return urlsplit(url).netloc


def _redis_failed(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(5):  # the error, what caused it, what that was handling...
        if seen is None:
            return False
        if isinstance(seen, RedisError) or (
            isinstance(seen, RuntimeError) and RESTART_ADVICE in " ".join(str(seen).split())
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class PublishingTask(Task):  # type: ignore[type-arg]
    """A task whose `delay()` / `apply_async()` raise `BrokerUnavailableError` on a dead broker."""

    def apply_async(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().apply_async(*args, **kwargs)
        except Exception as exc:
            if not is_unreachable(exc):
                raise
            raise unavailable(self.app, f"queue {self.name}", exc) from exc


class _WrongRestartAdvice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return RESTART_ADVICE not in " ".join(record.getMessage().split())


def drop_wrong_restart_advice() -> None:
    """Celery logs that the app "must be restarted" when a result subscription fails; it need not.

    The caller gets `BrokerUnavailableError` instead, and the next publish reconnects.
    """
    logger = logging.getLogger("celery.backends.asynchronous")
    if not any(isinstance(f, _WrongRestartAdvice) for f in logger.filters):
        logger.addFilter(_WrongRestartAdvice())
