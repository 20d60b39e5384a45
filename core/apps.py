from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from . import lookups  # noqa: F401  (registers field__any)
        from .roles import sync_roles

        post_migrate.connect(sync_roles, dispatch_uid="core.sync_roles")
