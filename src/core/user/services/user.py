"""User accounts: sign-up, credential checks and the queries other domains need."""

from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower

from core.user.exceptions import (
    InvalidCredentialsError,
    InvalidPasswordError,
    UserAlreadyExistsError,
    UserNotFoundError,
)
from core.user.models import User


def active_users() -> QuerySet[User]:
    """Who counts as active wherever users are listed or cleaned (login checks `is_active` too)."""
    return User.objects.filter(is_active=True)


@dataclass(kw_only=True)
class UserService:
    def list_all_users(self) -> list[User]:
        """List all active users."""
        return list(active_users())

    def get_user_by_id(self, user_id: int) -> User:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise UserNotFoundError(user_id)
        return user

    def create_user(
        self,
        *,
        username: str,
        email: str,
        password: str,
        first_name: str = "",
        last_name: str = "",
    ) -> User:
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            rules = [(error.code or "invalid", error.messages[0]) for error in exc.error_list]
            raise InvalidPasswordError(rules) from exc
        user.set_password(password)
        if self._taken(username=username, email=email):
            raise UserAlreadyExistsError
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:  # lost a race with a concurrent sign-up
            raise UserAlreadyExistsError from exc
        return user

    def authenticate(self, *, username: str, password: str) -> User:
        """The active user with these credentials; inactive users are refused like bad passwords."""
        user = User.objects.filter(username=username).first()
        if user is None:
            # Hash anyway, with today's hasher and cost, so a miss takes as long as a wrong
            # password (a hash made once and kept could belong to another hasher or cost).
            make_password(password)
            raise InvalidCredentialsError
        if not user.check_password(password) or not user.is_active:
            raise InvalidCredentialsError
        return user

    def _taken(self, *, username: str, email: str) -> bool:
        same_name = User.objects.filter(username=username)
        if not email:
            return same_name.exists()
        same_email = User.objects.annotate(email_ci=Lower("email")).filter(email_ci=email.lower())
        return same_name.exists() or same_email.exists()
