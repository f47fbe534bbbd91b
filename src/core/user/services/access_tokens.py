"""HS256 access tokens, checked with no database query so authenticated reads stay cheap."""

import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import jwt

from configs.auth import JWTSettings
from configs.core import DjangoSettings
from core.user.exceptions import InvalidAccessTokenError

ALGORITHM = "HS256"
TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret
_REQUIRED_CLAIMS = ["sub", "exp", "iat", "jti", "typ", "iss"]
# Domain separation: a key derived for tokens is useless for anything else Django signs.
_VERIFIED_CACHE_SIZE = 4096
_KEY_DERIVATION_LABEL = b"todo-service/jwt-access-token-signing-key/v1"


@dataclass(frozen=True)
class IssuedAccessToken:
    token: str
    expires_in: int


@dataclass(kw_only=True)
class AccessTokenService:
    _jwt_settings: JWTSettings
    _django_settings: DjangoSettings
    _key: bytes = field(init=False, repr=False)
    _verified: Callable[[str], tuple[int, int]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._key = _signing_key(self._jwt_settings, self._django_settings)
        # Clients send the same token many times: verify its signature once, its expiry every time.
        self._verified = functools.lru_cache(maxsize=_VERIFIED_CACHE_SIZE)(self._decode)

    def issue(self, *, user_id: int) -> IssuedAccessToken:
        now = int(time.time())
        ttl = self._jwt_settings.access_token_ttl_s
        claims = {
            "sub": str(user_id),
            "iat": now,
            "exp": now + ttl,
            "jti": secrets.token_urlsafe(16),
            "typ": TOKEN_TYPE,
            "iss": self._jwt_settings.issuer,
        }
        return IssuedAccessToken(
            token=jwt.encode(claims, self._key, algorithm=ALGORITHM), expires_in=ttl
        )

    def verify(self, token: str) -> int:
        """The user id the token was issued to; raises `InvalidAccessTokenError` for any defect."""
        user_id, expires_at = self._verified(token)
        if time.time() >= expires_at + self._jwt_settings.leeway_s:
            raise InvalidAccessTokenError
        return user_id

    def _decode(self, token: str) -> tuple[int, int]:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                issuer=self._jwt_settings.issuer,
                leeway=self._jwt_settings.leeway_s,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise InvalidAccessTokenError from exc
        subject = claims["sub"]
        if claims["typ"] != TOKEN_TYPE or not isinstance(subject, str) or not subject.isdigit():
            raise InvalidAccessTokenError
        return int(subject), int(claims["exp"])


def _signing_key(jwt_settings: JWTSettings, django_settings: DjangoSettings) -> bytes:
    if jwt_settings.secret_key is not None:
        return jwt_settings.secret_key.get_secret_value().encode()
    django_key = django_settings.secret_key.get_secret_value().encode()
    return hmac.new(django_key, _KEY_DERIVATION_LABEL, hashlib.sha256).digest()
