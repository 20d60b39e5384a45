"""The source reader: an article with its cited spans highlighted, and citing a selection.

The browser sends UTF-16 offsets (JavaScript's unit) plus the selected words; these
tests send exactly what reader.js sends, computed from the text as JavaScript would.
"""

import json
import re
import unicodedata

import pytest
from django.test import Client
from django.urls import reverse

from entities.models import Entity, Name
from sources import services
from sources.models import Citation, Evidence
from tests.builders import citation, cited_article, person, source

pytestmark = pytest.mark.django_db

# Outside the BMP: 𝔘 and 🙂 (two UTF-16 units each). "ę́": e-ogonek + COMBINING ACUTE,
# which NFC can't compose, so the accent is a code point of its own.
TRICKY = unicodedata.normalize(
    "NFC", "Die 𝔘nion 🙂 meldet: Minister Kę\u0301stutis Ąžuolas traf am 1. März Vertreter in Vilnius."
)
PHRASE = "Minister Kę\u0301stutis Ąžuolas"


def utf16(text):
    return len(text.encode("utf-16-le")) // 2


def selection(text, phrase, **extra):
    """The POST reader.js makes for a selection of `phrase`."""
    start = text.index(phrase)
    return {
        "start_utf16": utf16(text[:start]),
        "end_utf16": utf16(text[: start + len(phrase)]),
        "quote": phrase,
        **extra,
    }


def read_url(src):
    return reverse("admin:sources_source_read", args=[src.pk])


def cite_url(src):
    return reverse("admin:sources_source_cite", args=[src.pk])


@pytest.fixture
def tricky(curator):
    src = source(text=TRICKY, title="Vilnius")
    entity = person("Kęstutis Ąžuolas")
    return src, entity


def post_cite(client, src, claim, phrase=PHRASE, **overrides):
    data = {**selection(src.text, phrase), "claim": claim.pk, "text_sha256": src.text_sha256, **overrides}
    return client.post(cite_url(src), data)


def error_fields(response):
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["message"]
    return set(body["errors"])


# ------------------------------------------------------------------------- the page


def test_the_reader_shows_the_text_with_every_citation_highlighted(role_client):
    data = cited_article(people=2)
    response = role_client("curator").get(read_url(data.source))
    html = response.content.decode()
    article = re.search(r'<div id="article"[^>]*>(.*?)</div>', html, re.DOTALL).group(1)
    # the article element holds the text and nothing else: its text is the source text
    assert re.sub(r"<[^>]+>", "", article) == data.source.text
    # "Minister Anna0 Berg (...) heads the Agency0" contains "Anna0 Berg": the nested piece
    # carries both citations and both kinds' underline bands
    name_cite = data.source.citations.get(quote="Anna0 Berg")
    rel_cite = data.source.citations.get(quote__startswith="Minister Anna0")
    piece = re.search(r'<span class="cite depth-2 ([^"]+)" data-citations="(\d+) (\d+)">Anna0 Berg</span>', article)
    assert {int(piece.group(2)), int(piece.group(3))} == {name_cite.pk, rel_cite.pk}
    assert piece.group(1) == "b1-entity b2-relationship"  # two bands, stacked in the legend's order
    assert 'id="cite-panel"' in html


def test_each_highlight_lists_the_claims_it_backs_with_links(role_client):
    data = cited_article(people=1)
    response = role_client("curator").get(read_url(data.source))
    citations = json.loads(
        re.search(
            r'<script id="citation-data" type="application/json">(.*?)</script>', response.content.decode(), re.DOTALL
        ).group(1)
    )
    froze = data.source.citations.get(quote="froze the assets")
    # the words back the target and its measure, each listed with its own id
    claim, measure = citations[str(froze.pk)]["claims"]
    assert claim["type"] == "sanction target" and claim["kind"] == "target"
    assert claim["label"] == f"Anna0 Berg ← {data.action.public_id}"
    assert measure["id"] == f"{claim['id']}:measures:asset_freeze"
    assert measure["label"] == f"Anna0 Berg ← {data.action.public_id}: measure: asset freeze"
    assert claim["admin_url"] == reverse("admin:sanctions_sanctionaction_change", args=[data.action.pk])
    assert claim["trace_url"] == reverse("trace:action", args=[data.action.public_id])
    name = data.source.citations.get(quote="Anna0 Berg")
    assert sorted(c["type"] for c in citations[str(name.pk)]["claims"]) == ["entity", "name"]


