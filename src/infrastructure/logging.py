"""Logging set-up shared by the API, the worker and Beat."""

import logging.config
import re
from typing import Any

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


class RedactSecretsFilter(logging.Filter):
    """Last line of defence: scrub tokens, passwords and URL credentials from every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for pattern, replacement in _SECRET_PATTERNS:
            redacted = pattern.sub(replacement, redacted)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(*, level: str) -> None:
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactSecretsFilter}},
        "formatters": {"default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["redact"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "uvicorn.access": {"level": "WARNING"},
        },
    }
    logging.config.dictConfig(config)
