"""The entity admin as a curator reads it: its pages, changelist and autocompletes, and
nothing on them deletes."""

import pytest

from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from tests.builders import (
    admin_url,
    autocomplete,
    change_page,
    count_queries,
    inline_formset,
    make_organisation,
    make_person,
    registered,
)

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
    # kind not chosen yet: both details sections, filled in with the first save
    models = [i.formset.model for i in response.context["inline_admin_formsets"]]
    assert Person in models and Organisation in models
    response = admin_client.get(admin_url(Entity, "add") + "?kind=organisation")
    assert response.context["adminform"].form["kind"].value() == "organisation"
    models = [i.formset.model for i in response.context["inline_admin_formsets"]]
    assert Organisation in models and Person not in models


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
    # page of entities with their details; their names; change sets returned to the user
    with django_assert_num_queries(7) as ctx:
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
