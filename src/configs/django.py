"""The Django settings module, built from the pydantic settings classes.

Only `SECRET_KEY` reaches Django as a secret: Django needs it under that name. Other secrets stay in
their settings classes and are handed to the services that need them.
"""

from typing import Any

import dj_database_url
import django_stubs_ext

from configs.core import DatabaseSettings, DjangoSettings
from configs.paths import VAR_DIR

django_stubs_ext.monkeypatch()  # lets the admin classes be typed as ModelAdmin[Model]

_django = DjangoSettings()
_database = DatabaseSettings()

SECRET_KEY = _django.secret_key.get_secret_value()
DEBUG = _django.debug
ALLOWED_HOSTS = _django.allowed_hosts
CSRF_TRUSTED_ORIGINS = _django.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "core.user.apps.UserConfig",
    "core.todo.apps.TodoConfig",
    "delivery.cli.apps.CliConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "configs.urls"
AUTH_USER_MODEL = "user.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database_config() -> dict[str, Any]:
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            _database.url.get_secret_value(),
            conn_max_age=_database.conn_max_age,
            conn_health_checks=True,
        )
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the API read while the worker deletes; IMMEDIATE avoids upgrade deadlocks.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    if _database.test_name:
        config["TEST"] = {"NAME": _database.test_name}
    return config


DATABASES = {"default": _database_config()}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Django's rule for the digits 0-9 only, so the API's schema can state it exactly.
    {"NAME": "core.user.passwords.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = _django.time_zone
USE_I18N = True
USE_TZ = True

# The admin is mounted under /django by the HTTP app; whitenoise serves its assets in every mode.
STATIC_URL = "/django/static/"
STATIC_ROOT = VAR_DIR / "static"
# Also creates var/ itself, where the default SQLite database lives (SQLite will not create it).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
# Whitenoise matches the path below the mount point (the ASGI root_path "/django" is stripped).
WHITENOISE_STATIC_PREFIX = "/static/"
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and _django.secure_cookies
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# SecurityMiddleware also sends X-Content-Type-Options: nosniff and this Referrer-Policy.
SECURE_REFERRER_POLICY = "same-origin"
# Sent on HTTPS requests only; behind a proxy, uvicorn's --proxy-headers makes them HTTPS.
SECURE_HSTS_SECONDS = _django.secure_hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = _django.secure_hsts_include_subdomains
SECURE_HSTS_PRELOAD = _django.secure_hsts_preload
