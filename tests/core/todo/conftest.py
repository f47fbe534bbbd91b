from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from core.user.models import User


def _user(username: str) -> "User":
    from core.user.models import User  # conftest modules load before Django is set up

    return User.objects.create_user(
        username=username, email=f"{username}@example.com", password="x"
    )


@pytest.fixture
def alice(db: None) -> "User":
    return _user("alice")


@pytest.fixture
def bob(db: None) -> "User":
    return _user("bob")
