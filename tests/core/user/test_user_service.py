import pytest

from core.user.exceptions import (
    InvalidCredentialsError,
    InvalidPasswordError,
    UserAlreadyExistsError,
    UserNotFoundError,
)
from core.user.models import User
from core.user.services.user import UserService

PASSWORD = "correct-horse-battery-9"

pytestmark = pytest.mark.django_db


@pytest.fixture
def service() -> UserService:
    return UserService()


def test_create_user_stores_a_hash_not_the_password(service: UserService) -> None:
    user = service.create_user(username="alice", email="a@example.com", password=PASSWORD)

    stored = User.objects.get(pk=user.pk)
    assert stored.password != PASSWORD
    assert stored.check_password(PASSWORD)


def test_create_user_runs_the_password_validators(service: UserService) -> None:
    with pytest.raises(InvalidPasswordError) as caught:
        service.create_user(username="alice", email="a@example.com", password="1234")

    assert ("password_too_short", caught.value.rules[0][1]) in caught.value.rules
    assert "too short" in caught.value.rules[0][1]
    assert ("password_entirely_numeric", "This password is entirely numeric.") in caught.value.rules
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("username", "email"), [("alice", "new@example.com"), ("alice2", "A@EXAMPLE.com")]
)
def test_taken_username_or_email_is_one_error(
    service: UserService, username: str, email: str
) -> None:
    service.create_user(username="alice", email="a@example.com", password=PASSWORD)

    with pytest.raises(UserAlreadyExistsError) as caught:
        service.create_user(username=username, email=email, password=PASSWORD)

    assert str(caught.value) == "a user with these details already exists"


def test_authenticate(service: UserService) -> None:
    created = service.create_user(username="alice", email="a@example.com", password=PASSWORD)

    assert service.authenticate(username="alice", password=PASSWORD).pk == created.pk
    with pytest.raises(InvalidCredentialsError):
        service.authenticate(username="alice", password="wrong")
    with pytest.raises(InvalidCredentialsError):
        service.authenticate(username="nobody", password=PASSWORD)


def test_inactive_users_cannot_authenticate(service: UserService) -> None:
    service.create_user(username="alice", email="a@example.com", password=PASSWORD)
    User.objects.filter(username="alice").update(is_active=False)

    with pytest.raises(InvalidCredentialsError):
        service.authenticate(username="alice", password=PASSWORD)


def test_list_all_users_returns_active_users_only(service: UserService) -> None:
    service.create_user(username="alice", email="a@example.com", password=PASSWORD)
    service.create_user(username="bob", email="b@example.com", password=PASSWORD)
    User.objects.filter(username="bob").update(is_active=False)

    assert [user.username for user in service.list_all_users()] == ["alice"]


def test_get_user_by_id(service: UserService) -> None:
    user = service.create_user(username="alice", email="a@example.com", password=PASSWORD)

    assert service.get_user_by_id(user.pk).username == "alice"
    with pytest.raises(UserNotFoundError):
        service.get_user_by_id(user.pk + 1)
