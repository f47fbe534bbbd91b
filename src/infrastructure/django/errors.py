"""Telling a busy database from an unreachable one, from the errors the ORM raises."""

from django.db import DatabaseError

# PostgreSQL's SQLSTATEs: the statement ran past statement_timeout, or waited past lock_timeout.
_BUSY_SQLSTATES = {"57014": "statement timeout", "55P03": "lock timeout"}
_SQLITE_LOCKED = ("database is locked", "database table is locked")


def busy_reason(exc: DatabaseError) -> str | None:
    """Why the database refused to wait any longer, or None when it was not a matter of time."""
    reason = _BUSY_SQLSTATES.get(getattr(exc.__cause__, "sqlstate", None) or "")
    if reason is None and any(text in str(exc) for text in _SQLITE_LOCKED):
        reason = "database locked"
    return reason
