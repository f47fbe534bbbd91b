class UserError(Exception):
    """Base of the user domain's errors."""


class UserAlreadyExistsError(UserError):
    """Deliberately does not say whether the username or the email is taken."""

    def __init__(self) -> None:
        super().__init__("a user with these details already exists")


class UserNotFoundError(UserError):
    def __init__(self, user_id: int) -> None:
        super().__init__(f"user {user_id} not found")
        self.user_id = user_id


class InvalidPasswordError(UserError):
    """`rules` pairs each failed rule's code (`password_too_common`, ...) with its message."""

    def __init__(self, rules: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in rules))
        self.rules = rules


class InvalidCredentialsError(UserError):
    def __init__(self) -> None:
        super().__init__("invalid username or password")


class InvalidAccessTokenError(UserError):
    """Expired, forged, malformed or of the wrong type; callers answer 401 without saying which."""

    def __init__(self) -> None:
        super().__init__("invalid or expired access token")


class InvalidRefreshTokenError(UserError):
    def __init__(self) -> None:
        super().__init__("invalid or expired refresh token")
