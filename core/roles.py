"""The roles of the product as auth groups, kept in sync after every migrate.

curator  edits the write model (sources, citations, entities, sanctions)
reviewer reads everything; approves or rejects change sets (the review workflow adds its permissions)
auditor  reads everything, changes nothing
admin    is a superuser
"""
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

WRITE_MODEL_APPS = ("sources", "entities", "sanctions")
READ_ONLY_APPS = WRITE_MODEL_APPS

ROLES = {
    "curator": {"view": READ_ONLY_APPS, "add": WRITE_MODEL_APPS, "change": WRITE_MODEL_APPS},
    "reviewer": {"view": READ_ONLY_APPS},
    "auditor": {"view": READ_ONLY_APPS},
}


def sync_roles(sender=None, apps=global_apps, verbosity=1, **kwargs):
    # Once per migrate (post_migrate is sent per app; core has no models so is never the
    # sender). All migrations have run by then, so every model exists.
    if sender is not None and sender.label != "auth":
        return
    from django.contrib.auth.models import Group, Permission

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0)
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = Permission.objects.none()
        for action, app_labels in grants.items():
            wanted = wanted | Permission.objects.filter(
                content_type__app_label__in=app_labels, codename__startswith=f"{action}_"
            )
        group.permissions.set(wanted.distinct())
