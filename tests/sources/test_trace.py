"""Trace pages: every claim of an entity, an action or a source with its quotes in context."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entities.models import Identifier, Name
from sources import services
from sources.models import Citation, Source
from tests.builders import citation, cited_article, person, source

pytestmark = pytest.mark.django_db


def entity_url(entity):
    return reverse("trace:entity", args=[entity.public_id])


def action_url(action):
    return reverse("trace:action", args=[action.public_id])


def source_url(src):
    return reverse("trace:source", args=[src.public_id])


def text_of(response):
    """The page's text as a reader sees it (tags dropped, whitespace collapsed)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def article(curator):
    return cited_article(people=2, user=curator)


# --------------------------------------------------------------------------- content


def test_the_entity_trace_shows_every_claim_with_its_quote_in_its_sentence(role_client, article):
    anna = article.persons[0]
    response = role_client("auditor").get(entity_url(anna))
    assert response.status_code == 200
    html = response.content.decode()
    sections = [heading for heading, _ in response.context["sections"]]
    assert sections == ["The entity", "Names", "Identifiers", "Relationships", "Sanctions"]
    claims = {item.info.type: item for _, items in response.context["sections"] for item in items}
    assert set(claims) == {"entity", "name", "identifier", "relationship", "sanctiontarget"}
    # the quote highlighted inside its sentence
    assert "Minister <mark>Anna0 Berg</mark> (passport P00000) heads the Agency0 in Teheran." in html
    assert "<mark>froze the assets</mark> of all of them." in html
    text = text_of(response)
    src = article.source
    assert src.text_sha256 in text and src.public_id in text and "AP" in text
    assert "Citation entered by curator on" in text and "Claim " in text and "entered by curator" in text
    assert "Not published: no reviewer has approved this record yet." in text


def test_the_action_trace_shows_the_action_and_its_targets(role_client, article):
    response = role_client("reviewer").get(action_url(article.action))
    assert response.status_code == 200
    text = text_of(response)
    assert "The EU freezes the assets of the agency heads." in text
    assert [item.info.label for item in response.context["sections"][1][1]] == [
        f"Anna0 Berg ← {article.action.public_id}",
        f"Anna1 Berg ← {article.action.public_id}",
    ]
    assert "<mark>The EU froze the assets of all of them.</mark>" in response.content.decode()


def test_the_source_trace_shows_the_article_highlighted_and_the_claims_it_backs(role_client, article):
    response = role_client("auditor").get(source_url(article.source))
    html = response.content.decode()
    assert html.count('class="cite depth-') >= article.source.citations.count()
    text = text_of(response)
    assert "Name: Anna1 Berg" in text and "Sanction target: Anna1 Berg" in text
    anna = article.persons[0]
    assert f"{entity_url(anna)}#claim-" in html
    assert f'id="citation-{article.source.citations.first().pk}"' in html


def test_a_claim_without_citations_says_so(role_client, article):
    Identifier.objects.create(entity=article.persons[0], scheme="other", value="X-1")
    text = text_of(role_client("auditor").get(entity_url(article.persons[0])))
    assert "Identifier: other X-1" in text and "No citation backs this claim." in text


def test_a_superseded_quote_says_so_and_its_successor_says_where_it_came_from(role_client, article, curator):
    result = services.supersede(article.source, "Berlin (dpa) — " + article.source.text, curator, note="Dateline.")
    response = role_client("auditor").get(entity_url(article.persons[0]))
    text = text_of(response)
    assert f"superseded by {result.source.public_id}" in text
    assert f"re-anchored from characters 9–19 of {article.source.public_id}" in text
    new_page = text_of(role_client("auditor").get(source_url(result.source)))
    assert f"Corrects {article.source.public_id}" in new_page and "Dateline." in new_page


# ------------------------------------------------------------------------ queries


