"""Bulk exports: JSON lines, FollowTheMoney and CSV of the published entities."""

import csv
import io
import json
import os
from datetime import UTC
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection

from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from publishing import exports, services
from publishing.documents import claim_id
from publishing.models import PublishedRecord, PublishedVersion
from sanctions.models import Programme, SanctionAction
from tests.builders import cite_properties, cited, jsonl_documents, publish_edits, read_export


def followthemoney():
    """The reference library, or a skip saying why (CI sets REQUIRE_FOLLOWTHEMONEY=1 to
    make its absence a failure instead)."""
    try:
        import followthemoney
    except ImportError:
        if os.environ.get("REQUIRE_FOLLOWTHEMONEY") == "1":
            raise
        pytest.skip("followthemoney is not installed (its PyICU needs g++, pkg-config, libicu-dev; see README)")
    return followthemoney


CSV_HEADER = [
    "id",
    "kind",
    "org_kind",
    "caption",
    "names",
    "countries",
    "birth_date",
    "identifiers",
    "sanctioned",
    "authorities",
    "programmes",
    "measures",
    "actions",
    "first_published_at",
    "last_published_at",
    "version",
]


def csv_rows():
    text = read_export("entities.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert text.split("\r\n", 1)[0].split(",") == CSV_HEADER
    return rows


def ftm_entities(clean=True):
    """The FTM export, each line checked the way an FTM consumer would: it loads, is
    valid for its schema, has the required properties, FTM's cleaning changes nothing
    (unless ``clean`` is off), and every reference points at an entity of the export
    of a schema the property takes."""
    ftm_model = followthemoney().model
    lines = read_export("entities.ftm.json").split(b"\n")
    assert lines.pop() == b""
    entities = {}
    for line in lines:
        data = json.loads(line)
        schema = ftm_model.get(data["schema"])
        assert schema is not None and not schema.abstract, data
        schema.validate(data)  # raises InvalidData naming the property
        for required in schema.required:
            assert data["properties"].get(required), (data, required)
        proxy = ftm_model.get_proxy(data, cleaned=False)
        assert not clean or proxy.to_dict()["properties"] == data["properties"], data
        assert data["id"] not in entities, f"{data['id']} twice"
        entities[data["id"]] = proxy
    for proxy in entities.values():
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in entities, f"{proxy.id}.{prop.name} → {value}, not in the export"
                assert entities[value].schema.is_a(prop.range), f"{proxy.id}.{prop.name}: {entities[value].schema}"
    return entities


def of_schema(entities, schema):
    return [e for e in entities.values() if e.schema.name == schema]


def published_entity_heads():
    return PublishedRecord.objects.filter(record_type="entity", operation="upsert").order_by("record_id")


# ----------------------------------------------------------------- the seed corpus


@pytest.mark.usefixtures("seed_corpus")
class TestSeedCorpus:
    def test_jsonl_is_the_published_documents_one_per_line(self, db):
        heads = list(published_entity_heads())
        assert len(heads) == 53
        assert jsonl_documents() == [h.document for h in heads]

    def test_every_ftm_line_loads_and_validates_with_followthemoney(self, db):
        entities = ftm_entities()
        heads = list(published_entity_heads())
        things = [e for e in entities.values() if e.schema.is_a("LegalEntity")]
        assert sorted(e.id for e in things) == sorted(exports.ftm_id(h.record_id) for h in heads)
        assert {e.schema.name for e in things} == {"Person", "Organization", "PublicBody", "Company"}
        sanctions = [s for h in heads for s in h.document["sanctions"]]
        assert len(of_schema(entities, "Sanction")) == len(sanctions)
        assert len(of_schema(entities, "Article")) == 5  # the five seed articles, all cited
        relationships = sum(len(h.document["relationships"]) for h in heads)
        edges = [e for e in entities.values() if e.schema.edge and e.schema.name != "Documentation"]
        assert len(edges) == relationships == 29
        # Each entity's Documentation carries every quote its claims cite.
        kirby = next(e for e in things if "John Kirby" in e.get("name"))
        documentation = [d for d in of_schema(entities, "Documentation") if d.get("entity") == [kirby.id]]
        quotes = {q for d in documentation for q in d.get("summary")}
        assert "National Security Council spokesman John Kirby" in quotes

    def test_csv_has_one_row_per_published_entity(self, db):
        rows = csv_rows()
        heads = list(published_entity_heads())
        assert [r["id"] for r in rows] == [h.record_id for h in heads]
        by_id = {r["id"]: r for r in rows}
        for head in heads:
            row, doc = by_id[head.record_id], head.document
            assert row["caption"] == doc["caption"] and row["kind"] == doc["kind"]
            assert exports.split_values(row["names"]) == list(dict.fromkeys(n["value"] for n in doc["names"]))
            assert row["last_published_at"].startswith(head.published_at.isoformat()[:19])
            assert row["version"] == str(head.version)


# ------------------------------------------------------------------ what is exported


def test_the_exports_name_their_files_and_media_types():
    assert {name: e.media_type for name, e in exports.EXPORTS.items()} == {
        "entities.jsonl": "application/x-ndjson",
        "entities.ftm.json": "application/x-ndjson",
        "entities.csv": "text/csv; charset=utf-8; header=present",
    }
    assert exports.get_export("entities.csv").content_disposition == 'attachment; filename="entities.csv"'
    with pytest.raises(exports.UnknownExport, match="'entities.xml'; there are: entities.jsonl, entities.ftm.json"):
        exports.get_export("entities.xml")


def test_no_entities_export_empty_files_and_a_csv_header(db):
    assert read_export("entities.jsonl") == b""
    assert read_export("entities.ftm.json") == b""
    assert read_export("entities.csv") == (",".join(CSV_HEADER) + "\r\n").encode()


def test_unpublished_and_retracted_entities_never_appear(published, users):
    src = published.src
    waiting = cited(Entity.objects.create(kind=Entity.Kind.ORGANISATION), published.eu)
    cited(Name.objects.create(entity=waiting, value="Waiting For Review", type=Name.Type.PRIMARY), published.eu)
    services.record_edit(users.curator2, waiting)  # edited, never approved
    gone = cited(Entity.objects.create(kind=Entity.Kind.ORGANISATION), published.eu)
    cited(Name.objects.create(entity=gone, value="Retracted Org", type=Name.Type.PRIMARY), published.eu)
    link = Relationship.objects.create(subject=published.person, kind=Relationship.Kind.MEMBER_OF, object=gone)
    cited(link, published.salami)
    publish_edits(users, gone, published.person)
    gone.deprecated_reason = "Not an organisation: a misreading."
    gone.save()
    publish_edits(users, gone)
    assert PublishedRecord.objects.get(record_id=gone.public_id).operation == "retract"

    assert b"Waiting For Review" not in b"".join(read_export(name) for name in exports.EXPORTS)
    assert [d["id"] for d in jsonl_documents()] == [published.person.public_id]
    assert [r["id"] for r in csv_rows()] == [published.person.public_id]
    # The person's published document still points at the retracted organisation;
    # the FTM export leaves that link out rather than point at nothing.
    assert [r["object"] for r in jsonl_documents()[0]["relationships"]] == [gone.public_id]
    entities = ftm_entities()
    legal_entities = [e.id for e in entities.values() if e.schema.is_a("LegalEntity")]
    assert legal_entities == [exports.ftm_id(published.person.public_id)]
    assert not of_schema(entities, "Membership")
    assert [a.id for a in of_schema(entities, "Article")] == [exports.ftm_id(src.public_id)]


# --------------------------------------------------------------- values and mapping


NASTY = 'Sepah, "the Guard"; <script>alert(1)</script> \\ back'


def test_values_with_commas_quotes_newlines_and_markup_round_trip(published, users):
    person = published.person
    cited(Name.objects.create(entity=person, value=NASTY, type=Name.Type.ALIAS), published.salami)
    identifier = Identifier.objects.create(
        entity=person, scheme=Identifier.Scheme.PASSPORT, value="A1\nB2,\u2028C3", country="IR"
    )
    cited(identifier, published.salami)
    programme = Programme.objects.create(authority=published.action.authority, name='Iran, "drones"\r\nregime')
    SanctionAction.objects.filter(pk=published.action.pk).update(programme=programme)
    publish_edits(users, person, published.action)

    (row,) = csv_rows()
    assert row["names"] == exports.join_values(["Hossein Salami", NASTY])  # as the database joined them
    assert exports.split_values(row["names"]) == ["Hossein Salami", NASTY]
    assert row["identifiers"] == "passport:IR:A1\nB2,\u2028C3"
    assert row["programmes"] == 'Iran, "drones"\r\nregime'
    assert row["sanctioned"] == "true"
    assert (row["authorities"], row["measures"]) == ("Council of the European Union", "asset_freeze")

    (doc,) = jsonl_documents()  # one line despite the newline and U+2028 in a value
    assert doc == PublishedRecord.objects.get(record_id=person.public_id).document

    entities = ftm_entities(clean=False)  # FTM's cleaning makes the U+2028 a space
    (ftm_person,) = of_schema(entities, "Person")
    assert ftm_person.get("alias") == [NASTY]
    assert ftm_person.get("passportNumber") == ["A1\nB2, C3"]  # as FTM cleans it on loading
    (identification,) = of_schema(entities, "Identification")
    assert identification.get("country") == ["ir"] and identification.get("type") == ["passport"]
    (sanction,) = of_schema(entities, "Sanction")
    assert sanction.get("program") == ['Iran, "drones"\r\nregime']


def test_a_csv_row_keeps_the_first_publication_and_follows_the_latest(published, users):
    person = published.person
    first = PublishedVersion.objects.get(record_id=person.public_id, version=1).published_at
    published.name.value = "Hossein Salamy"
    published.name.save()
    publish_edits(users, person)
    (row,) = csv_rows()
    head = PublishedRecord.objects.get(record_id=person.public_id)
    assert (row["version"], row["names"]) == ("2", "Hossein Salamy")
    assert row["first_published_at"] == first.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert row["last_published_at"] == head.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert first < head.published_at


def test_the_migration_fills_the_csv_rows_of_heads_published_before_them(published, users):
    publish_edits(users, published.person)  # a second version: the first publication comes from version 1
    before = read_export("entities.csv")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('publishing.writer', 'approve', true)")
        cursor.execute("UPDATE publishing_publishedrecord SET csv_row = ''")
        cursor.execute("SELECT set_config('publishing.writer', '', true)")
    assert read_export("entities.csv") != before
    fill_csv_rows = import_module("publishing.migrations.0005_export_csv_rows").fill_csv_rows
    with connection.schema_editor(atomic=False) as editor:
        fill_csv_rows(django_apps, editor)
    assert read_export("entities.csv") == before


def test_multi_value_cells_escape_their_separator():
    values = ["a;b", "c\\", "", "d"]
    assert exports.join_values(values) == "a\\;b;c\\\\;d"
    assert exports.split_values(exports.join_values(values)) == ["a;b", "c\\", "d"]
    assert exports.split_values("") == []


def test_ftm_maps_entities_sanctions_relationships_and_sources(published, users):
    person, action = published.person, published.action
    Person.objects.create(entity=person, title="Maj. Gen.", gender="male", birth_date="1960", nationalities=["IR"])
    cite_properties(person, published.salami)
    SanctionAction.objects.filter(pk=action.pk).update(announced_date="2022-10-20", in_force_date="2022-10-21")
    cite_properties(action, published.eu)
    guard = cited(Entity.objects.create(kind=Entity.Kind.ORGANISATION), published.eu)
    cited(Name.objects.create(entity=guard, value="IRGC", type=Name.Type.PRIMARY), published.eu)
    Organisation.objects.create(entity=guard, org_kind=Organisation.Kind.MILITARY_UNIT, countries=["IR"])
    cite_properties(guard, published.eu)
    head = Relationship.objects.create(subject=person, kind=Relationship.Kind.HEAD_OF, object=guard, role="commander")
    owns = Relationship.objects.create(subject=person, kind=Relationship.Kind.OWNER_OF, object=guard)
    for rel in (head, owns):
        cited(rel, published.salami)
    publish_edits(users, guard, person, action)

    entities = ftm_entities()
    pid, gid = exports.ftm_id(person.public_id), exports.ftm_id(guard.public_id)
    assert pid == "sdb-" + person.public_id.replace("_", "-")
    salami = entities[pid]
    assert salami.schema.name == "Person"
    assert [salami.get(p) for p in ("name", "title", "gender")] == [["Hossein Salami"], ["Maj. Gen."], ["male"]]
    assert [salami.get(p) for p in ("birthDate", "nationality", "topics")] == [["1960"], ["ir"], ["sanction"]]
    assert entities[gid].schema.name == "PublicBody" and entities[gid].get("country") == ["ir"]

    (sanction,) = of_schema(entities, "Sanction")
    assert sanction.id == exports.ftm_id(claim_id(published.target.pk))
    assert sanction.get("entity") == [pid]
    assert sanction.get("authority") == ["Council of the European Union"]
    assert (sanction.get("listingDate"), sanction.get("startDate")) == (["2022-10-20"], ["2022-10-21"])
    assert (sanction.get("status"), sanction.get("description")) == (["announced"], ["designation"])
    assert sanction.get("provisions") == ["asset freeze"]
    assert sanction.get("summary") == ["The EU listed the Guard's aerospace unit."]

    (directorship,) = of_schema(entities, "Directorship")
    assert (directorship.get("director"), directorship.get("organization")) == ([pid], [gid])
    assert directorship.get("role") == ["commander"]
    assert directorship.get("proof") == [exports.ftm_id(published.src.public_id)]
    # A person can own only an asset in FTM; a military unit is none: an UnknownLink says it.
    (link,) = of_schema(entities, "UnknownLink")
    assert (link.get("subject"), link.get("object"), link.get("role")) == ([pid], [gid], ["owner of"])

    (article,) = of_schema(entities, "Article")
    assert article.id == exports.ftm_id(published.src.public_id)
    assert (article.get("title"), article.get("publisher"), article.get("language")) == (
        ["Iran's Guard warns over sanctions"],
        ["AP"],
        ["eng"],
    )
    assert not article.get("bodyText")
    documentation = {d.get("entity")[0]: d for d in of_schema(entities, "Documentation")}
    assert documentation[pid].get("document") == [article.id]
    assert set(documentation[pid].get("summary")) == {"Maj. Gen. Hossein Salami"}
    assert set(documentation[gid].get("summary")) == {published.eu.quote}


def test_an_entity_under_threat_only_is_not_sanctioned(published, users):
    SanctionAction.objects.filter(pk=published.action.pk).update(
        kind=SanctionAction.Kind.THREAT, status=SanctionAction.Status.THREATENED
    )
    publish_edits(users, published.action)
    (row,) = csv_rows()
    assert row["sanctioned"] == "false" and row["actions"] == published.action.public_id
    entities = ftm_entities()
    assert not entities[exports.ftm_id(published.person.public_id)].get("topics")
    (sanction,) = of_schema(entities, "Sanction")  # still exported, with what it is
    assert (sanction.get("status"), sanction.get("description")) == (["threatened"], ["threat of measures"])


def test_every_language_mapped_for_ftm_is_one_it_accepts():
    registry = followthemoney().types.registry

    assert all(registry.language.validate(code) for code in exports.FTM_LANGUAGES.values())
