from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "review and publication"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from sources.signals import claims_edited

        from .receivers import review_edited_claims

        claims_edited.connect(review_edited_claims, dispatch_uid="publishing.review_edited_claims")
