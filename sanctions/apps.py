from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "sanctions"
    verbose_name = "Sanctions"

    def ready(self):
        from . import creators

        # The source reader creates sanction actions from a selection.
        creators.register()
