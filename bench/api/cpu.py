"""CPU time of the server and of PostgreSQL, read from /proc, to see which one a load saturates."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg

_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    # Fields after the command name, which may itself hold spaces or parentheses.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue  # exited while we looked
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system time of `pid` and its children, live or already exited."""
    fields = _stat_fields(pid)
    ticks = sum(int(fields[index]) for index in (11, 12, 13, 14))  # utime stime cutime cstime
    for child in _children(pid):
        try:
            ticks += sum(int(value) for value in _stat_fields(child)[11:13])
        except OSError:
            continue
    return ticks / _TICKS


def postmaster_pid(database_url: str) -> int:
    """The PostgreSQL server process: the parent of the backend serving this connection."""
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    return int(_stat_fields(int(row[0]))[1])
