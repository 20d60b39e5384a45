from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "partner API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import logs

        from . import schema  # noqa: F401  (registers the OpenAPI description of API keys)
        from .models import KEY_SECRET_PATTERN

        logs.register_secret(KEY_SECRET_PATTERN)
