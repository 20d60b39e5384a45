"""The roles of the product as auth groups with permissions.

curator  edits the write model (sources, citations, entities, sanctions), submits change sets
reviewer reads everything; approves or rejects change sets (never one they edited)
auditor  reads everything, history included; changes nothing
admin    every permission (user and API-key management included)

Created by a migration (publishing 0003) and kept in sync after every migrate, so
permissions of models added later reach the roles too. Every view and service
checks these permissions on the server.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

WRITE_MODEL_APPS = ("sources", "entities", "sanctions")
READ_APPS = (*WRITE_MODEL_APPS, "publishing", "pghistory")

ROLES = {
    "curator": {
        "view": READ_APPS,
        "add": WRITE_MODEL_APPS,
        "change": WRITE_MODEL_APPS,
        "extra": ("publishing.add_changeset", "publishing.change_changeset", "publishing.submit_changeset"),
    },
    "reviewer": {"view": READ_APPS, "extra": ("publishing.review_changeset",)},
    # The partner access log is for auditors (and admins, who also manage the keys).
    "auditor": {"view": (*READ_APPS, "partners")},
    "admin": "all",
}


def role_permissions(role):
    from django.contrib.auth.models import Permission

    grants = ROLES[role]
    if grants == "all":
        return Permission.objects.all()
    wanted = Permission.objects.none()
    for action in ("view", "add", "change"):
        perms = Permission.objects.filter(
            content_type__app_label__in=grants.get(action, ()), codename__startswith=f"{action}_"
        )
        if action != "view":
            # History tables are written by triggers only.
            perms = perms.exclude(content_type__model__endswith="event")
        wanted = wanted | perms
    for dotted in grants.get("extra", ()):
        app_label, codename = dotted.split(".")
        wanted = wanted | Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return wanted.distinct()


def sync_roles(sender=None, verbosity=1, **kwargs):
    # Once per migrate (post_migrate is sent per app; the auth app is always there).
    if sender is not None and sender.label != "auth":
        return
    from django.contrib.auth.models import Group

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0)
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role))


def role_user(username, role):
    """The account ``username``, created if missing (staff, no usable password until
    one is set) and a member of ``role``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=role))
    return user
