"""The sources admin as a curator uses it: sources, citations, and the claim helpers."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from sources.models import Citation, Evidence, ReanchorProblem, Source
from tests import builders
from tests.builders import (
    ARTICLE,
    admin_form_data,
    admin_url,
    count_queries,
    form_errors,
    make_source,
    registered,
)

# ----------------------------------------------------------------------------- data


@pytest.fixture
def source(db):
    return make_source()


@pytest.fixture
def citation(source, admin_user):
    return builders.citation(source, "Maj. Gen. Hossein Salami", created_by=admin_user)


# ---------------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_sources_app_registers_sources_citations_and_reanchoring_problems():
    assert registered("sources") == [Citation, ReanchorProblem, Source]


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Source, Citation])
def test_changelist_add_and_change_pages_render(admin_client, citation, model):
    obj = citation if model is Citation else citation.source
    for url in (admin_url(model, "changelist"), admin_url(model, "add"), admin_url(model, "change", obj.pk)):
        response = admin_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_source_changelist_shows_untitled_and_citation_counts(admin_client, citation):
    make_source(text="Another article.", title="", publisher="Reuters")
    response = admin_client.get(admin_url(Source, "changelist"))
    html = response.content.decode()
    assert "(untitled)" in html
    cl = response.context["cl"]
    counts = {s.title: s.citation_count for s in cl.result_list}
    assert counts == {"Iran's Guard warns over sanctions": 1, "": 0}
    assert citation.source.text_sha256[:12] in html


@pytest.mark.django_db
def test_source_changelist_query_count_does_not_grow_with_rows(admin_client, source):
    url = admin_url(Source, "changelist")
    admin_client.get(url)  # warm up (session, content types)
    builders.citation(source, "Hossein Salami")
    one, _ = count_queries(admin_client, url)
    for i in range(19):
        s = make_source(text=f"Article {i} about sanctions.", title=f"Article {i}", publisher=f"P{i % 3}")
        builders.citation(s, "sanctions")
    twenty, response = count_queries(admin_client, url)
    assert len(response.context["cl"].result_list) == 20
    assert twenty == one


@pytest.mark.django_db
def test_source_search_and_language_filter(admin_client, source):
    make_source(text="Texte en français.", title="Le Monde article", publisher="Le Monde", language="fr")
    response = admin_client.get(admin_url(Source, "changelist"), {"q": source.public_id})
    assert [s.pk for s in response.context["cl"].result_list] == [source.pk]
    response = admin_client.get(admin_url(Source, "changelist"), {"language": "fr"})
    assert [s.title for s in response.context["cl"].result_list] == ["Le Monde article"]
    # the language filter offers only languages in use, by name
    assert "French (fr)" in response.content.decode()
    assert "Zulu" not in response.content.decode()


@pytest.mark.django_db
def test_adding_a_source_stamps_creator_and_hash(admin_client, admin_user):
    response = admin_client.get(admin_url(Source, "add"))
    data = admin_form_data(response)
    data.update(title="New article", publisher="BBC", language="en", text="Line one.\r\nLine two.\r\n")
    response = admin_client.post(admin_url(Source, "add"), data)
    assert response.status_code == 302, form_errors(response)
    source = Source.objects.get(title="New article")
    assert source.created_by == admin_user
    # the browser's CRLF line breaks are stored as the article's \n, so offsets count one per break
    assert source.text == "Line one.\nLine two.\n"
    assert len(source.text_sha256) == 64
    # "Save" opens the new article in the reader, where its words are cited
    assert response["Location"] == reverse("admin:sources_source_read", args=[source.pk])

    data.update(title="Another article", _continue="1")
    response = admin_client.post(admin_url(Source, "add"), data)
    assert response["Location"] == admin_url(Source, "change", Source.objects.get(title="Another article").pk)


# ------------------------------------------------------------------ big pasted texts

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def browser_post(client, url, data, **extra):
    """A form posted as a browser posts it: URL-encoded, asking for HTML."""
    body = urlencode(data, doseq=True)
    return client.post(url, body, content_type="application/x-www-form-urlencoded", HTTP_ACCEPT=BROWSER, **extra)


@pytest.mark.django_db
def test_a_text_over_the_limit_is_a_field_error_keeping_what_was_typed(admin_client, settings):
    response = admin_client.get(admin_url(Source, "add"))
    data = admin_form_data(response)
    text = "Sanctions were announced today. " * 85_000  # 2,720,000 characters
    data.update(title="A very long article", publisher="Example Wire", author="A. Writer", language="en", text=text)
    body_size = len(urlencode(data, doseq=True))
    assert settings.REQUEST_BODY_MAX_BYTES < body_size < settings.LARGE_BODY_MAX_BYTES
    response = browser_post(admin_client, admin_url(Source, "add"), data)
    assert "The article text is 2,720,000 characters long; the limit is 2,000,000 (SOURCE_TEXT_MAX_CHARS)." in (
        form_errors(response)
    )
    form = response.context["adminform"].form
    assert form["title"].value() == "A very long article"
    assert form["publisher"].value() == "Example Wire"
    assert form["author"].value() == "A. Writer"
    assert form["text"].value() == text  # the pasted text comes back too
    page = response.content.decode()
    assert 'value="A very long article"' in page and 'value="Example Wire"' in page
    assert not Source.objects.filter(title="A very long article").exists()


@pytest.mark.django_db
def test_a_body_over_the_source_forms_limit_is_a_413_page(admin_client, settings):
    settings.LARGE_BODY_MAX_BYTES = 100_000
    response = admin_client.get(admin_url(Source, "add"))
    data = admin_form_data(response)
    data.update(title="Huge", publisher="Example Wire", language="en", text="x" * 100_000)
    response = browser_post(admin_client, admin_url(Source, "add"), data)
    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert "The request body is larger than the limit of 100000 bytes. Nothing was saved." in page
    assert "Go back to the form" in page
    assert not Source.objects.filter(title="Huge").exists()


@pytest.mark.django_db
def test_the_api_keeps_its_own_body_limit_as_json(client, settings):
    body = b'{"queries": [{"name": "' + b"x" * settings.REQUEST_BODY_MAX_BYTES + b'"}]}'
    response = client.post("/api/v1/match/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The request body is larger than the limit of {settings.REQUEST_BODY_MAX_BYTES} bytes."
    }


# ------------------------------------------------------------------ source text is fixed


@pytest.mark.django_db
def test_editing_the_text_of_a_cited_source_is_refused(admin_client, citation):
    source = citation.source
    url = admin_url(Source, "change", source.pk)
    page = admin_client.get(url)
    assert "This source is cited, so its text can" in page.content.decode()
    data = admin_form_data(page)
    data["text"] = source.text.replace("Monday", "Tuesday")
    response = admin_client.post(url, data)
    errors = response.context["adminform"].form.errors["text"]
    assert "This source is cited, so its text can't change" in " ".join(errors)
    source.refresh_from_db()
    assert "Monday" in source.text


@pytest.mark.django_db
def test_a_cited_source_can_still_be_saved_from_the_browser(admin_client, citation):
    """The browser sends the (unchanged) text back with CRLF line breaks: that is no edit."""
    source = citation.source
    url = admin_url(Source, "change", source.pk)
    data = admin_form_data(admin_client.get(url))
    data["text"] = source.text.replace("\n", "\r\n")
    data["author"] = "Jon Gambrell"
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    source.refresh_from_db()
    assert source.author == "Jon Gambrell"
    assert source.text == ARTICLE


@pytest.mark.django_db
def test_the_text_of_an_uncited_source_can_be_corrected(admin_client, source):
    url = admin_url(Source, "change", source.pk)
    data = admin_form_data(admin_client.get(url))
    data["text"] = source.text.replace("Monday", "Tuesday")
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    source.refresh_from_db()
    assert "Tuesday" in source.text


@pytest.mark.django_db
def test_source_page_lists_its_citations_read_only(admin_client, citation):
    from entities.models import Entity

    Entity.objects.create(kind=Entity.Kind.PERSON).citations.add(citation)
    response = admin_client.get(admin_url(Source, "change", citation.source.pk))
    html = response.content.decode()
    assert "Maj. Gen. Hossein Salami" in html
    inline = next(i for i in response.context["inline_admin_formsets"] if i.formset.model is Citation)
    assert not inline.has_add_permission and not inline.has_change_permission and not inline.has_delete_permission
    prefix = inline.formset.prefix
    assert f'name="{prefix}-0-start"' not in html  # offsets shown, not editable
    assert f'name="{prefix}-0-DELETE"' not in html
    assert [(f.instance.quote, f.instance.claim_count) for f in inline.formset.forms] == [
        ("Maj. Gen. Hossein Salami", 1)
    ]
    # the link to cite another span of this source
    assert admin_url(Citation, "add") + f"?source={citation.source.pk}" in html


# -------------------------------------------------------------------------- citations


def _citation_add_data(admin_client, **values):
    data = admin_form_data(admin_client.get(admin_url(Citation, "add")))
    data.update({k: str(v) for k, v in values.items()})
    return data


@pytest.mark.django_db
def test_adding_a_citation_takes_the_quote_from_the_text(admin_client, admin_user, source):
    start = source.text.index("Islamic Revolutionary Guard Corps")
    data = _citation_add_data(admin_client, source=source.pk, start=start, end=start + 33)
    response = admin_client.post(admin_url(Citation, "add"), data)
    assert response.status_code == 302, form_errors(response)
    citation = Citation.objects.get()
    assert citation.quote == "Islamic Revolutionary Guard Corps"
    assert citation.prefix.endswith("commander of the ")
    assert citation.suffix.startswith(", said on Monday")
    assert citation.created_by == admin_user


@pytest.mark.django_db
def test_a_citation_beyond_the_end_of_the_text_is_a_field_error(admin_client, source):
    data = _citation_add_data(admin_client, source=source.pk, start=10, end=len(source.text) + 5)
    response = admin_client.post(admin_url(Citation, "add"), data)
    errors = response.context["adminform"].form.errors
    assert "is not inside the text" in " ".join(errors["end"])
    assert not Citation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start,end,field,message",
    [
        (20, 10, "end", "is not inside the text"),  # end before start
        (-1, 5, "start", "greater than or equal to 0"),
        ("x", 5, "start", "Enter a whole number"),
    ],
)
def test_bad_offsets_are_field_errors(admin_client, source, start, end, field, message):
    data = _citation_add_data(admin_client, source=source.pk, start=start, end=end)
    response = admin_client.post(admin_url(Citation, "add"), data)
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not Citation.objects.exists()


@pytest.mark.django_db
def test_citing_the_same_span_twice_is_refused(admin_client, citation):
    data = _citation_add_data(admin_client, source=citation.source.pk, start=citation.start, end=citation.end)
    response = admin_client.post(admin_url(Citation, "add"), data)
    assert "already exists" in form_errors(response)
    assert Citation.objects.count() == 1


@pytest.mark.django_db
def test_a_citations_span_is_fixed_once_made(admin_client, citation):
    url = admin_url(Citation, "change", citation.pk)
    page = admin_client.get(url)
    assert "<mark>Maj. Gen. Hossein Salami</mark>" in page.content.decode()
    data = admin_form_data(page)
    data.update(start="0", end="6", translation="Major General Hossein Salami")
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    citation.refresh_from_db()
    assert citation.quote == "Maj. Gen. Hossein Salami"
    assert citation.translation == "Major General Hossein Salami"


@pytest.mark.django_db
def test_citation_search_finds_quote_and_source(admin_client, citation):
    other = make_source(text="Unrelated text here.", title="Weather report")
    builders.citation(other, "Unrelated")
    url = admin_url(Citation, "changelist")
    by_quote = admin_client.get(url, {"q": "Salami"}).context["cl"].result_list
    by_source = admin_client.get(url, {"q": "weather"}).context["cl"].result_list
    assert [c.pk for c in by_quote] == [citation.pk]
    assert [c.quote for c in by_source] == ["Unrelated"]


@pytest.mark.django_db
def test_citation_changelist_query_count_does_not_grow_with_rows(admin_client, source, admin_user):
    url = admin_url(Citation, "changelist")
    admin_client.get(url)
    builders.citation(source, "TEHRAN", created_by=admin_user)
    one, _ = count_queries(admin_client, url)
    for i in range(19):
        builders.citation(make_source(text=f"Article number {i}.", title=f"A{i}"), "Article", created_by=admin_user)
    twenty, response = count_queries(admin_client, url)
    assert len(response.context["cl"].result_list) == 20
    assert twenty == one
    assert "admin" in response.content.decode()  # created_by column


@pytest.mark.django_db
def test_citation_page_lists_the_claims_citing_it(admin_client, citation):
    from entities.models import Entity, Name

    entity = Entity.objects.create(kind=Entity.Kind.PERSON)
    name = Name.objects.create(entity=entity, value="Hossein Salami", type=Name.Type.PRIMARY)
    name.citations.add(citation)
    html = admin_client.get(admin_url(Citation, "change", citation.pk)).content.decode()
    assert "name: Hossein Salami" in html
    assert admin_url(Entity, "change", entity.pk) in html
    assert Evidence.objects.filter(citation=citation).count() == 1
