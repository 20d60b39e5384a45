"""The entity admin as a curator edits with it: one page per person or organisation,
its details, names, relationships and citations."""

import pytest
from django.contrib.auth.models import Group, User

from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from sources.models import Evidence
from tests.builders import (
    add_form,
    admin_form_data,
    admin_url,
    autocomplete,
    change_page,
    extra_row,
    field_errors,
    form_errors,
    inline_formset,
    inline_prefix,
    post_change,
    row_of,
)

# --------------------------------------------------------------------------- editing


@pytest.mark.django_db
@pytest.mark.parametrize(
    "entity_attr,model,field,bad,message",
    [
        ("salami", Person, "birth_date", "1960-13", "is not a partial ISO date"),
        ("salami", Person, "nationalities", ["IR", "ZZ"], "ZZ is not one of the available choices"),
        ("irgc", Organisation, "countries", ["ZZ"], "ZZ is not one of the available choices"),
        ("irgc", Identifier, "country", "ZZ", "ZZ is not one of the available choices"),
    ],
)
def test_invalid_values_are_field_errors_and_nothing_is_saved(
    admin_client, data, entity_attr, model, field, bad, message
):
    entity = getattr(data, entity_attr)
    url, page = change_page(admin_client, entity)
    post = admin_form_data(page)
    names = inline_prefix(page, Name)
    post[f"{names}-0-value"] = "Changed Name"  # a valid edit in the same submission
    post["notes"] = "changed notes"
    post[f"{inline_prefix(page, model)}-0-{field}"] = bad
    response = admin_client.post(url, post)

    assert response.status_code == 200
    formset = inline_formset(response, model)
    assert message in " ".join(formset.forms[0].errors[field])
    entity.refresh_from_db()
    assert entity.notes == ""
    assert not Name.objects.filter(value="Changed Name").exists()
    if model is Person:
        assert Person.objects.get(entity=entity).birth_date == "1960"
        assert Person.objects.get(entity=entity).nationalities == ["IR"]


@pytest.mark.django_db
def test_valid_person_details_are_saved(admin_client, data):
    url, page = change_page(admin_client, data.salami)
    post = admin_form_data(page)
    person = inline_prefix(page, Person)
    post.update({f"{person}-0-birth_date": "1960-12-02", f"{person}-0-nationalities": ["IR", "IQ"]})
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)
    details = Person.objects.get(entity=data.salami)
    assert (details.birth_date, details.nationalities) == ("1960-12-02", ["IR", "IQ"])


@pytest.mark.django_db
def test_adding_a_name_with_citations_stores_the_evidence(admin_client, admin_user, data):
    url, page = change_page(admin_client, data.salami)
    post = admin_form_data(page)
    names = inline_prefix(page, Name)
    row = extra_row(post, names)
    post.update(
        {
            f"{names}-{row}-value": "Hossein  Salami ",
            f"{names}-{row}-type": "transliteration",
            f"{names}-{row}-lang": "fa",
            f"{names}-{row}-citations": [str(data.cite_name.pk), str(data.cite_org.pk)],
        }
    )
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)

    name = Name.objects.get(entity=data.salami, type=Name.Type.TRANSLITERATION)
    assert name.value == "Hossein Salami"  # blanks collapsed by the model
    assert name.created_by == admin_user
    assert set(Evidence.objects.filter(claim=name).values_list("citation_id", flat=True)) == {
        data.cite_name.pk,
        data.cite_org.pk,
    }
    # shown again, selected, on the page
    page = admin_client.get(url)
    saved = inline_formset(page, Name).forms[row_of(page, name)]
    assert sorted(saved["citations"].value()) == sorted([data.cite_name.pk, data.cite_org.pk])


@pytest.mark.django_db
def test_removing_a_citation_from_a_name(admin_client, data):
    name = data.salami.names.get(type=Name.Type.PRIMARY)
    name.citations.add(data.cite_name, data.cite_org)
    url, page = change_page(admin_client, data.salami)
    post = admin_form_data(page)
    names = inline_prefix(page, Name)
    post[f"{names}-{row_of(page, name)}-citations"] = [str(data.cite_name.pk)]
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)
    assert list(name.citations.all()) == [data.cite_name]


@pytest.mark.django_db
def test_the_entitys_own_citations(admin_client, data):
    url, page = change_page(admin_client, data.irgc)
    post = admin_form_data(page)
    post["citations"] = [str(data.cite_org.pk)]
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)
    assert list(data.irgc.citations.all()) == [data.cite_org]