def test_the_reader_runs_the_same_queries_for_3_or_60_citations(role_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = role_client("curator")
    small = cited_article(people=1).source
    client.get(read_url(small))  # session, user, permissions cached
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(read_url(small)).status_code == 200
    large = cited_article(people=12, name_prefix="Boris").source
    assert large.citations.count() > 40
    with django_assert_num_queries(len(baseline)):
        assert client.get(read_url(large)).status_code == 200


def test_an_auditor_reads_but_gets_no_cite_panel(role_client):
    data = cited_article()
    response = role_client("auditor").get(read_url(data.source))
    assert response.status_code == 200
    assert 'id="cite-panel"' not in response.content.decode()
    assert "citing needs the permission" in response.content.decode()


def test_staff_without_view_permission_cannot_read(role_client):
    data = cited_article()
    assert role_client(None).get(read_url(data.source)).status_code == 403


def test_article_text_and_names_are_escaped(role_client):
    evil = '<script>alert(1)</script> and "><img src=x onerror=alert(1)>'
    src = source(text=f"Bericht: {evil} Ende.", title=f"Titel {evil}")
    person(evil, cite=citation(src, evil))
    html = role_client("curator").get(read_url(src)).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    # the claim data for the popover is JSON inside a script element: < and > escaped too
    data = re.search(r'<script id="citation-data" type="application/json">(.*?)</script>', html, re.DOTALL).group(1)
    assert "<" not in data
    assert [c["quote"] for c in json.loads(data).values()] == [evil]


# ----------------------------------------------------------------------------- citing


def test_a_selection_is_stored_with_code_point_offsets_and_server_made_context(role_client, tricky):
    src, entity = tricky
    response = post_cite(role_client("curator"), src, entity)
    assert response.status_code == 201, response.content
    stored = Citation.objects.get()
    start = TRICKY.index(PHRASE)
    # the UTF-16 offsets were two units further on (𝔘 and 🙂): stored are code points
    assert selection(TRICKY, PHRASE)["start_utf16"] == start + 2
    assert (stored.start, stored.end) == (start, start + len(PHRASE))
    assert stored.quote == PHRASE and stored.quote[11] == "\u0301"  # the accent kept as its own code point
    assert stored.prefix == TRICKY[max(0, start - 32) : start] and stored.suffix == TRICKY[stored.end : stored.end + 32]
    evidence = Evidence.objects.get()
    assert evidence.claim_id == entity.pk and evidence.created_by.username == "curator"
    assert stored.created_by.username == "curator"
    body = response.json()
    assert body["citation"] == {
        "id": stored.pk,
        "start": stored.start,
        "end": stored.end,
        "quote": PHRASE,
        "admin_url": reverse("admin:sources_citation_change", args=[stored.pk]),
    }
    assert body["linked"] is True and body["citation_created"] is True


def test_citing_the_same_span_for_another_claim_reuses_the_citation(role_client, tricky):
    src, entity = tricky
    client = role_client("curator")
    assert post_cite(client, src, entity).status_code == 201
    name = Name.objects.get(entity=entity)
    response = post_cite(client, src, name)
    assert response.status_code == 201 and response.json()["citation_created"] is False
    assert Citation.objects.count() == 1
    assert set(Citation.objects.get().claims.values_list("pk", flat=True)) == {entity.pk, name.pk}


def test_citing_a_claim_twice_changes_nothing(role_client, tricky):
    src, entity = tricky
    client = role_client("curator")
    post_cite(client, src, entity)
    response = post_cite(client, src, entity)
    assert response.status_code == 200 and response.json()["linked"] is False
    assert "already backed" in response.json()["message"]
    assert Evidence.objects.count() == 1


def _forged(src, phrase):
    good = selection(src.text, phrase)
    return {"start_utf16": good["start_utf16"] + 1, "end_utf16": good["end_utf16"] + 1}


@pytest.mark.parametrize(
    "case,overrides,field,says",
    [
        (
            "empty selection",
            lambda s: {"quote": "", "end_utf16": selection(s.text, PHRASE)["start_utf16"]},
            "quote",
            "selection is empty",
        ),
        (
            "end not after start",
            lambda s: {"end_utf16": selection(s.text, PHRASE)["start_utf16"]},
            "end_utf16",
            "not after its start",
        ),
        ("beyond the end of the text", lambda s: {"end_utf16": utf16(s.text) + 5}, "end_utf16", "outside the text"),
        ("negative offset", lambda s: {"start_utf16": -1}, "start_utf16", "greater than or equal to 0"),
        ("forged offsets", lambda s: _forged(s, PHRASE), "quote", "not the source text at these offsets"),
        ("quote not at the offsets", lambda s: {"quote": "Minister Kestutis Azuolas"}, "quote", "not the source text"),
        ("blank selection", lambda s: {**selection(s.text, " "), "quote": " "}, "quote", "only blank space"),
        (
            "inside an astral character",
            lambda s: {"start_utf16": utf16(s.text[: s.text.index("𝔘")]) + 1},
            "start_utf16",
            "outside the BMP",
        ),
        ("accent cut from its letter", lambda s: selection(s.text, "Minister Kę"), "end_utf16", "and its accent"),
        ("text changed since loading", lambda s: {"text_sha256": "0" * 64}, "text_sha256", "reload the page"),
        ("not a number", lambda s: {"start_utf16": "ten"}, "start_utf16", "whole number"),
    ],
)
def test_bad_selections_are_refused_naming_the_field_and_nothing_is_stored(
    role_client, tricky, case, overrides, field, says
):
    src, entity = tricky
    data = {**selection(src.text, PHRASE), "claim": entity.pk, "text_sha256": src.text_sha256, **overrides(src)}
    response = role_client("curator").post(cite_url(src), data)
    assert response.status_code == 400, case
    assert field in error_fields(response), (case, response.json())
    assert says in " ".join(response.json()["errors"][field]), response.json()
    assert response.json()["message"].startswith(f"{field}: ")
    assert not Citation.objects.exists() and not Evidence.objects.exists()


def test_unknown_and_deprecated_claims_are_refused(role_client, tricky):
    src, entity = tricky
    client = role_client("curator")
    response = post_cite(client, src, Entity(pk=999_999))
    assert response.status_code == 400 and error_fields(response) == {"claim"}
    entity.deprecated_reason = "Duplicate."
    entity.save()
    response = post_cite(client, src, entity)
    assert response.status_code == 400 and "deprecated" in response.json()["message"]
    assert not Citation.objects.exists()


def test_citing_a_superseded_source_from_a_stale_page_is_refused(role_client, tricky, curator):
    src, entity = tricky
    services.supersede(src, TRICKY + " Korrigiert.", curator)
    response = post_cite(role_client("curator", username="other-curator"), src, entity)
    assert response.status_code == 400 and error_fields(response) == {"source"}
    assert "superseded" in response.json()["message"]
    assert not Citation.objects.exists()


def test_a_reviewer_may_not_cite(role_client, tricky):
    src, entity = tricky
    response = post_cite(role_client("reviewer"), src, entity)
    assert response.status_code == 403 and "may not add citations" in response.json()["message"]
    assert not Citation.objects.exists()


def test_citing_needs_the_change_permission_on_the_claims_model(role_client, tricky):
    from django.contrib.auth.models import Permission

    src, entity = tricky
    client = role_client(None, username="citer")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="citer")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_source", "add_citation"]))
    response = post_cite(client, src, entity)
    assert response.status_code == 403 and error_fields(response) == {"claim"}
    assert not Citation.objects.exists()


