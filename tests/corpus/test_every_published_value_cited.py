"""The product's promise, checked on the seed corpus as partners get it: every value of
every published document (a name, an identifier, a relationship, a person's title,
gender, birth date and nationalities, an organisation's kind and countries, an action's
dates, a target's measures) comes with at least one citation, and each citation is the
exact words of its source."""

import pytest

from entities.models import Entity
from publishing.models import PublishedRecord
from sanctions.models import SanctionAction
from sources.models import Source

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed_corpus")]


def cited_values(doc):
    """(what, citations) for every non-empty value the document publishes."""
    props = doc.get("property_citations") or {}
    if doc["type"] == "entity":
        yield f"{doc['kind']} itself", doc["citations"]
        for n in doc["names"]:
            yield f"name {n['value']}", n["citations"]
        for i in doc["identifiers"]:
            yield f"identifier {i['value']}", i["citations"]
        for r in doc["relationships"]:
            yield f"relationship {r['kind']} {r['object']}", r["citations"]
        person, org = doc.get("person") or {}, doc.get("organisation") or {}
        for field in ("title", "gender", "birth_date"):
            if person.get(field):
                yield field, props.get(field)
        for country in person.get("nationalities", []):
            yield f"nationality {country}", props.get(f"nationalities:{country}")
        if org.get("org_kind"):
            yield "kind of organisation", props.get("org_kind")
        for country in org.get("countries", []):
            yield f"country {country}", props.get(f"countries:{country}")
    else:
        yield "the action itself", doc["citations"]
        for field in ("announced_date", "in_force_date", "end_date"):
            if doc[field]:
                yield field, props.get(field)
        for t in doc["targets"]:
            yield f"target {t['entity']}", t["citations"]
            for measure in t["measures"]:
                yield (
                    f"target {t['entity']} measure {measure}",
                    (t.get("property_citations") or {}).get(f"measures:{measure}"),
                )


def test_every_value_of_every_published_document_has_a_citation_of_its_exact_words():
    texts = dict(Source.objects.values_list("public_id", "text"))
    heads = PublishedRecord.objects.filter(record_type__in=["entity", "sanction"], operation="upsert")
    # every entity and every action is published
    assert heads.count() == Entity.objects.count() + SanctionAction.objects.count()
    missing, checked = [], []
    for head in heads:
        for what, citations in cited_values(head.document):
            checked.append(what)
            if not citations:
                missing.append(f"{head.record_id}: {what}")
            for c in citations or ():
                assert texts[c["source"]][c["start"] : c["end"]] == c["quote"], (head.record_id, what)
    assert missing == []
    # Not vacuous: the corpus publishes values of every kind of property.
    kinds = {what.split()[0] for what in checked}
    assert {"title", "gender", "nationality", "country", "kind", "announced_date", "target"} <= kinds
    assert any(" measure " in what for what in checked)


def test_values_the_articles_do_not_state_are_not_published():
    documents = {
        d["caption"]: d for d in PublishedRecord.objects.filter(record_type="entity").values_list("document", flat=True)
    }
    # "Kirby said", "Her death": a pronoun states no gender; heading an Iranian body
    # states no nationality (corpus/data/FORMAT.md).
    assert documents["John Kirby"]["person"]["gender"] == ""
    assert documents["Mahsa Amini"]["person"]["gender"] == ""
    assert documents["Mohammad Hossein Bagheri"]["person"]["nationalities"] == []
    # "a key Iranian negotiator" does state one, and cites it
    qureishi = documents["Seyed Hojjatollah Qureishi"]
    assert qureishi["person"]["nationalities"] == ["IR"]
    (quote,) = {c["quote"] for c in qureishi["property_citations"]["nationalities:IR"]}
    assert "a key Iranian negotiator" in quote
