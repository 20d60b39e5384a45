"""Mention suggestions in the source reader: published entities the article names,
accepted into citations through the cite view; likely new entities linked to the add page."""

import html as htmllib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entities.models import Entity, Name
from publishing.models import ChangeSetItem
from screening import services as screening
from screening.sources import entity_record
from sources.models import Citation, Evidence
from tests.builders import citation, person, source

pytestmark = pytest.mark.django_db


def indexed(entity):
    """As if published: the match index is what the reader knows."""
    entity = Entity.objects.prefetch_related("names", "identifiers").select_related("person").get(pk=entity.pk)
    screening.index_entity(entity_record(entity))
    return entity


def organisation(name):
    entity = Entity.objects.create(kind=Entity.Kind.ORGANISATION)
    Name.objects.create(entity=entity, value=name, type=Name.Type.PRIMARY, lang="en")
    return entity


def read(client, src):
    response = client.get(reverse("admin:sources_source_read", args=[src.pk]))
    assert response.status_code == 200
    return response.content.decode()


def article_of(page):
    return re.search(r'<div id="article"[^>]*>(.*?)</div>', page, re.DOTALL).group(1)


def items(page):
    """Each mention entry of the panel: its text, as a browser shows it, and its attributes."""
    out = []
    for number, body in re.findall(
        r'<li id="mention-(\d+)" class="mention-item[^"]*" data-mention="\d+">(.*?)</li>', page, re.DOTALL
    ):
        accept = re.search(
            r'<button type="button" class="mention-accept" data-claim="(\d+)"\s+'
            r'data-start-utf16="(\d+)" data-end-utf16="(\d+)"\s+data-quote="([^"]*)">',
            body,
        )
        out.append(
            {
                "number": int(number),
                "text": " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split()),
                "accept": accept
                and {
                    "claim": accept[1],
                    "start_utf16": accept[2],
                    "end_utf16": accept[3],
                    "quote": htmllib.unescape(accept[4]),
                },
            }
        )
    return out


def accept(client, src, item):
    """The POST reader.js makes when Accept is clicked."""
    return client.post(
        reverse("admin:sources_source_cite", args=[src.pk]), {**item["accept"], "text_sha256": src.text_sha256}
    )


TEXT = "Die 𝔘nion 🙂 meldet: Verteidigungsminister Sergei Shoigu traf Сергей Шойгу und die Shahed Aviation Industries."


@pytest.fixture
def shoigu():
    return indexed(person("Sergei Shoigu"))


def test_the_panel_lists_each_mention_with_its_entity_score_and_offer(role_client, shoigu):
    shahed = indexed(organisation("Shahed Aviation Industries"))
    src = source(text=TEXT)
    page = read(role_client("curator"), src)
    listed = items(page)
    assert [i["text"].split(" characters")[0] for i in listed] == [
        "Sergei Shoigu",
        "Сергей Шойгу",
        "Shahed Aviation Industries",
    ]
    exact, cyrillic, org = listed
    assert f"Sergei Shoigu {shoigu.public_id} person exact name · score 1.00" in exact["text"]
    assert "cites these words for its name “Sergei Shoigu”" in exact["text"]
    assert "another spelling" in cyrillic["text"] and "cites these words for the person itself" in cyrillic["text"]
    assert f"Shahed Aviation Industries {shahed.public_id} organisation" in org["text"]
    # the exact spelling is offered for the Name claim, another spelling for the entity itself
    assert exact["accept"]["claim"] == str(shoigu.names.get().pk)
    assert cyrillic["accept"]["claim"] == str(shoigu.pk)
    # offsets as JavaScript counts them: 𝔘 and 🙂 are two UTF-16 units each
    start = TEXT.index("Sergei Shoigu")
    assert (int(exact["accept"]["start_utf16"]), int(exact["accept"]["end_utf16"])) == (start + 2, start + 15)
    assert f"characters {start}–{start + 13}" in exact["text"]
    # the article is still exactly the text, its mentions marked apart from citations
    article = article_of(page)
    assert re.sub(r"<[^>]+>", "", article) == TEXT
    assert '<span class="mention" data-mentions="0">Sergei Shoigu</span>' in article
    assert '<span class="mention" data-mentions="1">Сергей Шойгу</span>' in article


