"""Log lines as text or JSON, each carrying its request id, user id and trace id when it has them.

A record's own key-value pairs travel in `extra={"fields": {...}}`: JSON lines put them at the top
level; text lines, whose message says the same, append only the request's and trace's ids. Both
formats pass the whole line, traceback included, through the same secret redaction as messages.
"""

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from infrastructure.logging import redact
from infrastructure.observability.context import current_request

_CONTEXT_KEYS = ("request_id", "user_id", "trace_id", "span_id")
_TEXT_KEYS = ("request_id", "user_id", "trace_id")

# Set while tracing is on: returns the current (trace id, span id), or None outside any span.
trace_ids: Callable[[], tuple[str, str] | None] | None = None


class ContextFilter(logging.Filter):
    """Copies the request's and the trace's ids onto every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request()
        if request is not None:
            record.request_id = request.request_id
            record.user_id = request.user_id
        ids = trace_ids() if trace_ids is not None else None
        if ids is not None:
            record.trace_id, record.span_id = ids
        return True


def _context(record: logging.LogRecord, keys: tuple[str, ...], *, fields: bool) -> dict[str, Any]:
    found = {key: getattr(record, key, None) for key in keys}
    extra = getattr(record, "fields", None)
    if fields and isinstance(extra, dict):
        found |= extra
    return {key: value for key, value in found.items() if value is not None}


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = _context(record, _TEXT_KEYS, fields=False)
        if context:
            pairs = " ".join(f"{key}={value}" for key, value in context.items())
            head, newline, rest = line.partition("\n")  # pairs before any traceback
            line = f"{head} [{pairs}]{newline}{rest}"
        return redact(line)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context(record, _CONTEXT_KEYS, fields=True),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return redact(json.dumps(entry, default=str))
