import pytest
from django.db import connections

from infrastructure.django.health import DatabaseUnavailableError, check_database


@pytest.mark.django_db
def test_check_database_passes_when_the_database_answers() -> None:
    check_database()


@pytest.mark.django_db
def test_check_database_raises_a_reason_without_details() -> None:
    settings = connections.settings["default"]
    saved = dict(settings)
    connections["default"].close()
    if settings["ENGINE"].endswith("sqlite3"):
        settings["NAME"] = "/nonexistent-dir/db.sqlite3"
    else:
        settings["PORT"] = "1"
    try:
        with pytest.raises(DatabaseUnavailableError) as caught:
            check_database()
    finally:
        connections["default"].close()
        settings.clear()
        settings.update(saved)

    assert str(caught.value).startswith("database unreachable (")
    assert "nonexistent" not in str(caught.value)