def test_accepting_a_mention_cites_its_exact_span_in_the_curators_change_set(role_client, shoigu):
    src = source(text=TEXT)
    client = role_client("curator")
    exact, cyrillic = items(read(client, src))
    response = accept(client, src, exact)
    assert response.status_code == 201, response.content
    start = TEXT.index("Sergei Shoigu")
    stored = Citation.objects.get()
    assert (stored.start, stored.end, stored.quote) == (start, start + 13, "Sergei Shoigu")
    assert stored.created_by.username == "curator"
    assert list(Evidence.objects.values_list("claim_id", flat=True)) == [shoigu.names.get().pk]
    item = ChangeSetItem.objects.get(record_id=shoigu.public_id, pending=True)
    assert item.change_set.created_by.username == "curator"

    assert accept(client, src, cyrillic).status_code == 201
    assert Citation.objects.get(quote="Сергей Шойгу").claims.get().pk == shoigu.pk

    # both are now citations: nothing is offered again, nothing marked as a mention
    page = read(client, src)
    assert [i["accept"] for i in items(page)] == [None, None]
    assert all("Already cited for this entity." in i["text"] for i in items(page))
    assert 'class="mention"' not in article_of(page)


def test_an_auditor_sees_the_mentions_but_cannot_accept_them(role_client, shoigu):
    src = source(text=TEXT)
    offered = items(read(role_client("curator"), src))[0]
    auditor = role_client("auditor")
    listed = items(read(auditor, src))
    assert len(listed) == 2 and all(i["accept"] is None for i in listed)
    response = accept(auditor, src, offered)
    assert response.status_code == 403 and response.json()["message"] == "You may not add citations."
    assert not Citation.objects.exists()


def test_a_mention_inside_a_citation_of_its_entity_is_already_cited(role_client, shoigu):
    src = source(text=TEXT)
    shoigu.citations.add(citation(src, "Verteidigungsminister Sergei Shoigu"))
    listed = items(read(role_client("curator"), src))
    offered = [(i["text"].startswith("Sergei Shoigu characters"), i["accept"] is not None) for i in listed]
    assert offered == [(True, False), (False, True)]
    # a citation of the same words for another entity doesn't count
    other = indexed(person("Sergei Shoigu Junior"))
    other.citations.add(citation(src, "Сергей Шойгу"))
    assert items(read(role_client("curator"), src))[1]["accept"] is not None


def test_a_stale_offer_is_refused_like_a_stale_selection(role_client, shoigu):
    src = source(text=TEXT)
    client = role_client("curator")
    offered = items(read(client, src))[0]
    response = accept(client, src, {**offered, "accept": {**offered["accept"], "quote": "Sergei Schoigu"}})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"quote"}
    name = shoigu.names.get()
    name.deprecated_reason = "Misspelt."
    name.save()
    response = accept(client, src, offered)
    assert response.json()["errors"] == {
        "claim": [f"Claim {name.pk} (Sergei Shoigu) is deprecated; reinstate it before citing it."]
    }
    assert not Citation.objects.exists()
    # the page now offers the person itself; once it is deprecated too, nothing
    assert "cites these words for the person itself" in items(read(client, src))[0]["text"]
    shoigu.deprecated_reason = "Duplicate."
    shoigu.save()
    listed = items(read(client, src))
    assert all("Not offered: deprecated (awaiting review)." in i["text"] and i["accept"] is None for i in listed)


def test_only_published_entities_are_mentioned(role_client, published, users):
    src = source(text="Maj. Gen. Hossein Salami und Brig. Gen. Pat Ryder sprachen.", language="de")
    page = read(role_client("curator"), src)
    assert [(i["text"].split(" characters")[0]) for i in items(page)] == ["Hossein Salami"]
    # a person nobody recorded is offered as a new entity, linked to a prefilled add page
    [link] = re.findall(r'<a href="([^"]+)" class="new-entity-add">Add person</a>', page)
    link = htmllib.unescape(link)
    assert urlsplit(link).path == reverse("admin:entities_entity_add")
    assert parse_qs(urlsplit(link).query) == {"kind": ["person"], "name": ["Pat Ryder"], "lang": ["de"]}
    add_page = role_client("curator").get(link)
    name_form = add_page.context["inline_admin_formsets"][1].formset.forms[0]
    assert name_form.initial == {"value": "Pat Ryder", "type": "primary", "lang": "de"}
    assert add_page.context["adminform"].form.initial["kind"] == "person"


