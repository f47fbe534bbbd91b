"""Logging set-up shared by the API, the worker and Beat."""

import logging.config
import re
from typing import Any

_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[\w\-.~+/]+=*"),
    re.compile(r"(?i)((?:password|secret|token|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"),
    re.compile(r"(://[^:/@\s]+:)[^@\s]+(@)"),
)


class RedactSecretsFilter(logging.Filter):
    """Last line of defence: scrub tokens, passwords and URL credentials from every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for pattern in _SECRET_PATTERNS:
            redacted = pattern.sub(lambda m: m.group(1) + "***" + (m.group(2) if m.lastindex == 2 else ""), redacted)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(*, level: str, fmt: str) -> None:
    text = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    json_fmt = '{"time": "%(asctime)s", "level": "%(levelname)s", "logger": "%(name)s", "message": "%(message)s"}'
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactSecretsFilter}},
        "formatters": {"default": {"format": json_fmt if fmt == "json" else text}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["redact"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "uvicorn.access": {"level": "WARNING"},
        },
    }
    logging.config.dictConfig(config)
