from datetime import UTC, datetime

import pytest
from django.db import connection

from infrastructure.django.timestamps import load_timestamps_natively

pytestmark = pytest.mark.django_db


def test_timestamps_load_as_the_orm_would() -> None:
    query = "SELECT CAST(%s AS TIMESTAMP WITH TIME ZONE)"
    if connection.vendor == "sqlite":
        query = "SELECT %s"
    moment = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)

    with connection.cursor() as cursor:
        cursor.execute(query, [moment])
        plain = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        load_timestamps_natively(connection, cursor)
        cursor.execute(query, [moment])
        native = cursor.fetchone()[0]

    assert native == plain
    assert type(native) is type(plain)
    if connection.vendor == "postgresql":
        assert native == moment
        assert native.tzinfo is plain.tzinfo
