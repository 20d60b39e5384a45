"""The partner API over published data: entities, sanctions, the change feed."""

import base64
import csv
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entities.models import Entity, Organisation
from publishing import services
from publishing.models import PublishedRecord
from sanctions.models import Programme, SanctionAction
from tests.builders import cite_properties, cited_entity, publish_edits

ENTITIES, SANCTIONS, CHANGES = "/api/v1/entities/", "/api/v1/sanctions/", "/api/v1/changes/"


def export_lines(client, filename):
    response = client.get(f"/api/v1/exports/{filename}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode().splitlines()


def ids(response):
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


def test_unpublished_records_are_invisible(world, partner):
    assert ids(partner.get(ENTITIES)) == [] and ids(partner.get(SANCTIONS)) == []
    assert partner.get(f"{ENTITIES}{world.person.public_id}/").status_code == 404


def test_an_entity_is_its_published_document(published, partner):
    head = PublishedRecord.objects.get(record_id=published.person.public_id)
    response = partner.get(f"{ENTITIES}{published.person.public_id}/")
    body = response.json()
    assert body.pop("version") == 1 and body.pop("published_at")
    assert body == head.document
    assert body["names"][0]["citations"] == [
        {
            "source": published.src.public_id,
            "start": published.salami.start,
            "end": published.salami.end,
            "quote": "Maj. Gen. Hossein Salami",
            "translation": "",
        }
    ]
    assert body["sanctions"][0]["measures"] == ["asset_freeze"]


def test_an_edit_stays_invisible_until_approved(published, users, partner):
    published.name.value = "Ali Shamkhani"
    published.name.save()
    services.record_edit(users.curator, published.person)
    doc = partner.get(f"{ENTITIES}{published.person.public_id}/").json()
    assert [n["value"] for n in doc["names"]] == ["Hossein Salami"]
    assert ids(partner.get(ENTITIES, {"q": "shamkhani"})) == []


class TestEntityFilters:
    @pytest.mark.parametrize("q", ["salami", "SALAMI hossein", "Salamí", "Салами", "Hosein Salami"])
    def test_q_finds_any_name_whatever_case_accents_script_or_order(self, published, partner, q):
        assert ids(partner.get(ENTITIES, {"q": q})) == [published.person.public_id]

    def test_a_value_longer_than_a_tag_still_publishes_and_filters(self, published, users, partner):
        # A programme's name may have 300 characters: with "programme:" longer than a tag.
        programme = Programme.objects.create(authority=published.action.authority, name="Programme " + "x" * 290)
        SanctionAction.objects.filter(pk=published.action.pk).update(programme=programme)
        publish_edits(users, published.action)
        assert ids(partner.get(ENTITIES, {"programme": programme.name})) == [published.person.public_id]

    @pytest.mark.parametrize("q", ["حسین سلامی", "Husayn Salami", "Hussein SALAMY"])
    def test_q_reads_names_as_match_does_across_romanisations_and_persian_script(self, published, partner, q):
        assert ids(partner.get(ENTITIES, {"q": q})) == [published.person.public_id]

    def test_q_needs_every_word(self, published, partner):
        assert ids(partner.get(ENTITIES, {"q": "hossein bagheri"})) == []

    def test_facets(self, published, partner):
        person = [published.person.public_id]
        assert ids(partner.get(ENTITIES, {"kind": "person"})) == person
        assert ids(partner.get(ENTITIES, {"kind": "organisation"})) == []
        assert ids(partner.get(ENTITIES, {"sanctioned": "true"})) == person  # an announced designation
        assert ids(partner.get(ENTITIES, {"sanctioned": "false"})) == []
        assert ids(partner.get(ENTITIES, {"authority": "eu council"})) == person  # by abbreviation
        assert (
            ids(partner.get(ENTITIES, {"authority": "Council of the European Union", "measure": "asset_freeze"}))
            == person
        )
        assert ids(partner.get(ENTITIES, {"measure": "travel_ban"})) == []
        assert ids(partner.get(ENTITIES, {"status": "announced"})) == person
        assert ids(partner.get(ENTITIES, {"status": "in_force"})) == []
        before = (timezone.now() - timedelta(hours=1)).isoformat()
        assert ids(partner.get(ENTITIES, {"updated_after": before})) == person
        assert ids(partner.get(ENTITIES, {"updated_after": timezone.now().isoformat()})) == []

    def test_country(self, published, users, partner):
        org = cited_entity(published.src, "Islamic Revolutionary Guard Corps")
        Organisation.objects.update_or_create(entity=org, defaults={"countries": ["IR"], "org_kind": "military_unit"})
        cite_properties(org, org.citations.get())
        publish_edits(users, org)
        assert ids(partner.get(ENTITIES, {"country": "IR"})) == [org.public_id]
        assert ids(partner.get(ENTITIES, {"country": "RU"})) == []

    @pytest.mark.parametrize(
        "field,value",
        [
            (field, value)
            for field, values in {
                "country": ["XX", "ir"],
                "measure": ["asset-freeze"],
                "kind": ["vessel"],
                "sanctioned": ["maybe"],
                "status": ["active"],
                "authority": ["Ministry of Magic"],
                "programme": ["nope"],
                "updated_after": ["last tuesday"],
                "q": ["!!!", "x" * 501, ""],
                "limit": ["0", "501", "ten"],
                "cursor": ["not-a-cursor"],
                "contry": ["IR"],  # a misspelt filter is refused, not ignored
            }.items()
            for value in values
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, published, partner, field, value):
        response = partner.get(ENTITIES, {field: value})
        assert response.status_code == 400, response.content
        assert list(response.json()) == [field]


@pytest.mark.parametrize("url", [ENTITIES, SANCTIONS, "/api/v1/sources/"])
@pytest.mark.parametrize(
    "cursor",
    [
        "eyJhZnRlciI6Ilx1MDAwMCJ9",  # {"after": "\u0000"}
        "eyJhZnRlciI6Ilx1ZDgwMCJ9",  # {"after": "\ud800"}
        base64.urlsafe_b64encode(b"[" * 3000).decode(),
    ],
)
def test_a_cursor_this_api_never_gave_out_is_a_400_on_every_list(published, partner, url, cursor):
    partner.raise_request_exception = False
    response = partner.get(url, {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["cursor"]


def test_format_suffixes_are_not_routes(published, partner):
    """The views answer JSON (?format=api: the browsable API); "entities.json" is no route
    of theirs, and the schema advertises none."""
    partner.raise_request_exception = False
    entity, action = published.person.public_id, published.action.public_id
    for url in [
        "/api/v1/entities.json",
        f"/api/v1/entities/{entity}.json",
        "/api/v1/sanctions.api",
        f"/api/v1/sanctions/{action}.json",
        "/api/v1/sources.json",
    ]:
        assert partner.get(url).status_code == 404, url
    assert ids(partner.get(ENTITIES, {"format": "json"})) == [entity]
    schema = partner.get("/api/v1/schema/", {"format": "json"}).json()
    assert not [path for path in schema["paths"] if "format" in path or "." in path.rsplit("/", 1)[-1]]


def test_the_schemas_links_lead_from_a_record_to_the_records_it_names(published, partner):
    """The OpenAPI links (partners.schema.LINKS) that schemathesis's stateful phase follows."""
    schema = partner.get("/api/v1/schema/", {"format": "json"}).json()
    operations = {op["operationId"]: (path, op) for path, ops in schema["paths"].items() for op in ops.values()}
    answers = {
        "entities_retrieve": partner.get(f"{ENTITIES}{published.person.public_id}/"),
        "sanctions_retrieve": partner.get(f"{SANCTIONS}{published.action.public_id}/"),
        "match_create": partner.post("/api/v1/match/", {"queries": [{"name": "Hossein Salami"}]}, format="json"),
    }
    followed = []
    for source, response in answers.items():
        links = operations[source][1]["responses"]["200"]["links"]
        for name, link in links.items():
            node = response.json()
            for step in link["parameters"]["id"].removeprefix("$response.body#/").split("/"):
                if isinstance(node, list) and not node:
                    break  # nothing of that kind in this record
                node = node[int(step)] if isinstance(node, list) else node[step]
            else:
                target = operations[link["operationId"]][0].replace("{id}", node)
                assert partner.get(target).status_code == 200, (source, name, target)
                followed.append(f"{source}.{name}")
    assert sorted(followed) == [
        "entities_retrieve.cited_source",
        "entities_retrieve.sanction",
        "match_create.candidate",
        "sanctions_retrieve.cited_source",
        "sanctions_retrieve.target",
    ]


def test_a_list_page_costs_the_same_queries_for_1_and_for_many(published, users, partner):
    def queries(limit):
        with CaptureQueriesContext(connection) as ctx:
            assert partner.get(ENTITIES, {"limit": limit}).status_code == 200
        return len(ctx)

    partner.get(ENTITIES)  # the key's once-a-minute bookkeeping (last use, usage window) out of the way
    one = queries(1)
    others = [cited_entity(published.src, w) for w in ("European Union", "Guard", "TEHRAN", "AP")]
    publish_edits(users, *others)
    assert len(ids(partner.get(ENTITIES, {"limit": 500}))) == 5
    assert queries(500) == one


class TestDetail:
    def url(self, entity):
        return f"{ENTITIES}{entity.public_id}/"

    def test_etag_gives_304_until_a_new_version(self, published, users, partner):
        url = self.url(published.person)
        first = partner.get(url)
        assert partner.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        # As a gzipping proxy hands it back (weak), and among others.
        assert partner.get(url, HTTP_IF_NONE_MATCH=f'"x", W/{first["ETag"]}').status_code == 304
        published.name.lang = "fa"
        published.name.save()
        publish_edits(users, published.person)
        again = partner.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200 and again["ETag"] != first["ETag"] and again.json()["version"] == 2

    def test_as_of_returns_what_was_published_then(self, published, users, partner):
        url = self.url(published.person)
        v1_time = partner.get(url).json()["published_at"]
        published.name.lang = "fa"
        published.name.save()
        publish_edits(users, published.person)
        assert partner.get(url).json()["names"][0]["lang"] == "fa"
        old = partner.get(url, {"as_of": v1_time}).json()
        assert (old["version"], old["names"][0]["lang"]) == (1, "en")
        assert partner.get(url, {"as_of": "2000-01-01T00:00:00Z"}).status_code == 404
        bad = partner.get(url, {"as_of": "yesterday"})
        assert bad.status_code == 400 and list(bad.json()) == ["as_of"]

    def test_a_merged_entity_points_at_the_kept_one(self, published, users, partner):
        kept = cited_entity(published.src, "Hossein Salami", kind=Entity.Kind.PERSON)
        publish_edits(users, kept)
        published.person.merged_into = kept
        published.person.save()
        publish_edits(users, published.person)
        response = partner.get(self.url(published.person))
        assert response.status_code == 308
        assert response["Location"].endswith(f"{ENTITIES}{kept.public_id}/")
        assert response.json()["merged_into"] == kept.public_id
        assert published.person.public_id not in ids(partner.get(ENTITIES))

    def test_a_withdrawn_entity_is_gone_with_its_reason(self, published, users, partner):
        published.person.deprecated_reason = "Duplicate of a record kept elsewhere."
        published.person.save()
        publish_edits(users, published.person)
        response = partner.get(self.url(published.person))
        assert response.status_code == 410
        assert response.json()["reason"] == "Duplicate of a record kept elsewhere."


class TestSanctions:
    def test_list_and_filters(self, published, partner):
        action = [published.action.public_id]
        assert ids(partner.get(SANCTIONS)) == action
        assert ids(partner.get(SANCTIONS, {"target": published.person.public_id})) == action
        assert ids(partner.get(SANCTIONS, {"target": "ent_nobody"})) == []
        assert ids(partner.get(SANCTIONS, {"authority": "EU Council", "kind": "designation"})) == action
        assert ids(partner.get(SANCTIONS, {"status": "in_force"})) == []
        detail = partner.get(f"{SANCTIONS}{published.action.public_id}/").json()
        assert detail["targets"][0]["entity"] == published.person.public_id

    def test_announced_range_with_partial_dates(self, published, users, partner):
        SanctionAction.objects.filter(pk=published.action.pk).update(announced_date="2024-03")
        published.action.refresh_from_db()
        cite_properties(published.action, published.eu)
        publish_edits(users, published.action)
        action = [published.action.public_id]
        assert ids(partner.get(SANCTIONS, {"announced_after": "2024-03-15"})) == action  # could be
        assert ids(partner.get(SANCTIONS, {"announced_after": "2024-04"})) == []
        assert ids(partner.get(SANCTIONS, {"announced_before": "2024"})) == action
        assert ids(partner.get(SANCTIONS, {"announced_before": "2024-02-28"})) == []
        for value in ("2024-13", "2024-02-30"):
            bad = partner.get(SANCTIONS, {"announced_after": value})
            assert bad.status_code == 400 and list(bad.json()) == ["announced_after"], value


class TestChangeFeed:
    def test_the_feed_is_in_seq_order_and_resumes_after_the_last_seq(self, published, partner):
        first = partner.get(CHANGES, {"limit": 1}).json()
        rest = partner.get(CHANGES, {"after": first["last_seq"]}).json()
        seqs = [c["seq"] for c in first["results"] + rest["results"]]
        assert seqs == sorted(seqs) and len(seqs) == 2 and rest["next"] is None
        drained = partner.get(CHANGES, {"after": seqs[-1]}).json()
        assert drained == {"next": None, "last_seq": seqs[-1], "results": []}

    @pytest.mark.parametrize(
        "params,field",
        [
            ({"after": "-1"}, "after"),
            ({"after": "x"}, "after"),
            ({"limit": "1000"}, "limit"),
            ({"since": "1"}, "since"),
        ],
    )
    def test_bad_input(self, db, partner, params, field):
        response = partner.get(CHANGES, params)
        assert response.status_code == 400 and list(response.json()) == [field]


class TestExports:
    def test_each_export_streams_with_its_type_and_filename(self, published, partner):
        for filename, media_type in [
            ("entities.jsonl", "application/x-ndjson"),
            ("entities.ftm.json", "application/x-ndjson"),
            ("entities.csv", "text/csv"),
        ]:
            response = partner.get(f"/api/v1/exports/{filename}", HTTP_ACCEPT="application/json")
            assert response.status_code == 200 and response.streaming
            assert response["Content-Type"].startswith(media_type)
            assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        (line,) = export_lines(partner, "entities.jsonl")
        assert json.loads(line)["id"] == published.person.public_id
        rows = list(csv.DictReader(export_lines(partner, "entities.csv")))
        assert [r["id"] for r in rows] == [published.person.public_id]

    def test_unknown_exports_and_callers(self, published, partner):
        response = partner.get("/api/v1/exports/entities.xml")
        assert response.status_code == 404 and "entities.jsonl" in response.json()["detail"]
        from rest_framework.test import APIClient

        assert APIClient().get("/api/v1/exports/entities.jsonl").status_code == 401


@pytest.mark.usefixtures("seed_corpus")
class TestSeedCorpus:
    def test_pagination_walks_every_entity_once_in_id_order(self, db, partner):
        expected = sorted(PublishedRecord.objects.filter(record_type="entity").values_list("record_id", flat=True))
        seen, url, pages = [], ENTITIES + "?limit=7", 0
        while url:
            page = partner.get(url).json()
            seen += [r["id"] for r in page["results"]]
            url, pages = page["next"], pages + 1
        assert seen == expected and len(expected) == 53 and pages == 8

    def test_replaying_the_feed_from_zero_rebuilds_the_current_state(self, db, users, partner):
        # A second change set: one entity withdrawn, so the feed holds a retraction too.
        gone = Entity.objects.filter(deprecated_at__isnull=True, kind="organisation").order_by("public_id").first()
        gone.deprecated_reason = "Not an organisation after all."
        gone.save()
        publish_edits(users, gone)

        state, after, pages = {}, 0, 0
        while True:
            page = partner.get(CHANGES, {"after": after, "limit": 25}).json()
            for change in page["results"]:
                key = (change["record_type"], change["record_id"])
                if change["operation"] == "upsert":
                    state[key] = change["document"]
                else:
                    state.pop(key, None)
            pages += 1
            if page["next"] is None:
                break
            after = page["last_seq"]
        current = {
            (h.record_type, h.record_id): h.document
            for h in PublishedRecord.objects.filter(operation="upsert", record_type__in=["entity", "sanction"])
        }
        assert state == current and len(current) == 67 and ("entity", gone.public_id) not in state
        # The same as what the list endpoints and the bulk export give.
        listed = {r["id"] for r in partner.get(ENTITIES, {"limit": 500}).json()["results"]}
        assert listed == {rid for (t, rid) in state if t == "entity"}
        exported = [json.loads(line) for line in export_lines(partner, "entities.jsonl")]
        assert {d["id"]: d for d in exported} == {rid: doc for (t, rid), doc in state.items() if t == "entity"}