@pytest.mark.django_db
def test_deprecating_a_name_sets_deprecated_at_and_keeps_it(admin_client, data):
    primary = data.salami.names.get(type=Name.Type.PRIMARY)
    url, page = change_page(admin_client, data.salami)
    post = admin_form_data(page)
    names = inline_prefix(page, Name)
    post[f"{names}-{row_of(page, primary)}-deprecated_reason"] = "Misspelt: the Guard spells it Salamy."
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)

    primary.refresh_from_db()
    assert primary.deprecated_at is not None
    assert primary.deprecated_reason == "Misspelt: the Guard spells it Salamy."
    entity = Entity.objects.get(pk=data.salami.pk)
    assert entity.caption == "Hossein Salamy"  # the remaining name
    assert "DEPRECATED" in admin_client.get(url).content.decode()


@pytest.mark.django_db
def test_a_relationship_to_itself_is_a_field_error(admin_client, data):
    url, page = change_page(admin_client, data.irgc)
    post = admin_form_data(page)
    rels = inline_prefix(page, Relationship)
    row = extra_row(post, rels)
    post[f"{rels}-TOTAL_FORMS"] = str(row + 1)
    post.update({f"{rels}-{row}-kind": "part_of", f"{rels}-{row}-object": str(data.irgc.pk)})
    response = admin_client.post(url, post)
    formset = inline_formset(response, Relationship)
    assert "can't be related to itself" in " ".join(formset.forms[row].errors["object"])
    assert data.irgc.relationships.count() == 0


@pytest.mark.django_db
def test_end_before_start_of_a_relationship_is_a_field_error(admin_client, data):
    url, page = change_page(admin_client, data.salami)
    post = admin_form_data(page)
    rels = inline_prefix(page, Relationship)
    post.update({f"{rels}-0-start": "2019-04", f"{rels}-0-end": "2018"})
    response = admin_client.post(url, post)
    formset = inline_formset(response, Relationship)
    assert "can't be before the start date" in " ".join(formset.forms[0].errors["end"])
    data.relationship.refresh_from_db()
    assert (data.relationship.start, data.relationship.end) == ("", "")


@pytest.mark.django_db
def test_an_entity_cannot_be_merged_into_itself(admin_client, data):
    response = post_change(admin_client, data.irgc, merged_into=str(data.irgc.pk))
    assert "can't be merged into itself" in field_errors(response, "merged_into")
    data.irgc.refresh_from_db()
    assert data.irgc.merged_into is None


@pytest.mark.django_db
def test_deprecating_an_entity(admin_client, data):
    url, page = change_page(admin_client, data.irgc)
    post = admin_form_data(page)
    post["deprecated_reason"] = "Duplicate of the IRGC record from the OFAC list."
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)
    data.irgc.refresh_from_db()
    assert data.irgc.deprecated_at is not None
    page = admin_client.get(url)
    warnings = [str(m) for m in page.context["messages"]]
    assert any("This entity is deprecated" in w and "Duplicate of the IRGC record" in w for w in warnings)
    # clearing the reason reinstates it
    post = admin_form_data(page)
    post["deprecated_reason"] = ""
    assert admin_client.post(url, post).status_code == 302
    data.irgc.refresh_from_db()
    assert data.irgc.deprecated_at is None


@pytest.mark.django_db
def test_a_clean_error_on_a_field_the_form_lacks_is_shown_not_a_500(data):
    """AdminModelForm: a model's clean() naming a read-only or omitted field."""
    from django.forms import modelform_factory

    from sources.admin import AdminModelForm

    relationship = Relationship(subject=data.irgc, object=data.irgc, kind=Relationship.Kind.PART_OF)
    Form = modelform_factory(Relationship, form=AdminModelForm, fields=["kind", "role"])
    form = Form(data={"kind": "part_of", "role": ""}, instance=relationship)
    assert not form.is_valid()
    assert form.non_field_errors() == ["Object: An entity can't be related to itself."]


# ---------------------------------------------------------------------------- adding


