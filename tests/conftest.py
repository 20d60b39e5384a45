"""Shared fixtures; pytest-django provides db, client, admin_client, admin_user."""
import pytest


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
