"""Whether the database answers, for health checks."""

from django.db import DatabaseError, connection


class DatabaseUnavailableError(Exception):
    """Carries only the error's class name: the message may hold a host or user name."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(f"database unreachable ({type(cause).__name__})")


def check_database() -> None:
    """Raise `DatabaseUnavailableError` unless `SELECT 1` succeeds; call it inside an ORM hop."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        raise DatabaseUnavailableError(exc) from exc
