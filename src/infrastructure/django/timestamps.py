"""Faster `timestamptz` loading for hot PostgreSQL reads.

Django loads every `timestamptz` through a pure-Python subclass of psycopg's loader, only to set the
connection's time zone on the result. When that zone is UTC, psycopg's compiled loader returns the
same aware datetimes several times faster; a list of 20 todos carries 60 of them. Registered on one
cursor only, so Django's own loading elsewhere is untouched.
"""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

try:
    import psycopg
    from psycopg.pq import Format
except ImportError:  # pragma: no cover - SQLite-only installs
    psycopg = None  # type: ignore[assignment]


def _compiled_loader() -> Any:
    if psycopg is None:
        return None
    loader = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)
    # Only worth it when the C implementation (psycopg[binary] or [c]) is installed.
    return loader if loader is not None and not loader.__module__.startswith("psycopg.") else None


_LOADER = _compiled_loader()


def load_timestamps_natively(connection: BaseDatabaseWrapper, cursor: Any) -> None:
    """Call on a Django cursor of `connection` before executing a query that returns timestamps."""
    if _LOADER is None or connection.vendor != "postgresql":
        return
    if getattr(connection, "timezone_name", None) != "UTC":
        return
    cursor.cursor.adapters.register_loader("timestamptz", _LOADER)
