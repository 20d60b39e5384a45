"""The sanctions admin: authorities, programmes, and actions with their targets."""

from types import SimpleNamespace

import pytest

from entities.models import Entity
from sanctions.models import Authority, Programme, SanctionAction, SanctionTarget
from sources.models import Evidence
from tests.builders import (
    add_form,
    admin_form_data,
    admin_url,
    autocomplete,
    change_page,
    citation,
    count_queries,
    field_errors,
    form_errors,
    inline_prefix,
    make_organisation,
    make_person,
    make_source,
    post_change,
    registered,
)


def make_action(authority, programme=None, *, targets=(), **kwargs):
    kwargs.setdefault("kind", SanctionAction.Kind.DESIGNATION)
    kwargs.setdefault("status", SanctionAction.Status.IN_FORCE)
    kwargs.setdefault("summary", "The EU designates the IRGC aerospace unit.")
    action = SanctionAction.objects.create(authority=authority, programme=programme, **kwargs)
    for entity in targets:
        SanctionTarget.objects.create(action=action, entity=entity, measures=["asset_freeze"])
    return action


@pytest.fixture
def data(db):
    source = make_source()
    salami = make_person("Hossein Salami")
    irgc = make_organisation("Islamic Revolutionary Guard Corps")
    eu = Authority.objects.create(name="Council of the European Union", short_name="EU")
    ofac = Authority.objects.create(name="Office of Foreign Assets Control", short_name="OFAC", country="US")
    programme = Programme.objects.create(authority=eu, name="Iran human rights", code="IR-HR")
    ofac_programme = Programme.objects.create(authority=ofac, name="IRGC-related", code="IRGC")
    action = make_action(eu, programme, targets=[salami], announced_date="2023-04-24")
    return SimpleNamespace(
        source=source,
        salami=salami,
        irgc=irgc,
        eu=eu,
        ofac=ofac,
        programme=programme,
        ofac_programme=ofac_programme,
        action=action,
        target=action.targets.get(),
        citation=citation(source, "The European Union added the Guard's aerospace unit"),
    )


@pytest.mark.django_db
def test_sanctions_app_registers_authorities_programmes_actions():
    assert registered("sanctions") == [Authority, Programme, SanctionAction]


@pytest.mark.django_db
def test_pages_render(admin_client, data):
    for model, obj in [(Authority, data.eu), (Programme, data.programme), (SanctionAction, data.action)]:
        for url in (admin_url(model, "changelist"), admin_url(model, "add"), admin_url(model, "change", obj.pk)):
            assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_action_changelist_query_count_is_the_same_for_1_and_20_actions(admin_client, data):
    url = admin_url(SanctionAction, "changelist")
    admin_client.get(url)
    one, response = count_queries(admin_client, url)
    assert len(response.context["cl"].result_list) == 1
    for i in range(19):
        programme = Programme.objects.create(authority=data.ofac, name=f"Programme {i}")
        make_action(data.ofac, programme, targets=[data.salami, data.irgc][: i % 3])
    twenty, response = count_queries(admin_client, url)
    assert len(response.context["cl"].result_list) == 20
    assert twenty == one


@pytest.mark.django_db
def test_action_changelist_shows_target_counts_and_filters(admin_client, data):
    make_action(
        data.ofac,
        data.ofac_programme,
        targets=[data.salami, data.irgc],
        kind=SanctionAction.Kind.THREAT,
        status=SanctionAction.Status.THREATENED,
    )
    url = admin_url(SanctionAction, "changelist")
    cl = admin_client.get(url).context["cl"]
    assert {a.authority.short_name: cl.model_admin.target_count(a) for a in cl.result_list} == {"EU": 1, "OFAC": 2}
    threats = admin_client.get(url, {"kind__exact": "threat"}).context["cl"].result_list
    assert [a.authority_id for a in threats] == [data.ofac.pk]
    by_programme = admin_client.get(url, {"programme__id__exact": data.programme.pk}).context["cl"].result_list
    assert [a.pk for a in by_programme] == [data.action.pk]


@pytest.mark.django_db
def test_action_search_finds_actions_by_target_name(admin_client, data):
    make_action(data.ofac, targets=[data.irgc], summary="OFAC designates the IRGC.")
    url = admin_url(SanctionAction, "changelist")
    found = admin_client.get(url, {"q": "Salami"}).context["cl"].result_list
    assert [a.pk for a in found] == [data.action.pk]
    found = admin_client.get(url, {"q": data.action.public_id}).context["cl"].result_list
    assert [a.pk for a in found] == [data.action.pk]


@pytest.mark.django_db
def test_adding_a_target_with_measures_and_citations(admin_client, admin_user, data):
    url, page = change_page(admin_client, data.action)
    assert 'type="checkbox" name="targets-0-measures" value="travel_ban"' in page.content.decode()
    post = admin_form_data(page)
    targets = inline_prefix(page, SanctionTarget)
    row = int(post[f"{targets}-INITIAL_FORMS"])
    post.update(
        {
            f"{targets}-{row}-entity": str(data.irgc.pk),
            f"{targets}-{row}-measures": ["asset_freeze", "travel_ban"],
            f"{targets}-{row}-citations": [str(data.citation.pk)],
            "citations": [str(data.citation.pk)],
        }
    )
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)

    target = SanctionTarget.objects.get(action=data.action, entity=data.irgc)
    assert target.measures == ["asset_freeze", "travel_ban"]
    assert target.created_by == admin_user
    assert Evidence.objects.filter(claim=target, citation=data.citation).exists()
    assert list(data.action.citations.all()) == [data.citation]


