"""The entity admin as a curator uses it: one page per person or organisation."""
import json
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, User

from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from sources.models import Evidence
from tests.admin_helpers import (
    admin_form_data,
    admin_url,
    change_page,
    count_queries,
    form_errors,
    inline_formset,
    inline_prefix,
    make_citation,
    make_source,
    registered,
    row_of,
)


def make_person(name, *, alias=None, nationalities=("IR",), birth_date="1960"):
    entity = Entity.objects.create(kind=Entity.Kind.PERSON)
    Person.objects.create(entity=entity, title="Maj. Gen.", birth_date=birth_date, nationalities=list(nationalities))
    Name.objects.create(entity=entity, value=name, type=Name.Type.PRIMARY, lang="en")
    if alias:
        Name.objects.create(entity=entity, value=alias, type=Name.Type.ALIAS, lang="en")
    return entity


def make_organisation(name, *, countries=("IR",), org_kind=Organisation.Kind.ARMED_GROUP, parent=None):
    entity = Entity.objects.create(kind=Entity.Kind.ORGANISATION)
    Organisation.objects.create(entity=entity, org_kind=org_kind, countries=list(countries), parent=parent)
    Name.objects.create(entity=entity, value=name, type=Name.Type.PRIMARY, lang="en")
    return entity


@pytest.fixture
def data(db):
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
        cite_name=make_citation(source, "Hossein Salami"),
        cite_org=make_citation(source, "Islamic Revolutionary Guard Corps"),
    )



def extra_row(data, prefix):
    """Index of the first empty row of an inline."""
    return int(data[f"{prefix}-INITIAL_FORMS"])


# ---------------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_entities_app_registers_entities_and_read_only_indexes():
    assert registered("entities") == [Entity, Name, Relationship]


