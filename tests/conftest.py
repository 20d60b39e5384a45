"""Shared fixtures; pytest-django provides db, client, admin_client, admin_user."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from core.roles import role_user
from entities.models import Entity
from partners.models import ApiKey
from publishing import services
from sanctions.models import Authority, SanctionAction, SanctionTarget
from tests.builders import approve_now, citation, cite_properties, entity, make_source


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


@pytest.fixture(scope="class")
def seed_corpus(django_db_setup, django_db_blocker):
    """The seed corpus, published once for the tests of a class in a transaction rolled
    back after them; each test's own transaction rolls back on top of it, so a test may
    change it. (Used by a test outside a class, it is loaded for that test alone.) Not for
    transactional tests: they commit, and end by emptying every table."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_seed_corpus", verbosity=0)
        yield
        transaction.set_rollback(True)


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


# ------------------------------------------------------------- review and publication


@pytest.fixture
def users(db):
    class Users:
        curator = role_user("cora", "curator")
        curator2 = role_user("carl", "curator")
        reviewer = role_user("rita", "reviewer")
        reviewer2 = role_user("rob", "reviewer")
        auditor = role_user("aude", "auditor")
        admin = role_user("ada", "admin")

    return Users


@pytest.fixture
def world(users):
    """A cited person and a cited action targeting them: edited by a curator, not yet reviewed."""
    src = make_source()
    salami = citation(src, "Maj. Gen. Hossein Salami")
    eu = citation(src, "The European Union added the Guard's aerospace unit to its list of targets")
    person = entity("Hossein Salami", Entity.Kind.PERSON, salami)
    name = person.names.get()
    action = SanctionAction.objects.create(
        authority=Authority.objects.create(name="Council of the European Union", short_name="EU Council"),
        kind=SanctionAction.Kind.DESIGNATION,
        status=SanctionAction.Status.ANNOUNCED,
        summary="The EU listed the Guard's aerospace unit.",
    )
    action.citations.add(eu)
    target = SanctionTarget.objects.create(action=action, entity=person, measures=["asset_freeze"])
    target.citations.add(eu)
    cite_properties(target, eu)
    services.record_edit(users.curator, person)
    change_set = services.record_edit(users.curator, action)

    class World:
        pass

    w = World()
    w.src, w.salami, w.eu, w.person, w.name, w.action, w.target, w.change_set = (
        src,
        salami,
        eu,
        person,
        name,
        action,
        target,
        change_set,
    )
    return w


@pytest.fixture
def published(world, users):
    services.submit(world.change_set, users.curator)
    approve_now(world.change_set, users.reviewer)
    return world


# ---------------------------------------------------------------------- partner API


@pytest.fixture
def api_key(db):
    """(ApiKey, plain key) of a partner."""
    return ApiKey.objects.create_key("Partner Bank AG")


@pytest.fixture
def partner(api_key):
    """An API client sending a valid partner key."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
    return client


@pytest.fixture
def steady_minute(monkeypatch):
    """The per-minute counters (partners.throttling) see one instant, mid-minute: a
    test's requests never straddle two windows (which would reset the counts)."""
    now = timezone.now().replace(second=30, microsecond=0)
    monkeypatch.setattr("partners.throttling.timezone", SimpleNamespace(now=lambda: now))
