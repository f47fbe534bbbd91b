import pytest

from configs.auth import JWTSettings
from configs.core import DjangoSettings
from core.user.exceptions import InvalidCredentialsError, InvalidRefreshTokenError
from core.user.services.access_tokens import AccessTokenService
from core.user.services.auth import AuthService
from core.user.services.refresh_tokens import RefreshTokenService
from core.user.services.user import UserService

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def access() -> AccessTokenService:
    return AccessTokenService(_jwt_settings=JWTSettings(), _django_settings=DjangoSettings())


@pytest.fixture
def auth(access: AccessTokenService) -> AuthService:
    return AuthService(
        _user_service=UserService(),
        _access_token_service=access,
        _refresh_token_service=RefreshTokenService(_jwt_settings=JWTSettings()),
    )


def test_login_refresh_and_revoke(auth: AuthService, access: AccessTokenService) -> None:
    user = UserService().create_user(username="alice", email="a@example.com", password=PASSWORD)

    pair = auth.login(username="alice", password=PASSWORD)
    refreshed = auth.refresh(refresh_token=pair.refresh_token)
    auth.revoke(refresh_token=refreshed.refresh_token)

    assert access.verify(pair.access_token) == user.pk
    assert access.verify(refreshed.access_token) == user.pk
    assert refreshed.refresh_token != pair.refresh_token
    with pytest.raises(InvalidRefreshTokenError):
        auth.refresh(refresh_token=refreshed.refresh_token)


def test_login_refuses_bad_credentials(auth: AuthService) -> None:
    with pytest.raises(InvalidCredentialsError):
        auth.login(username="nobody", password=PASSWORD)
