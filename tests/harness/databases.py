"""The test database as other processes (a worker, a uvicorn server) must be told to reach it."""

import os
from urllib.parse import urlsplit, urlunsplit


def database_url_for_processes() -> str:
    """The URL of the database pytest-django created, for processes outside this one."""
    from django.db import connection  # the harness is also imported where Django is not set up

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))