@pytest.mark.django_db
def test_adding_an_entity_without_a_kind_first_goes_on_to_its_details(admin_client, admin_user, data):
    url, page, post = add_form(admin_client, Entity)
    names = inline_prefix(page, Name)
    post.update(
        {
            "kind": "person",
            f"{names}-0-value": "Ali Akbar Ahmadian",
            f"{names}-0-type": "primary",
            f"{names}-0-citations": [str(data.cite_name.pk)],
        }
    )
    response = admin_client.post(url, post)
    entity = Entity.objects.get(names__value="Ali Akbar Ahmadian")
    assert response.status_code == 302
    assert response["Location"] == admin_url(Entity, "change", entity.pk)
    assert entity.created_by == admin_user
    assert entity.names.get().created_by == admin_user
    assert list(entity.names.get().citations.all()) == [data.cite_name]
    page = admin_client.get(response["Location"])
    assert any(i.formset.model is Person for i in page.context["inline_admin_formsets"])


@pytest.mark.django_db
def test_adding_an_organisation_with_its_details(admin_client, data):
    url, page, post = add_form(admin_client, Entity, "?kind=organisation")
    org = inline_prefix(page, Organisation)
    names = inline_prefix(page, Name)
    post.update(
        {
            f"{org}-0-org_kind": "military_unit",
            f"{org}-0-countries": ["IR"],
            f"{org}-0-parent": str(data.irgc.pk),
            f"{names}-0-value": "IRGC Aerospace Force",
            f"{names}-0-type": "primary",
        }
    )
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)
    entity = Entity.objects.get(names__value="IRGC Aerospace Force")
    assert entity.kind == Entity.Kind.ORGANISATION
    assert (entity.organisation.org_kind, entity.organisation.parent) == ("military_unit", data.irgc)


@pytest.mark.django_db
def test_details_of_the_other_kind_are_refused(admin_client, db):
    url, page, post = add_form(admin_client, Entity, "?kind=person")
    person = inline_prefix(page, Person)
    post.update({"kind": "organisation", f"{person}-0-birth_date": "1970"})
    response = admin_client.post(url, post)
    assert "These are person details, but the entity is of kind organisation" in form_errors(response)
    assert not Entity.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("parent,message", [("irgc", "can't be its own parent"), ("salami", "Select a valid choice")])
def test_an_organisations_parent_must_be_another_organisation(admin_client, data, parent, message):
    url, page = change_page(admin_client, data.irgc)
    post = admin_form_data(page)
    post[f"{inline_prefix(page, Organisation)}-0-parent"] = str(getattr(data, parent).pk)
    response = admin_client.post(url, post)
    formset = inline_formset(response, Organisation)
    assert message in " ".join(formset.forms[0].errors["parent"])
    assert Organisation.objects.get(entity=data.irgc).parent is None


# ------------------------------------------------------------------------- by a curator


@pytest.mark.django_db
def test_a_curator_adds_a_cited_name(client, data):
    """The curator role (add/change/view, no delete) can do the daily work."""
    curator = User.objects.create_user("curator1", password="pw", is_staff=True)
    curator.groups.add(Group.objects.get(name="curator"))
    client.force_login(curator)
    client.defaults["HTTP_X_FORWARDED_PROTO"] = "https"
    assert autocomplete(client, "sources", "claim", "citations", "Salami") == [str(data.cite_name)]
    url, page = change_page(client, data.salami)
    assert 'class="deletelink"' not in page.content.decode()
    post = admin_form_data(page)
    names = inline_prefix(page, Name)
    row = extra_row(post, names)
    post.update({f"{names}-{row}-value": "Salami", f"{names}-{row}-citations": [str(data.cite_name.pk)]})
    response = client.post(url, post)
    assert response.status_code == 302, form_errors(response)
    name = Name.objects.get(entity=data.salami, value="Salami")
    assert name.created_by == curator
    assert list(name.citations.all()) == [data.cite_name]


@pytest.mark.django_db
def test_a_persons_details_go_in_with_the_first_save_from_the_plain_add_page(admin_client, data):
    url, page, post = add_form(admin_client, Entity)
    person, names = inline_prefix(page, Person), inline_prefix(page, Name)
    post.update(
        {
            "kind": "person",
            f"{person}-0-birth_date": "1962-03",
            f"{person}-0-nationalities": ["IR"],
            f"{names}-0-value": "Ali Akbar Ahmadian",
            f"{names}-0-type": "primary",
        }
    )
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)
    entity = Entity.objects.get(names__value="Ali Akbar Ahmadian")
    assert (entity.person.birth_date, entity.person.nationalities) == ("1962-03", ["IR"])
    assert not Organisation.objects.filter(entity=entity).exists()