@pytest.mark.django_db
def test_entity_pages_render(admin_client, data):
    urls = [
        admin_url(Entity, "changelist"),
        admin_url(Entity, "add"),
        admin_url(Entity, "add") + "?kind=person",
        admin_url(Entity, "add") + "?kind=organisation",
        admin_url(Entity, "change", data.salami.pk),
        admin_url(Entity, "change", data.irgc.pk),
    ]
    for url in urls:
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Name, Relationship])
def test_name_and_relationship_indexes_are_read_only(admin_client, data, model):
    obj = data.relationship if model is Relationship else data.salami.names.first()
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    page = admin_client.get(admin_url(model, "change", obj.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html  # view only
    assert admin_url(Entity, "change", data.salami.pk) in html  # "edit it there" link
    # one place to add them: the entity page
    assert admin_client.get(admin_url(model, "add")).status_code == 403


@pytest.mark.django_db
def test_name_index_search_finds_names_across_entities(admin_client, data):
    response = admin_client.get(admin_url(Name, "changelist"), {"q": "salamy"})
    assert [n.value for n in response.context["cl"].result_list] == ["Hossein Salamy"]


@pytest.mark.django_db
def test_the_kind_decides_which_details_the_page_has(admin_client, data):
    _, person_page = change_page(admin_client, data.salami)
    _, org_page = change_page(admin_client, data.irgc)
    person_inlines = {i.formset.model for i in person_page.context["inline_admin_formsets"]}
    org_inlines = {i.formset.model for i in org_page.context["inline_admin_formsets"]}
    assert person_inlines == {Person, Name, Identifier, Relationship}
    assert org_inlines == {Organisation, Name, Identifier, Relationship}
    # fixed once chosen: shown, not a field
    assert "kind" not in person_page.context["adminform"].form.fields
    assert "public_id" not in person_page.context["adminform"].form.fields
    assert data.salami.public_id in person_page.content.decode()


@pytest.mark.django_db
def test_add_page_starts_with_the_kind(admin_client, db):
    response = admin_client.get(admin_url(Entity, "add"))
    assert list(response.context["adminform"].form.fields)[0] == "kind"
    assert inline_formset(response, Name).forms[0]["type"].value() == "primary"  # a new entity's first name
    assert not any(i.formset.model in (Person, Organisation) for i in response.context["inline_admin_formsets"])
    response = admin_client.get(admin_url(Entity, "add") + "?kind=organisation")
    assert response.context["adminform"].form["kind"].value() == "organisation"
    assert any(i.formset.model is Organisation for i in response.context["inline_admin_formsets"])


@pytest.mark.django_db
def test_changelist_offers_add_person_and_add_organisation(admin_client, db):
    html = admin_client.get(admin_url(Entity, "changelist")).content.decode()
    assert admin_url(Entity, "add") + "?kind=person" in html
    assert admin_url(Entity, "add") + "?kind=organisation" in html


# ----------------------------------------------------------------------- changelist


@pytest.mark.django_db
def test_changelist_columns(admin_client, data):
    alias = Name.objects.get(entity=data.salami, type=Name.Type.ALIAS)
    alias.deprecated_reason = "typo"
    alias.save()
    cl = admin_client.get(admin_url(Entity, "changelist")).context["cl"]
    admin_ = cl.model_admin
    rows = {e.pk: e for e in cl.result_list}
    salami, irgc = rows[data.salami.pk], rows[data.irgc.pk]
    assert admin_.caption_display(salami) == "Hossein Salami"
    assert admin_.countries_display(salami) == "IR"
    assert admin_.name_count(salami) == 1  # the deprecated alias doesn't count
    assert admin_.caption_display(irgc) == "Islamic Revolutionary Guard Corps"


@pytest.mark.django_db
def test_changelist_query_count_is_the_same_for_1_and_20_entities(admin_client, db):
    url = admin_url(Entity, "changelist")
    admin_client.get(url)  # warm up
    make_person("Person 0", alias="P0")
    one, _ = count_queries(admin_client, url)
    for i in range(1, 20):
        if i % 2:
            make_organisation(f"Organisation {i}", countries=("RU", "BY"))
        else:
            make_person(f"Person {i}", alias=f"P{i}")
    twenty, response = count_queries(admin_client, url)
    assert len(response.context["cl"].result_list) == 20
    assert twenty == one
    assert "Organisation 19" in response.content.decode()


@pytest.mark.django_db
def test_a_long_changelist_counts_at_most_a_page_limit_of_rows_and_says_about(
    admin_client, db, monkeypatch, django_assert_num_queries
):
    # What a million entities look like, scaled down: beyond the exact limit the count is
    # PostgreSQL's estimate, never a COUNT(*) over the whole table.
    from django.db import connection

    from core.pagination import EstimatedCountPaginator

    monkeypatch.setattr(EstimatedCountPaginator, "exact_limit", 3)
    for i in range(6):
        make_person(f"Person {i}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE entities_entity")
    url = admin_url(Entity, "changelist")
    admin_client.get(url)  # warm up (session, content types)
    # the session; the user; COUNT(*) of at most 4 rows; EXPLAIN for the estimate; the
    # page of entities with their details; their names
    with django_assert_num_queries(6) as ctx:
        response = admin_client.get(url)
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and counts[0].endswith("LIMIT 4) subquery")
    assert "about 6 entities" in " ".join(response.content.decode().split())
    # a short result is counted exactly
    found = admin_client.get(url, {"q": '"Person 5"'})
    assert "1 result" in found.content.decode() and "about" not in found.content.decode()


@pytest.mark.django_db
def test_changelist_search_and_filters(admin_client, data):
    url = admin_url(Entity, "changelist")
    by_alias = admin_client.get(url, {"q": "Salamy"}).context["cl"].result_list
    assert [e.pk for e in by_alias] == [data.salami.pk]
    by_id = admin_client.get(url, {"q": data.irgc.public_id}).context["cl"].result_list
    assert [e.pk for e in by_id] == [data.irgc.pk]
    by_identifier = admin_client.get(url, {"q": "IRN-123"}).context["cl"].result_list
    assert [e.pk for e in by_identifier] == [data.irgc.pk]
    armed = admin_client.get(url, {"organisation__org_kind__exact": "armed_group"}).context["cl"].result_list
    assert [e.pk for e in armed] == [data.irgc.pk]
    data.irgc.deprecated_reason = "duplicate"
    data.irgc.save()
    current = admin_client.get(url, {"deprecated": "no"}).context["cl"].result_list
    assert [e.pk for e in current] == [data.salami.pk]


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
    url, page = change_page(admin_client, data.irgc)
    post = admin_form_data(page)
    post["merged_into"] = str(data.irgc.pk)
    response = admin_client.post(url, post)
    assert "can't be merged into itself" in " ".join(response.context["adminform"].form.errors["merged_into"])
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
    page = admin_client.get(admin_url(Entity, "add"))
    post = admin_form_data(page)
    names = inline_prefix(page, Name)
    post.update(
        {
            "kind": "person",
            f"{names}-0-value": "Ali Akbar Ahmadian",
            f"{names}-0-type": "primary",
            f"{names}-0-citations": [str(data.cite_name.pk)],
        }
    )
    response = admin_client.post(admin_url(Entity, "add"), post)
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
    url = admin_url(Entity, "add") + "?kind=organisation"
    page = admin_client.get(url)
    post = admin_form_data(page)
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
    url = admin_url(Entity, "add") + "?kind=person"
    page = admin_client.get(url)
    post = admin_form_data(page)
    person = inline_prefix(page, Person)
    post.update({"kind": "organisation", f"{person}-0-birth_date": "1970"})
    response = admin_client.post(url, post)
    assert "These are person details, but the entity is of kind organisation" in form_errors(response)
    assert not Entity.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "parent,message", [("irgc", "can't be its own parent"), ("salami", "Select a valid choice")]
)
def test_an_organisations_parent_must_be_another_organisation(admin_client, data, parent, message):
    url, page = change_page(admin_client, data.irgc)
    post = admin_form_data(page)
    post[f"{inline_prefix(page, Organisation)}-0-parent"] = str(getattr(data, parent).pk)
    response = admin_client.post(url, post)
    formset = inline_formset(response, Organisation)
    assert message in " ".join(formset.forms[0].errors["parent"])
    assert Organisation.objects.get(entity=data.irgc).parent is None


# ------------------------------------------------------------------------ never delete


@pytest.mark.django_db
def test_claims_have_no_delete_button_or_permission(admin_client, data):
    url, page = change_page(admin_client, data.salami)
    html = page.content.decode()
    assert 'class="deletelink"' not in html
    assert "-DELETE" not in html  # no delete box on name, identifier, relationship rows
    assert admin_client.get(admin_url(Entity, "delete", data.salami.pk)).status_code == 403
    assert admin_client.post(admin_url(Entity, "delete", data.salami.pk), {"post": "yes"}).status_code == 403
    changelist = admin_client.get(admin_url(Entity, "changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert Entity.objects.filter(pk=data.salami.pk).exists()


# ---------------------------------------------------------------------- autocomplete


def autocomplete(client, app_label, model_name, field_name, term):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [r["text"] for r in json.loads(response.content)["results"]]


@pytest.mark.django_db
def test_citation_autocomplete_finds_citations_by_quote_and_source(admin_client, data):
    # what the citations box of any claim (entity, name, relationship, ...) asks for
    by_quote = autocomplete(admin_client, "sources", "claim", "citations", "revolutionary")
    assert by_quote == [str(data.cite_org)]
    by_source = autocomplete(admin_client, "sources", "claim", "citations", data.source.public_id)
    assert sorted(by_source) == sorted([str(data.cite_name), str(data.cite_org)])


@pytest.mark.django_db
def test_entity_autocomplete(admin_client, data):
    # relationship object: any entity, found by any of its names
    assert autocomplete(admin_client, "entities", "relationship", "object", "salamy") == [str(data.salami)]
    # organisation parent: organisations only
    assert autocomplete(admin_client, "entities", "organisation", "parent", "salami") == []
    assert autocomplete(admin_client, "entities", "organisation", "parent", "guard") == [str(data.irgc)]


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
