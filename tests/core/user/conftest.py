import pytest

from configs.auth import JWTSettings
from core.user.models import User
from core.user.services.refresh_tokens import RefreshTokenService


@pytest.fixture
def service() -> RefreshTokenService:
    """The refresh-token service; test_user_service.py overrides the name with its own."""
    return RefreshTokenService(_jwt_settings=JWTSettings())


@pytest.fixture
def user() -> User:
    return User.objects.create_user(username="alice", email="a@example.com", password="x")
