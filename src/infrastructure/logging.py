"""Logging set-up shared by the API, the worker and Beat."""

import logging.config
import re
from typing import Any, Literal

_SECRET_PATTERNS = (
    (re.compile(r"(?i)(bearer\s+)[\w\-.~+/]+=*"), r"\1***"),
    (
        re.compile(
            r"(?i)((?:password|secret|token|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"
        ),
        r"\1***",
    ),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+(@)"), r"\1***\2"),
)

LogFormat = Literal["text", "json"]


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Last line of defence: scrub tokens, passwords and URL credentials from every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_FORMATTERS = {
    "text": "infrastructure.observability.log_format.TextFormatter",
    "json": "infrastructure.observability.log_format.JsonFormatter",
}


def configure_logging(*, level: str, format: LogFormat = "text") -> None:
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": RedactSecretsFilter},
            "context": {"()": "infrastructure.observability.log_format.ContextFilter"},
        },
        "formatters": {"default": {"()": _FORMATTERS[format]}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["redact", "context"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "uvicorn.access": {"level": "WARNING"},
            # The task-run log line replaces Celery's "succeeded in", which calls a skip a success.
            "celery.app.trace": {"level": "WARNING"},
        },
    }
    logging.config.dictConfig(config)
