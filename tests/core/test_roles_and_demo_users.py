import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_roles_exist_with_their_permissions_after_migrate():
    curator = Group.objects.get(name="curator")
    auditor = Group.objects.get(name="auditor")
    curator_perms = set(curator.permissions.values_list("codename", flat=True))
    assert {"add_entity", "change_entity", "add_citation", "change_sanctionaction", "view_source"} <= curator_perms
    assert not any(p.startswith("delete_") for p in curator_perms)
    auditor_perms = set(auditor.permissions.values_list("codename", flat=True))
    assert "view_entity" in auditor_perms and "view_citation" in auditor_perms
    assert all(p.startswith("view_") for p in auditor_perms)


def test_demo_users_are_refused_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="embedded database"):
        call_command("create_demo_users")
    assert not get_user_model().objects.filter(username="curator").exists()


def test_demo_users_are_refused_on_a_configured_database_server(settings):
    settings.DEBUG, settings.EMBEDDED_DATABASE = True, False
    with pytest.raises(CommandError, match="DATABASE_URL unset"):
        call_command("create_demo_users")
    assert not get_user_model().objects.exists()


def test_demo_users_get_their_role_and_a_printed_password_that_works(settings, capsys, client):
    settings.DEBUG, settings.EMBEDDED_DATABASE = True, True
    call_command("create_demo_users")
    out = capsys.readouterr().out
    passwords = dict(line.split()[0::2] for line in out.splitlines()[1:])
    assert set(passwords) == {"curator", "reviewer", "auditor", "admin"}
    curator = get_user_model().objects.get(username="curator")
    assert list(curator.groups.values_list("name", flat=True)) == ["curator"]
    assert not curator.is_superuser
    assert client.login(username="curator", password=passwords["curator"])
    assert client.get("/admin/").status_code == 200
