"""Partner API: the sources published documents cite."""

import hashlib

from tests.builders import cited_entity, make_source, publish_edits

SOURCES = "/api/v1/sources/"


def test_only_sources_cited_by_published_documents_are_listed(published, partner):
    uncited = make_source(text="Another article nobody cited.", title="Other")
    listed = [s["id"] for s in partner.get(SOURCES).json()["results"]]
    assert listed == [published.src.public_id]
    assert partner.get(f"{SOURCES}{uncited.public_id}/").status_code == 404


def test_unpublished_citations_do_not_publish_a_source(world, partner):
    assert partner.get(SOURCES).json()["results"] == []


def test_a_source_has_its_text_hash_and_the_published_citations_into_it(published, partner):
    body = partner.get(f"{SOURCES}{published.src.public_id}/").json()
    text = body["text"]
    assert body["sha256"] == hashlib.sha256(text.encode()).hexdigest() == published.src.text_sha256
    assert body["length"] == len(text) and body["title"] == "Iran's Guard warns over sanctions"
    for c in body["citations"]:
        assert text[c["start"] : c["end"]] == c["quote"]
    by_claim = {(c["record_id"], c["claim"]) for c in body["citations"]}
    person, action = published.person.public_id, published.action.public_id
    assert (person, person) in by_claim  # the entity itself
    assert (person, f"clm_{published.name.pk}") in by_claim
    assert (action, f"clm_{published.target.pk}") in by_claim


def test_article_text_goes_out_as_data_never_markup(users, partner):
    src = make_source(text='Sanctioned: <script>alert(1)</script> "><img src=x onerror=alert(1)> Acme Ltd')
    entity = cited_entity(src, "Acme Ltd")
    publish_edits(users, entity)
    response = partner.get(f"{SOURCES}{src.public_id}/")
    assert response["Content-Type"] == "application/json"
    assert response.json()["text"] == src.text


def test_a_source_points_only_at_published_corrections_and_originals(published, users, partner):
    # a correction waiting for its citations to be published: not shown as superseding yet
    correction = make_source(text=published.src.text + " Corrected.", supersedes=published.src)
    body = partner.get(f"{SOURCES}{published.src.public_id}/").json()
    assert body["superseded_by"] is None
    assert partner.get(f"{SOURCES}{correction.public_id}/").status_code == 404

    # a published correction of a source no published document cites (any more)
    draft = make_source(text="An early draft.")
    fixed = make_source(text="Sanctioned: Acme Ltd", supersedes=draft)
    publish_edits(users, cited_entity(fixed, "Acme Ltd"))
    listed = {s["id"]: s for s in partner.get(SOURCES).json()["results"]}
    assert listed[fixed.public_id]["supersedes"] is None
    assert partner.get(f"{SOURCES}{draft.public_id}/").status_code == 404

    # once both ends are published, each points at the other
    publish_edits(users, cited_entity(draft, "early draft"))
    body = partner.get(f"{SOURCES}{draft.public_id}/").json()
    assert body["superseded_by"] == fixed.public_id
    assert partner.get(f"{SOURCES}{fixed.public_id}/").json()["supersedes"] == draft.public_id
