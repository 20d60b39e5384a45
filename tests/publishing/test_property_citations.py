"""A published value (a birth date, a nationality, a measure...) needs citations of its
own, as a name does: submission names the one without, the reader cites one picked as
"<claim id>:<property>", and the trace page and the exports carry each value's quotes."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from entities.models import Entity, Person
from publishing import exports, review, services
from publishing.publication import WorkflowError
from sources import services as sources_services
from sources.models import Evidence
from tests.builders import admin_form_data, approve_now, change_page, citation, jsonl_documents, read_export

pytestmark = pytest.mark.django_db


def test_submission_names_an_uncited_birth_date_and_passes_once_it_is_cited(world, users):
    Person.objects.create(entity=world.person, birth_date="1961")
    services.record_edit(users.curator, world.person)
    # The person's own quote ("Maj. Gen. Hossein Salami") says nothing of a birth date.
    with pytest.raises(WorkflowError) as refused:
        services.submit(world.change_set, users.curator)
    assert f"{world.person.public_id}: birth date: 1961 has no citation" in str(refused.value)

    # A real curator would cite the words that state it; any span of the source does here.
    sources_services.cite(world.src, 0, 6, world.person, users.curator, property="birth_date")
    services.submit(world.change_set, users.curator)
    approve_now(world.change_set, users.reviewer)
    (doc,) = [d for d in jsonl_documents() if d["id"] == world.person.public_id]
    assert doc["person"]["birth_date"] == "1961"
    assert [c["quote"] for c in doc["property_citations"]["birth_date"]] == ["TEHRAN"]
    assert doc["citations"][0]["quote"] == "Maj. Gen. Hossein Salami"  # the claim's own, unchanged


def test_a_property_the_claim_has_no_value_for_cannot_be_cited(world, users):
    with pytest.raises(ValidationError) as refused:
        sources_services.cite(world.src, 0, 6, world.person, users.curator, property="birth_date")
    assert "claim" in refused.value.message_dict
    assert not Evidence.objects.filter(property="birth_date").exists()


def test_exports_carry_each_value_with_its_quotes(published, users, partner):
    Person.objects.create(entity=published.person, nationalities=["IR"])
    said = citation(published.src, "said on Monday")
    Evidence.objects.create(claim=published.person, citation=said, property="nationalities:IR")
    change_set = services.record_edit(users.curator, published.person)
    services.submit(change_set, users.curator)
    approve_now(change_set, users.reviewer)

    (doc,) = [d for d in jsonl_documents() if d["id"] == published.person.public_id]
    assert doc["property_citations"] == {
        "nationalities:IR": [
            {
                "source": published.src.public_id,
                "start": said.start,
                "end": said.end,
                "quote": "said on Monday",
                "translation": "",
            }
        ]
    }
    # FollowTheMoney: the entity's Documentation of the article holds every quote backing it
    lines = [json.loads(line) for line in read_export("entities.ftm.json").splitlines()]
    (documentation,) = [
        e
        for e in lines
        if e["schema"] == "Documentation" and e["properties"]["entity"] == [exports.ftm_id(published.person.public_id)]
    ]
    assert "said on Monday" in documentation["properties"]["summary"]
    # The partner API's source view says which value a quote backs.
    response = partner.get(f"/api/v1/sources/{published.src.public_id}/").json()
    assert {"claim": f"{published.person.public_id}:nationalities:IR", "quote": "said on Monday"} in [
        {"claim": c["claim"], "quote": c["quote"]} for c in response["citations"]
    ]


@pytest.mark.usefixtures("seed_corpus")
def test_the_trace_page_shows_a_nationality_with_the_words_that_state_it(role_client):
    qureishi = Entity.objects.get(names__value="Seyed Hojjatollah Qureishi")
    html = role_client("auditor").get(qureishi.get_trace_url()).content.decode()
    assert "backed by the entity claim's citations" not in html
    section = html.split(f'id="claim-{qureishi.pk}-nationalitiesir"', 1)[1].split("</section>", 1)[0]
    assert "Nationality: IR" in section
    assert "<mark>Brig. Gen. Seyed Hojjatollah Qureishi, a key Iranian negotiator in the deal</mark>" in section
    assert "linked to this value" in section


def cite_post(src, claim, phrase):
    start = src.text.index(phrase)
    utf16 = lambda text: len(text.encode("utf-16-le")) // 2  # noqa: E731 - reader.js counts UTF-16 units
    return {
        "start_utf16": utf16(src.text[:start]),
        "end_utf16": utf16(src.text[: start + len(phrase)]),
        "quote": phrase,
        "claim": claim,
        "text_sha256": src.text_sha256,
    }


def test_the_reader_offers_and_cites_a_property_and_refuses_one_the_claim_lacks(world, role_client):
    Person.objects.create(entity=world.person, birth_date="1961", nationalities=["IR"])
    client = role_client("curator")
    claims_url = reverse("admin:sources_source_claims", args=[world.src.pk])
    (record,) = client.get(claims_url, {"q": "Hossein Salami"}).json()["records"]
    offered = {c["id"]: c["label"] for c in record["claims"]}
    assert offered[f"{world.person.pk}:birth_date"] == "birth date: 1961"
    assert offered[f"{world.person.pk}:nationalities:IR"] == "nationality: IR"

    url = reverse("admin:sources_source_cite", args=[world.src.pk])
    response = client.post(url, cite_post(world.src, f"{world.person.pk}:birth_date", "on Monday"))
    assert response.status_code == 201, response.content
    assert Evidence.objects.get(claim=world.person, property="birth_date").citation.quote == "on Monday"
    assert "birth date: 1961" in response.json()["message"]

    wrong = client.post(url, cite_post(world.src, f"{world.person.pk}:title", "on Monday"))
    assert wrong.status_code == 400
    errors = wrong.json()["errors"]
    assert list(errors) == ["claim"] and "title" in errors["claim"][0]
    nonsense = client.post(url, cite_post(world.src, f"{world.person.pk}:x:y:z", "on Monday"))
    assert nonsense.status_code == 400 and list(nonsense.json()["errors"]) == ["claim"]


def test_the_admin_shows_each_value_with_its_quotes_and_a_save_keeps_them(world, role_client):
    Person.objects.create(entity=world.person, birth_date="1961", nationalities=["IR"])
    said = citation(world.src, "said on Monday")
    Evidence.objects.create(claim=world.person, citation=said, property="birth_date")
    client = role_client("curator")
    url, page = change_page(client, world.person)
    html = page.content.decode()
    assert "<li>birth date: 1961: “said on Monday” (" in html
    assert '<li>nationality: IR: <strong class="errornote">no citation</strong></li>' in html
    # The citations widget edits the claim's own citations: the birth date's isn't among them.
    form = page.context["adminform"].form
    assert [c.pk for c in form.initial["citations"]] == [world.salami.pk]

    post = admin_form_data(page)
    response = client.post(url, post)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert set(world.person.evidence.values_list("citation__quote", "property")) == {
        ("Maj. Gen. Hossein Salami", ""),
        ("said on Monday", "birth_date"),
    }


def test_the_review_page_shows_a_values_quotes_as_quotes():
    cited = {"birth_date": [{"source": "src_a", "start": 0, "end": 6, "quote": "TEHRAN", "translation": ""}]}
    html = review.render(cited, {})
    assert "<dt>birth date</dt>" in html and "<q>TEHRAN</q>" in html and "{" not in html


def test_a_changed_value_loses_the_quote_of_the_old_one(world, users):
    details = Person.objects.create(entity=world.person, birth_date="1961", nationalities=["IR"])
    sources_services.cite(world.src, 0, 6, world.person, users.curator, property="birth_date")
    sources_services.cite(world.src, 0, 6, world.person, users.curator, property="nationalities:IR")
    details.birth_date = "1975"  # the quote stated 1961, not this
    details.save()
    assert set(Evidence.objects.filter(claim=world.person).exclude(property="").values_list("property", flat=True)) == {
        "nationalities:IR"
    }
    services.record_edit(users.curator, world.person)
    with pytest.raises(WorkflowError) as refused:
        services.submit(world.change_set, users.curator)
    assert "birth date: 1975 has no citation" in str(refused.value)
