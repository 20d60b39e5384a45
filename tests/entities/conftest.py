"""Fixtures of the entity admin tests."""

from types import SimpleNamespace

import pytest

from entities.models import Identifier, Relationship
from tests.builders import citation, make_organisation, make_person, make_source


@pytest.fixture
def data(db):
    """Hossein Salami (with an alias) heading the IRGC (with an identifier), and an
    article with a citation of each of their names."""
    source = make_source()
    salami = make_person("Hossein Salami", alias="Hossein Salamy")
    irgc = make_organisation("Islamic Revolutionary Guard Corps")
    Identifier.objects.create(entity=irgc, scheme=Identifier.Scheme.SANCTIONS_LIST, value="IRN-123", country="IR")
    relationship = Relationship.objects.create(
        subject=salami, kind=Relationship.Kind.HEAD_OF, object=irgc, role="commander"
    )
    return SimpleNamespace(
        source=source,
        salami=salami,
        irgc=irgc,
        relationship=relationship,
        cite_name=citation(source, "Hossein Salami"),
        cite_org=citation(source, "Islamic Revolutionary Guard Corps"),
    )
