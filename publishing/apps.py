from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "review and publication"
    default_auto_field = "django.db.models.BigAutoField"