def _queries(client, url):
    client.get(url)  # session, user and permissions cached
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _cite_more(entity, sources=6):
    """The entity and its name cited in `sources` more articles, with more identifiers."""
    name = Name.objects.get(entity=entity, type="primary")
    for i in range(sources):
        src = source(text=f"Artikel {i}: {name.value} wurde genannt, Ausweis Q{i}.", title=f"Artikel {i}")
        cite = citation(src, name.value)
        entity.citations.add(cite)
        name.citations.add(cite)
        Identifier.objects.create(entity=entity, scheme="passport", value=f"Q{i}").citations.add(citation(src, f"Q{i}"))


@pytest.mark.parametrize("page", ["entity", "action", "source"])
def test_trace_pages_run_the_same_queries_however_many_claims_and_citations(
    role_client, django_assert_num_queries, page
):
    client = role_client("auditor")
    small = cited_article(people=1)
    large = cited_article(people=10, name_prefix="Boris")
    _cite_more(large.persons[0])
    url = {
        "entity": lambda d: entity_url(d.persons[0]),
        "action": lambda d: action_url(d.action),
        "source": lambda d: source_url(d.source),
    }[page]
    baseline = _queries(client, url(small))
    with django_assert_num_queries(baseline):
        client.get(url(large))


# -------------------------------------------------------------------- who may see


@pytest.mark.parametrize("role", ["curator", "reviewer", "auditor"])
def test_staff_roles_may_trace(role_client, article, role):
    client = role_client(role)
    for url in (entity_url(article.persons[0]), action_url(article.action), source_url(article.source)):
        assert client.get(url).status_code == 200, url


def test_trace_pages_are_not_kept_by_browsers_or_proxies(role_client, article):
    client = role_client("auditor")
    for url in (entity_url(article.persons[0]), action_url(article.action), source_url(article.source)):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_staff_without_view_permission_is_refused(role_client, article):
    client = role_client(None)
    for url in (entity_url(article.persons[0]), action_url(article.action), source_url(article.source)):
        assert client.get(url).status_code == 403, url


def test_anonymous_and_non_staff_users_are_sent_to_log_in(client, make_user, article):
    url = entity_url(article.persons[0])
    assert "/admin/login/" in client.get(url)["Location"]
    client.force_login(make_user("auditor", username="former-staff", is_staff=False))
    assert "/admin/login/" in client.get(url)["Location"]


def test_an_unknown_public_id_is_not_found(role_client):
    assert role_client("auditor").get("/trace/entity/ent_doesnotexist/").status_code == 404


# ------------------------------------------------------------------------ escaping


def test_article_text_and_names_are_escaped_on_trace_pages(role_client):
    evil = '<script>alert(1)</script> and "><img src=x onerror=alert(1)>'
    src = source(text=f"Bericht: {evil} Ende.", title=evil, publisher=evil)
    entity = person(evil, cite=citation(src, evil))
    client = role_client("auditor")
    for url in (entity_url(entity), source_url(src)):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    html = client.get(entity_url(entity)).content.decode()
    assert "Bericht: <mark>&lt;script&gt;alert(1)&lt;/script&gt; and &quot;&gt;&lt;img src=x" in html


def test_an_unsafe_url_is_shown_but_not_linked(role_client):
    src = source(text="Ein Bericht.", url="https://example.org/ok")
    Source.objects.filter(pk=src.pk).update(url="javascript:alert(1)")  # a raw write past the form
    html = role_client("auditor").get(source_url(src)).content.decode()
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html


# ------------------------------------------------------------------ links to traces


def test_admin_change_pages_link_to_their_trace(role_client, article):
    client = role_client("auditor")
    anna = article.persons[0]
    pages = {
        reverse("admin:entities_entity_change", args=[anna.pk]): entity_url(anna),
        reverse("admin:sanctions_sanctionaction_change", args=[article.action.pk]): action_url(article.action),
        reverse("admin:sources_source_change", args=[article.source.pk]): source_url(article.source),
    }
    for admin_page, trace in pages.items():
        assert f'href="{trace}"' in client.get(admin_page).content.decode(), admin_page
    assert Citation.objects.exists()
