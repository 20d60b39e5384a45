from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "entities"
    verbose_name = "Persons and organisations"

    def ready(self):
        from . import creators

        # The source reader creates persons, organisations and names from a selection.
        creators.register()
