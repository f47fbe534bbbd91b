from django.apps import AppConfig


class TodoConfig(AppConfig):
    name = "core.todo"
    label = "todo"
    default_auto_field = "django.db.models.BigAutoField"
