"""Entities and their claims: validation in the model and the same rules in the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from entities.models import Entity, Name, Organisation, Person, Relationship
from sources.models import Claim
from tests.builders import citation, person, source

pytestmark = pytest.mark.django_db


def test_persons_and_organisations_share_one_id_space():
    p = person()
    org = Entity.objects.create(kind=Entity.Kind.ORGANISATION)
    assert p.public_id.startswith("ent_") and org.public_id.startswith("ent_")
    assert p.public_id != org.public_id
    assert set(Entity.objects.values_list("kind", flat=True)) == {"person", "organisation"}


@pytest.mark.parametrize("value", ["1960", "1960-05", "1960-05-17", "2024-02-29"])
def test_partial_dates_are_accepted_at_their_precision(value):
    p = Person(entity=person(), birth_date=value)
    p.full_clean()
    p.save()
    assert Person.objects.get(pk=p.pk).birth_date == value


@pytest.mark.parametrize(
    "value", ["196", "1960-13", "1960-5", "1960-02-30", "2023-02-29", "17.05.1960", "1960-05-17T00"]
)
def test_malformed_partial_dates_are_refused_by_the_model(value):
    with pytest.raises(ValidationError) as err:
        Person(entity=person(), birth_date=value).full_clean()
    assert "birth_date" in err.value.message_dict


@pytest.mark.parametrize("value", ["196", "1960-13", "1960-5", "17.05.1960"])
def test_malformed_partial_dates_are_refused_by_the_database(value):
    p = Person.objects.create(entity=person())
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=p.pk).update(birth_date=value)


def test_unknown_countries_are_refused_by_the_model_and_the_database():
    entity = person()
    with pytest.raises(ValidationError) as err:
        Person(entity=entity, nationalities=["IR", "ZZ"]).full_clean()
    assert "nationalities" in err.value.message_dict
    p = Person.objects.create(entity=entity, nationalities=["IR"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=p.pk).update(nationalities=["IR", "ZZ"])
    org = Organisation.objects.create(entity=Entity.objects.create(kind="organisation"), org_kind="company")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=org.pk).update(countries=["ru"])


def test_choices_are_enforced_by_the_database():
    entity = person()
    with pytest.raises(IntegrityError), transaction.atomic():
        Entity.objects.filter(pk=entity.pk).update(kind="vessel")
    with pytest.raises(IntegrityError), transaction.atomic():
        Name.objects.filter(entity=entity).update(type="nickname")


def test_a_relationship_cannot_end_before_it_starts():
    a, b = person("A"), person("B")
    rel = Relationship(subject=a, object=b, kind="member_of", start="2020-05", end="2019")
    with pytest.raises(ValidationError) as err:
        rel.full_clean()
    assert "end" in err.value.message_dict
    with pytest.raises(IntegrityError, match="relationship_end_not_before_start"), transaction.atomic():
        Relationship.objects.create(subject=a, object=b, kind="member_of", start="2020-05", end="2019")


@pytest.mark.parametrize(
    "start,end", [("2020", "2020-01"), ("2020-05", "2020"), ("2020-05-01", "2020-05-01"), ("", "1999")]
)
def test_ranges_at_different_precision_that_overlap_are_allowed(start, end):
    a, b = person("A"), person("B")
    Relationship(subject=a, object=b, kind="member_of", start=start, end=end).full_clean()
    Relationship.objects.create(subject=a, object=b, kind="member_of", start=start, end=end)


def test_an_entity_cannot_be_related_to_itself():
    a = person()
    with pytest.raises(ValidationError):
        Relationship(subject=a, object=a, kind="head_of").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(subject=a, object=a, kind="head_of")


def test_a_claim_is_deprecated_with_a_reason_never_deleted():
    src = source()
    entity = person(cite=citation(src, "Sergej Schoigu"))
    name = entity.names.get()
    name.deprecated_reason = "Misspelt; see the alias."
    name.save()
    name.refresh_from_db()
    assert name.is_deprecated and name.deprecated_at is not None
    with pytest.raises(IntegrityError, match="deprecate it"), transaction.atomic():
        name.delete()
    with pytest.raises(IntegrityError, match="deprecate it"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM sources_claim WHERE id = %s", [entity.pk])
    assert Claim.objects.filter(pk=name.pk).exists()


def test_a_deprecation_needs_a_reason_in_the_database():
    entity = person()
    with pytest.raises(IntegrityError, match="claim_deprecated_with_reason"), transaction.atomic():
        Claim.objects.filter(pk=entity.pk).update(deprecated_at="2024-01-01T00:00:00Z")


def test_names_are_whitespace_normalised_and_never_empty():
    entity = person()
    name = Name.objects.create(entity=entity, value="  Mohammad   Hossein\tBagheri ", type="alias")
    assert name.value == "Mohammad Hossein Bagheri"
    with pytest.raises(ValidationError):
        Name(entity=entity, value="   ", type="alias").full_clean()


def test_an_entity_cannot_be_merged_into_itself_or_another_kind():
    a = person()
    a.merged_into = a
    with pytest.raises(ValidationError) as err:
        a.full_clean()
    assert "merged_into" in err.value.message_dict
    a.merged_into = Entity.objects.create(kind=Entity.Kind.ORGANISATION)
    with pytest.raises(ValidationError, match="same kind"):
        a.full_clean()


def test_an_organisation_cannot_be_its_own_parent():
    org = Organisation.objects.create(entity=Entity.objects.create(kind="organisation"), org_kind="company")
    org.parent = org.entity
    with pytest.raises(ValidationError) as err:
        org.full_clean()
    assert "parent" in err.value.message_dict