def test_article_text_and_entity_names_stay_escaped(role_client):
    evil = organisation('<b onmouseover="x">Evil</b> Corp')
    Name.objects.create(entity=evil, value="Evil Corp", type=Name.Type.ALIAS)
    indexed(evil)
    src = source(text="Heute: Evil Corp und <script>alert(1)</script>.", language="de")
    page = read(role_client("curator"), src)
    assert "<script>alert(1)" not in page and '<b onmouseover="x">' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article_of(page)
    assert "&lt;b onmouseover=&quot;x&quot;&gt;Evil&lt;/b&gt; Corp" in page
    [item] = items(page)
    assert item["text"].startswith('Evil Corp characters 7–16 <b onmouseover="x">Evil</b> Corp')
    assert htmllib.unescape(re.sub(r"<span[^>]*>|</span>", "", article_of(page))) == src.text


PEOPLE = [
    "Anna Berg",
    "Boris Kahn",
    "Carla Dorn",
    "David Esser",
    "Emil Falk",
    "Frieda Gross",
    "Gustav Hahn",
    "Hanna Ilg",
    "Ingo Jung",
    "Jana Kolb",
    "Karl Lutz",
    "Lena Mohr",
]


def test_the_reader_runs_the_same_queries_for_one_or_many_mentions(role_client, django_assert_num_queries):
    people = [indexed(person(name)) for name in PEOPLE]
    client = role_client("curator")
    one = source(text="Minister Anna Berg traf Vertreter.")
    people[0].citations.add(citation(one, "Minister Anna Berg"))
    read(client, one)  # session, user and permissions cached
    with CaptureQueriesContext(connection) as baseline:
        assert len(items(read(client, one))) == 1
    many = source(text=" ".join(f"Minister {name} traf {name}." for name in PEOPLE))
    for i in range(0, 12, 3):
        people[i].citations.add(citation(many, f"Minister {PEOPLE[i]}"))
    with django_assert_num_queries(len(baseline)):
        listed = items(read(client, many))
    assert len(listed) == 24 and sum(i["accept"] is None for i in listed) == 4


def test_an_entity_just_created_is_not_offered_as_new_while_it_awaits_review(role_client):
    src = source(text="Brig. Gen. Pat Ryder said the Shahed Aviation Industries built them.", language="en")
    client = role_client("curator")
    assert len(re.findall(r'class="new-entity-add"', read(client, src))) == 2
    ryder = person("Pat Ryder")  # drafts: in the write model only, not in the match index
    shahed = organisation("Shahed Aviation Industries")
    page = read(client, src)
    assert "new-entity-add" not in page
    text = re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", "", page)))
    assert f"recorded as Pat Ryder {ryder.public_id}, not published yet" in text
    assert f"recorded as Shahed Aviation Industries {shahed.public_id}, not published yet" in text


def test_a_long_article_is_read_part_by_part_with_the_articles_own_offsets(role_client, shoigu, monkeypatch):
    from sources.admin import reader

    monkeypatch.setattr(reader, "PART_CHARS", 60)  # as a 1 MB article is cut into parts of 100,000
    first = "Erster Absatz: Minister Sergei Shoigu sprach in Moskau.\n"
    second = "Zweiter Absatz: 🙂 Sergei Shoigu antwortete am Abend.\n"
    src = source(text=first + second + "Dritter Absatz ohne Namen, aber lang genug.")
    client = role_client("curator")
    page = read(client, src)
    assert htmllib.unescape(re.sub(r"<[^>]+>", "", article_of(page))) == first
    assert "part 1 of 3" in page and 'href="?part=2"' in page
    [item] = items(page)
    assert item["text"].startswith(f"Sergei Shoigu characters {first.index('Sergei')}–")

    url = reverse("admin:sources_source_read", args=[src.pk])
    page = client.get(url, {"part": 2}).content.decode()
    assert htmllib.unescape(re.sub(r"<[^>]+>", "", article_of(page))) == second
    [item] = items(page)
    start = src.text.index("Sergei Shoigu", len(first))
    assert item["text"].startswith(f"Sergei Shoigu characters {start}–{start + 13}")
    # Accept carries the article's UTF-16 offsets (🙂 is two units), so the citation lands there
    assert accept(client, src, item).status_code == 201
    assert (Citation.objects.get().start, Citation.objects.get().end) == (start, start + 13)
    # out-of-range parts show the nearest one
    assert "part 3 of 3" in client.get(url, {"part": 99}).content.decode()
