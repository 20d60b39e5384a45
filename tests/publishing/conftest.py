import pytest

from core.roles import role_user
from entities.models import Entity, Name
from publishing import services
from sanctions.models import Authority, SanctionAction, SanctionTarget
from tests.admin_helpers import make_citation, make_source


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
    salami = make_citation(src, "Maj. Gen. Hossein Salami")
    eu = make_citation(src, "The European Union added the Guard's aerospace unit to its list of targets")
    person = Entity.objects.create(kind=Entity.Kind.PERSON)
    person.citations.add(salami)
    name = Name.objects.create(entity=person, value="Hossein Salami", type=Name.Type.PRIMARY, lang="en")
    name.citations.add(salami)
    action = SanctionAction.objects.create(
        authority=Authority.objects.create(name="Council of the European Union", short_name="EU Council"),
        kind=SanctionAction.Kind.DESIGNATION,
        status=SanctionAction.Status.ANNOUNCED,
        summary="The EU listed the Guard's aerospace unit.",
    )
    action.citations.add(eu)
    target = SanctionTarget.objects.create(action=action, entity=person, measures=["asset_freeze"])
    target.citations.add(eu)
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


def approve_now(change_set, reviewer):
    """Approve with the revisions as they are (what a reviewer who just loaded the diff sends)."""
    keys = services.pending_keys(change_set)
    return services.approve(change_set, reviewer, services.current_revisions(keys))


@pytest.fixture
def published(world, users):
    services.submit(world.change_set, users.curator)
    approve_now(world.change_set, users.reviewer)
    return world