def test_citing_needs_a_csrf_token(curator, tricky):
    src, entity = tricky
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    response = post_cite(client, src, entity)
    assert response.status_code == 403
    assert not Citation.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, tricky):
    src, entity = tricky
    response = post_cite(client, src, entity)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Citation.objects.exists()


def test_the_cite_url_only_takes_posts(role_client, tricky):
    assert role_client("curator").get(cite_url(tricky[0])).status_code == 405


# --------------------------------------------------------------------- claim search


def test_the_panel_finds_records_and_lists_their_claims(role_client):
    data = cited_article(people=2)
    client = role_client("curator")
    url = reverse("admin:sources_source_claims", args=[data.source.pk])
    found = client.get(url, {"q": "anna1"}).json()["records"]
    assert [r["label"] for r in found] == [str(data.persons[1])]
    types = [c["type"] for c in found[0]["claims"]]
    # each claim followed by its published values (a target's measure), pickable on their own
    assert types == ["entity", "name", "identifier", "relationship", "sanction target", "sanction target"]
    target = found[0]["claims"][4]
    assert found[0]["claims"][5]["id"] == f"{target['id']}:measures:asset_freeze"
    actions = client.get(url, {"q": data.action.public_id}).json()["records"]
    assert [c["type"] for c in actions[0]["claims"]] == ["sanction action"] + ["sanction target"] * 4
    # nothing typed: the records this article already backs claims of
    cited = client.get(url).json()["records"]
    assert {r["label"] for r in cited} == {str(p) for p in data.persons} | {
        str(e) for e in Entity.objects.filter(kind="organisation")
    } | {str(data.action)}


# --------------------------------------------------------------------- admin links


def test_the_source_page_links_to_the_reader_trace_and_supersede(role_client):
    src = cited_article().source
    html = role_client("curator").get(reverse("admin:sources_source_change", args=[src.pk])).content.decode()
    assert read_url(src) in html
    assert reverse("trace:source", args=[src.public_id]) in html
    assert reverse("admin:sources_source_supersede", args=[src.pk]) in html
    html = role_client("auditor").get(reverse("admin:sources_source_change", args=[src.pk])).content.decode()
    assert read_url(src) in html and reverse("admin:sources_source_supersede", args=[src.pk]) not in html


def test_a_selection_across_a_line_break_is_saved_though_the_browser_posts_crlf(role_client, curator):
    # A browser's form post normalises every line break to CRLF; the article has LF.
    src = source(text="Russia's war against Ukraine.\n\nAll property of the firm is frozen.", title="Lines")
    entity = person("Firm Person")
    phrase = "against Ukraine.\n\nAll property"
    posted = {**selection(src.text, phrase), "quote": phrase.replace("\n", "\r\n")}
    response = role_client("curator").post(
        cite_url(src), {**posted, "claim": entity.pk, "text_sha256": src.text_sha256}
    )
    assert response.status_code == 201, response.content
    assert Citation.objects.get().quote == phrase
