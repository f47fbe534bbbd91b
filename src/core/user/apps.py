from django.apps import AppConfig


class UserConfig(AppConfig):
    name = "core.user"
    label = "user"
    default_auto_field = "django.db.models.BigAutoField"
