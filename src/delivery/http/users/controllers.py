"""Sign-up, tokens and the caller's own account."""

from dataclasses import dataclass
from typing import Any, NoReturn

from fastapi import FastAPI, HTTPException, Request, Response, status

from core.user.exceptions import (
    InvalidCredentialsError,
    InvalidPasswordError,
    InvalidRefreshTokenError,
    UserAlreadyExistsError,
    UserNotFoundError,
)
from core.user.models import User
from core.user.services.auth import AuthService, TokenPair
from core.user.services.user import UserService
from delivery.http.auth.dependencies import Authenticator, BearerCredentials, not_authenticated
from delivery.http.client import client_address, login_subjects
from delivery.http.contract import READS_BODY, answers
from delivery.http.users.schemas import LoginIn, RefreshTokenIn, SignUpIn, TokenOut, UserOut
from infrastructure.delivery.controllers import Controller
from infrastructure.django.connections import run_orm, run_orm_slow
from infrastructure.throttling import RequestThrottle

_SIGN_UP_NOTES = {
    409: "The username or the email is taken (the same answer for both)",
    422: (
        "Besides the schema, Django's validators refuse a password that is too common or too "
        "similar to the username, email or names: entries of type `password_invalid`, with "
        "`ctx.rule` `password_too_common` or `password_too_similar`"
    ),
    429: "Sign-ups are rate limited per client address (THROTTLE_SIGNUP)",
}
# OpenAPI links, so that stateful clients can chain sign-up, login, refresh and revoke.
_LINKS_FROM_SIGN_UP = {
    "LogIn": {
        "operationId": "log_in",
        "requestBody": {
            "username": "$request.body#/username",
            "password": "$request.body#/password",
        },
    }
}
_REFRESH_TOKEN = {"refresh_token": "$response.body#/refresh_token"}
_LINKS_FROM_TOKENS = {
    name: {"operationId": operation, "requestBody": _REFRESH_TOKEN}
    for name, operation in (("Refresh", "refresh"), ("Revoke", "revoke"))
}


@dataclass(kw_only=True)
class UserController(Controller):
    _user_service: UserService
    _auth_service: AuthService
    _authenticator: Authenticator
    _throttle: RequestThrottle

    def register(self, registry: FastAPI) -> None:
        route = registry.add_api_route
        tags: list[Any] = ["users"]
        route(
            "/v1/users/",
            self.sign_up,
            methods=["POST"],
            operation_id="sign_up",
            status_code=201,
            response_model=UserOut,
            responses=answers(
                *READS_BODY, 409, 429, 503, notes=_SIGN_UP_NOTES, links=(201, _LINKS_FROM_SIGN_UP)
            ),
            tags=tags,
            summary="Create an account",
        )
        route(
            "/v1/users/me",
            self.me,
            methods=["GET"],
            operation_id="me",
            response_model=UserOut,
            responses=answers(401, 503),
            tags=tags,
            summary="The caller's account",
        )
        route(
            "/v1/users/me/token",
            self.log_in,
            methods=["POST"],
            operation_id="log_in",
            response_model=TokenOut,
            responses=answers(*READS_BODY, 401, 429, 503, links=(200, _LINKS_FROM_TOKENS)),
            tags=tags,
            summary="Exchange a username and password for tokens",
        )
        route(
            "/v1/users/me/token/refresh",
            self.refresh,
            methods=["POST"],
            operation_id="refresh",
            response_model=TokenOut,
            responses=answers(*READS_BODY, 401, 429, 503, links=(200, _LINKS_FROM_TOKENS)),
            tags=tags,
            summary="Exchange a refresh token for new tokens (rotates it)",
        )
        route(
            "/v1/users/me/token/revoke",
            self.revoke,
            methods=["POST"],
            operation_id="revoke",
            status_code=204,
            response_class=Response,
            responses=answers(*READS_BODY, 503),
            tags=tags,
            summary="End the login a refresh token belongs to",
        )

    async def sign_up(self, body: SignUpIn, request: Request) -> UserOut:
        await self._throttle.check("signup", client_address(request))
        # Off the shared ORM thread: validating and hashing the password holds the CPU.
        return await run_orm_slow(self._create_user, body)

    async def me(self, credentials: BearerCredentials) -> UserOut:
        user_id = self._authenticator.user_id(credentials)
        return await run_orm(self._active_user, user_id)

    async def log_in(self, body: LoginIn, request: Request) -> TokenOut:
        await self._throttle.check("login", *login_subjects(request, body.username))
        pair = await run_orm_slow(
            self._auth_service.login, username=body.username, password=body.password
        )
        return _token_out(pair)

    async def refresh(self, body: RefreshTokenIn, request: Request) -> TokenOut:
        await self._throttle.check("refresh", client_address(request))
        pair = await run_orm(self._auth_service.refresh, refresh_token=body.refresh_token)
        return _token_out(pair)

    async def revoke(self, body: RefreshTokenIn) -> Response:
        await run_orm(self._auth_service.revoke, refresh_token=body.refresh_token)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    def handle_exception(self, exc: Exception) -> NoReturn:
        if isinstance(exc, InvalidPasswordError):
            detail = [
                {
                    "type": "password_invalid",
                    "loc": ["body", "password"],
                    "msg": message,
                    "ctx": {"rule": rule},
                }
                for rule, message in exc.rules
            ]
            raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail)
        if isinstance(exc, UserAlreadyExistsError):
            raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(exc))
        if isinstance(exc, InvalidCredentialsError | InvalidRefreshTokenError | UserNotFoundError):
            raise not_authenticated(str(exc)) from exc
        raise exc

    def _create_user(self, body: SignUpIn) -> UserOut:
        user = self._user_service.create_user(
            username=body.username,
            email=body.email,
            password=body.password,
            first_name=body.first_name,
            last_name=body.last_name,
        )
        return UserOut.model_validate(user)

    def _active_user(self, user_id: int) -> UserOut:
        user: User = self._user_service.get_user_by_id(user_id)
        if not user.is_active:
            raise not_authenticated()
        return UserOut.model_validate(user)


def _token_out(pair: TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )
