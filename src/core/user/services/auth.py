"""Logins: credentials in, an access token and a refresh token out."""

from dataclasses import dataclass

from core.user.services.access_tokens import AccessTokenService
from core.user.services.refresh_tokens import RefreshTokenService
from core.user.services.user import UserService


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(kw_only=True)
class AuthService:
    _user_service: UserService
    _access_token_service: AccessTokenService
    _refresh_token_service: RefreshTokenService

    def login(self, *, username: str, password: str) -> TokenPair:
        """Raises `InvalidCredentialsError` for a wrong password or an inactive user alike."""
        user = self._user_service.authenticate(username=username, password=password)
        refresh_token = self._refresh_token_service.start_session(user_id=user.pk)
        return self._pair(user.pk, refresh_token)

    def refresh(self, *, refresh_token: str) -> TokenPair:
        """Rotates the refresh token; see `RefreshTokenService.rotate` for when it refuses."""
        user_id, successor = self._refresh_token_service.rotate(refresh_token)
        return self._pair(user_id, successor)

    def revoke(self, *, refresh_token: str) -> None:
        self._refresh_token_service.revoke(refresh_token)

    def _pair(self, user_id: int, refresh_token: str) -> TokenPair:
        access = self._access_token_service.issue(user_id=user_id)
        return TokenPair(
            access_token=access.token, refresh_token=refresh_token, expires_in=access.expires_in
        )
