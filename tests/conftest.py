"""Shared fixtures; pytest-django provides db, client, admin_client, admin_user."""
import pytest
from django.contrib.auth.models import Group


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Transactional tests (live servers, concurrent sessions) end with a flush, a
    TRUNCATE of every table, which the published model refuses unless the session
    declares maintenance. Declare it for every connection to the test database;
    the test of that refusal switches it off for itself."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"ALTER DATABASE {name} SET publishing.maintenance = 'on'")
        cursor.execute("SET publishing.maintenance = 'on'")


@pytest.fixture
def make_user(db, django_user_model):
    """A staff user in one of the roles (curator, reviewer, auditor), or in none; the
    same username gives the same user."""

    def make(role=None, username=None, **kwargs):
        kwargs.setdefault("is_staff", True)
        username = username or role or "someone"
        user = django_user_model.objects.filter(username=username).first()
        if user is None:
            user = django_user_model.objects.create_user(username, password="pw", **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def curator(make_user):
    return make_user("curator")


@pytest.fixture
def role_client(client, make_user):
    """role_client("auditor"): the test client logged in as a user of that role."""

    def login(role=None, **kwargs):
        client.force_login(make_user(role, **kwargs))
        return client

    return login
