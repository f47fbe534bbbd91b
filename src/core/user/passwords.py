"""Password rules that the API's schema can state exactly, beside Django's own validators."""

from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

# Every character an all-digit password is made of; its complement is the schema's pattern.
ASCII_DIGITS = "0-9"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    """Refuses a password made only of the digits 0-9, like "12345678".

    Django's own also refuses passwords of other scripts' digits (anything `str.isdigit`), which
    no one pattern says alike in every regex dialect a client reads the schema with: here the rule
    and the schema's `[^0-9]` ("contains something other than 0-9") are the same sentence.
    """

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if password.isascii() and password.isdigit():
            raise ValidationError(self.get_error_message(), code="password_entirely_numeric")


def min_password_length() -> int:
    """The shortest password the configured validators accept (1 when none sets a length)."""
    lengths = [
        validator.min_length
        for validator in password_validation.get_default_password_validators()
        if isinstance(validator, password_validation.MinimumLengthValidator)
    ]
    return max(lengths, default=1)
