"""Bearer authentication for endpoints.

An endpoint declares `credentials: BearerCredentials` (so OpenAPI documents the scheme) and asks the
`Authenticator` for the caller. Verifying the JWT needs no database, so it runs in the event loop
and costs no thread hop; only the staff check reads the user row.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import HTTPException, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.user.exceptions import InvalidAccessTokenError, UserNotFoundError
from core.user.services.access_tokens import AccessTokenService
from core.user.services.user import UserService
from infrastructure.django.connections import run_orm
from infrastructure.observability.context import bind_user_id

_bearer = HTTPBearer(auto_error=False, description="An access token from POST /v1/users/me/token")

BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]


def not_authenticated(detail: str = "not authenticated") -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


@dataclass(kw_only=True)
class Authenticator:
    _access_token_service: AccessTokenService
    _user_service: UserService

    def user_id(self, credentials: HTTPAuthorizationCredentials | None) -> int:
        """The caller's user id from a valid access token; 401 otherwise."""
        if credentials is None:
            raise not_authenticated()
        try:
            user_id = self._access_token_service.verify(credentials.credentials)
        except InvalidAccessTokenError as exc:
            raise not_authenticated("invalid or expired access token") from exc
        bind_user_id(user_id)  # for the request log
        return user_id

    async def staff_user_id(self, credentials: HTTPAuthorizationCredentials | None) -> int:
        """Like `user_id`, and 403 unless that user is active staff (one database hop)."""
        user_id = self.user_id(credentials)
        await run_orm(self.require_staff, user_id)
        return user_id

    def require_staff(self, user_id: int) -> None:
        """The staff check alone, for an endpoint that already runs inside an ORM hop."""
        try:
            user = self._user_service.get_user_by_id(user_id)
        except UserNotFoundError as exc:
            raise not_authenticated() from exc
        if not user.is_active:
            raise not_authenticated()
        if not user.is_staff:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="staff only")