@pytest.mark.django_db
def test_targeting_an_entity_twice_in_one_action_is_refused(admin_client, data):
    url, page = change_page(admin_client, data.action)
    post = admin_form_data(page)
    targets = inline_prefix(page, SanctionTarget)
    row = int(post[f"{targets}-INITIAL_FORMS"])
    post[f"{targets}-{row}-entity"] = str(data.salami.pk)
    response = admin_client.post(url, post)
    assert "Please correct the duplicate data for entity" in form_errors(response)
    assert data.action.targets.count() == 1


@pytest.mark.django_db
def test_a_programme_of_another_authority_is_a_field_error(admin_client, data):
    response = post_change(admin_client, data.action, programme=str(data.ofac_programme.pk))
    assert "belongs to another authority" in field_errors(response, "programme")
    data.action.refresh_from_db()
    assert data.action.programme == data.programme


@pytest.mark.django_db
def test_an_end_date_before_the_announcement_is_a_field_error(admin_client, data):
    response = post_change(admin_client, data.action, end_date="2022")
    assert "can't be before the announced date" in field_errors(response, "end_date")


@pytest.mark.django_db
def test_adding_an_action(admin_client, admin_user, data):
    url, page, post = add_form(admin_client, SanctionAction)
    targets = inline_prefix(page, SanctionTarget)
    post.update(
        {
            "authority": str(data.ofac.pk),
            "programme": str(data.ofac_programme.pk),
            "kind": "designation",
            "status": "announced",
            "announced_date": "2019-04",
            "summary": "OFAC designates the IRGC as a terrorist organisation.",
            "citations": [str(data.citation.pk)],
            f"{targets}-0-entity": str(data.irgc.pk),
            f"{targets}-0-measures": ["financial_services_ban"],
        }
    )
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)
    action = SanctionAction.objects.get(authority=data.ofac)
    assert action.created_by == admin_user
    assert [(t.entity, t.measures, t.created_by) for t in action.targets.all()] == [
        (data.irgc, ["financial_services_ban"], admin_user)
    ]


@pytest.mark.django_db
def test_deprecating_a_target(admin_client, data):
    url, page = change_page(admin_client, data.action)
    post = admin_form_data(page)
    post[f"{inline_prefix(page, SanctionTarget)}-0-deprecated_reason"] = "Misread: he was only mentioned."
    response = admin_client.post(url, post)
    assert response.status_code == 302, form_errors(response)
    data.target.refresh_from_db()
    assert data.target.deprecated_at is not None
    assert SanctionTarget.objects.filter(pk=data.target.pk).exists()


@pytest.mark.django_db
def test_actions_and_targets_cannot_be_deleted(admin_client, data):
    url, page = change_page(admin_client, data.action)
    html = page.content.decode()
    assert 'class="deletelink"' not in html and "-DELETE" not in html
    assert admin_client.post(admin_url(SanctionAction, "delete", data.action.pk), {"post": "yes"}).status_code == 403
    assert SanctionAction.objects.filter(pk=data.action.pk).exists()


@pytest.mark.django_db
def test_entity_page_lists_its_sanctions(admin_client, data):
    html = admin_client.get(admin_url(Entity, "change", data.salami.pk)).content.decode()
    assert admin_url(SanctionAction, "change", data.action.pk) in html
    assert data.action.public_id in html
    assert "asset freeze" in html
    html = admin_client.get(admin_url(Entity, "change", data.irgc.pk)).content.decode()
    assert "No sanction action targets this entity." in html


@pytest.mark.django_db
def test_autocompletes_for_authority_programme_and_target(admin_client, data):
    assert autocomplete(admin_client, "sanctions", "sanctionaction", "authority", "foreign") == ["OFAC"]
    assert autocomplete(admin_client, "sanctions", "sanctionaction", "programme", "IRGC") == [str(data.ofac_programme)]
    assert autocomplete(admin_client, "sanctions", "sanctiontarget", "entity", "guard") == [str(data.irgc)]
    # an authority's own organisation record: organisations only
    assert autocomplete(admin_client, "sanctions", "authority", "entity", "salami") == []


@pytest.mark.django_db
def test_programme_changelist_and_search(admin_client, data):
    url = admin_url(Programme, "changelist")
    found = admin_client.get(url, {"q": "OFAC"}).context["cl"].result_list
    assert [p.pk for p in found] == [data.ofac_programme.pk]


@pytest.mark.django_db
def test_the_authority_country_list_is_sorted_by_name(admin_client):
    page = admin_client.get(admin_url(Authority, "add"))
    labels = [label for value, label in page.context["adminform"].form.fields["country"].choices if value]
    assert labels == sorted(labels, key=str.casefold)
    assert labels.index("Germany") < labels.index("Iran") < labels.index("Russian Federation")
