"""POST /api/v1/match/: partners screen names against published entities."""

import json

import pytest
from rest_framework.test import APIClient

from partners.models import ApiKey
from tests.builders import publish_edits

MATCH = "/api/v1/match/"


def match(client, *queries, **params):
    return client.post(MATCH, {"queries": list(queries), **params}, format="json")


def test_a_published_entity_is_found_across_spelling_order_and_script(published, partner):
    response = match(
        partner,
        {"key": "a", "name": "SALAMI, Hossein", "kind": "person"},
        {"key": "b", "name": "Brig. Gen. Hosein Salami"},
        {"key": "c", "name": "حسین سلامی"},
        {"key": "d", "name": "Completely Unrelated Trading LLC"},
    )
    assert response.status_code == 200, response.content
    by_key = {r["key"]: r["candidates"] for r in response.json()["results"]}
    for key in "abc":
        best = by_key[key][0]
        assert best["entity_id"] == published.person.public_id and best["match"] is True, (key, best)
        assert best["name"] == "Hossein Salami" and 0.7 <= best["score"] <= 1
        assert {f["feature"] for f in best["explanation"]} >= {"name"}
    assert not any(c["match"] for c in by_key["d"])


def test_unpublished_entities_are_never_candidates(world, partner):
    response = match(partner, {"name": "Hossein Salami"})
    assert response.json()["results"][0]["candidates"] == []


def test_a_retracted_entity_leaves_the_index(published, users, partner):
    published.person.deprecated_reason = "Withdrawn."
    published.person.save()
    publish_edits(users, published.person)
    assert match(partner, {"name": "Hossein Salami"}).json()["results"][0]["candidates"] == []


def test_threshold_and_limit(published, partner):
    body = match(partner, {"name": "Hossein Salami"}, threshold=1.0, limit=1).json()
    assert body["threshold"] == 1.0 and body["limit"] == 1
    (candidate,) = body["results"][0]["candidates"]
    assert candidate["match"] is (candidate["score"] >= 1.0)


@pytest.mark.parametrize(
    "body,path",
    [
        ({"queries": []}, ["queries"]),
        ({}, ["queries"]),
        ({"queries": [{"name": "x"}] * 101}, ["queries"]),
        ({"queries": [{"name": ""}]}, ["queries", "0", "name"]),
        ({"queries": [{"name": "A"}, {"name": "   "}]}, ["queries", "1", "name"]),
        ({"queries": [{"name": "x" * 5000}]}, ["queries", "0", "name"]),
        ({"queries": [{"name": "Ali", "kind": "vessel"}]}, ["queries", "0", "kind"]),
        ({"queries": [{"name": "Ali", "birth_date": "1960-13"}]}, ["queries", "0", "birth_date"]),
        ({"queries": [{"name": "Ali", "countries": ["Iran"]}]}, ["queries", "0", "countries"]),
        ({"queries": [{"name": "Ali"}], "threshold": 2}, ["threshold"]),
        ({"queries": [{"name": "Ali"}], "limit": 0}, ["limit"]),
        ({"queries": "Ali"}, ["queries"]),
    ],
)
def test_bad_input_is_a_400_naming_the_field(db, partner, body, path):
    response = partner.post(MATCH, body, format="json")
    assert response.status_code == 400, response.content
    node = response.json()
    for step in path:
        assert step in node, (path, node)
        node = node[step]


def test_a_nul_byte_is_refused_naming_where(db, partner):
    response = partner.post(MATCH, {"queries": [{"name": "Ali\x00Khan"}]}, format="json")
    assert response.status_code == 400 and "queries[0].name" in response.json()["detail"]


@pytest.mark.parametrize(
    "query,where",
    [
        ({"name": "Ali", "countries": ["\ud800"]}, "body.queries[0].countries[0]"),
        ({"name": "Ali", "kind": "\udfff"}, "body.queries[0].kind"),
        ({"name": "Ali", "identifiers": [{"value": "x\ud800"}]}, "body.queries[0].identifiers[0].value"),
        ({"name": "Ali", "\ud800": "x"}, "body.queries[0].\\ud800"),
    ],
)
def test_a_lone_surrogate_is_refused_naming_where(db, partner, query, where):
    """A JSON escape of half a surrogate pair decodes to a character no database, log or
    response can encode (not even the 400 that quotes it)."""
    partner.raise_request_exception = False
    response = partner.post(MATCH, json.dumps({"queries": [query]}), content_type="application/json")
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert detail.startswith("The JSON body contains a lone surrogate") and f" at {where}: " in detail


def test_a_surrogate_pair_is_one_character_and_passes(published, partner):
    body = json.dumps({"queries": [{"name": "Hossein Salami \U0001f642"}]})  # escaped as \ud83d\ude42
    assert "\\ud83d\\ude42" in body
    response = partner.post(MATCH, body, content_type="application/json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "body,detail",
    [
        (b"[" * 50_000, "The JSON body is nested deeper than 32 levels."),
        (b"[" * 50_000 + b"]" * 50_000, "The JSON body is nested deeper than 32 levels."),
        (b"[" * 900 + b"]" * 900, "The JSON body is nested deeper than 32 levels."),
        # read to its end before the parser ran out of stack: malformed, at the end
        (b"[" * 900, "The JSON body is not valid JSON: Expecting value (line 1, column 901)."),
    ],
)
def test_json_nested_deep_is_refused(db, partner, body, detail):
    partner.raise_request_exception = False
    response = partner.post(MATCH, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": detail}


def test_malformed_json_is_a_400(db, partner):
    response = partner.post(MATCH, b'{"queries": [', content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["detail"]
    response = partner.post(MATCH, b'{"queries": [{"name": "\xff"}]}', content_type="application/json")
    assert response.status_code == 400


def test_match_needs_a_key(db):
    assert APIClient().post(MATCH, {"queries": [{"name": "x"}]}, format="json").status_code == 401


def test_a_request_over_the_word_budget_is_refused_naming_the_limit(published, partner):
    """100 names of 500 characters of common name parts (75 words each) took seconds of a
    worker; the request's names may have 1,000 words in all (MATCH_MAX_WORDS)."""
    common = " ".join(["Mohammad Hossein Ali Reza Bank Trading Company"] * 11)[:500]
    response = match(partner, *[{"name": common}] * 100)
    assert response.status_code == 400
    (message,) = response.json()["queries"]
    assert "7,500 words" in message and "at most 1,000" in message and "MATCH_MAX_WORDS" in message
    assert "several requests" in message  # what to do
    # 100 names of 10 words fit: the budget is the work, not the number of queries.
    ten_words = {"name": "Hossein Salami Mohammad Ali Reza Bagheri Trading Company Bank Tehran"}
    response = match(partner, *[ten_words] * 100, limit=1)
    assert response.status_code == 200 and len(response.json()["results"]) == 100


def test_one_key_has_a_word_budget_a_minute_and_other_keys_keep_theirs(published, partner, settings, steady_minute):
    """Requests within the per-request budget, repeated, could still keep the workers
    busy for one key: its words are counted per minute (MATCH_WORDS_PER_MINUTE)."""
    settings.MATCH_WORDS_PER_MINUTE = 10
    six_words = {"name": "Hossein Salami Mohammad Ali Reza Bagheri"}
    assert match(partner, six_words).status_code == 200
    refused = match(partner, six_words)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    detail = refused.json()["detail"]
    assert "6 words" in detail and "budget of 10 a minute" in detail and "MATCH_WORDS_PER_MINUTE" in detail
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiKey.objects.create_key('Other Bank')[1]}")
    assert match(other, six_words).status_code == 200
