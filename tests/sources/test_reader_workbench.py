"""The reader as a workbench: one selection citing several claims, records created
from a selection (cited, in the curator's change set), and the checklist of the
curator's uncited claims. The posts are what reader.js sends."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entities.models import Entity, Name, Person
from publishing.models import ChangeSet, ChangeSetItem
from publishing.services import record_key
from sanctions.models import Authority, SanctionAction
from sources import checklist as checklist_module
from sources.models import Citation, Evidence
from tests.builders import citation, entity, person, source

pytestmark = pytest.mark.django_db

TEXT = (
    "Washington. The Treasury designated Amir Rezaei and Kavir Drone Industries on Monday, "
    "freezing all their assets in the United States. Rezaei denied it."
)


def utf16(text):
    return len(text.encode("utf-16-le")) // 2


def selection(src, phrase):
    start = src.text.index(phrase)
    return {
        "start_utf16": utf16(src.text[:start]),
        "end_utf16": utf16(src.text[: start + len(phrase)]),
        "quote": phrase,
        "text_sha256": src.text_sha256,
    }


def cite(client, src, phrase, *claims):
    data = {**selection(src, phrase), "claim": [str(c) for c in claims]}
    return client.post(reverse("admin:sources_source_cite", args=[src.pk]), data)


def create(client, src, phrase, what, **extra):
    data = {**selection(src, phrase), "what": what, **extra}
    return client.post(reverse("admin:sources_source_create_from_selection", args=[src.pk]), data)


def in_change_set_of(record, user):
    key = record_key(record)
    item = ChangeSetItem.objects.filter(record_type=key[0], record_id=key[1], pending=True).get()
    return item.change_set.created_by == user and item.change_set.state == ChangeSet.State.OPEN


@pytest.fixture
def src(curator):
    return source(text=TEXT, title="Treasury")


# ------------------------------------------------------------- several claims at once


def test_one_selection_backs_several_claims_in_one_citation(role_client, src):
    rezaei = person("Amir Rezaei")
    name = rezaei.names.get()
    response = cite(role_client("curator"), src, "Amir Rezaei", rezaei.pk, name.pk)
    assert response.status_code == 201, response.content
    stored = Citation.objects.get()
    assert stored.quote == "Amir Rezaei"
    assert {e.claim_id for e in Evidence.objects.filter(citation=stored)} == {rezaei.pk, name.pk}
    assert response.json()["message"] == f"“Amir Rezaei” now backs entity {rezaei}; name Amir Rezaei."


def test_one_bad_claim_saves_nothing_and_is_named(role_client, src):
    rezaei = person("Amir Rezaei")
    gone = person("Someone Else")
    gone.deprecated_reason = "Duplicate."
    gone.save()
    client = role_client("curator")
    response = cite(client, src, "Amir Rezaei", rezaei.pk, gone.pk)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "claim": [f"Claim {gone.pk} ({gone}) is deprecated; reinstate it before citing it."]
    }
    response = cite(client, src, "Amir Rezaei", rezaei.pk, "x7")
    assert response.json()["errors"] == {"claim": ["'x7' names no claim."]}
    assert not Citation.objects.exists() and not Evidence.objects.exists()


def test_citing_many_claims_of_one_record_edits_the_record_once(role_client, src, curator):
    # Eight targets' measures of one action, cited by one selection: the same queries as
    # one, and one revision of the action (not one per claim).
    from publishing.models import RecordRevision

    ofac = Authority.objects.create(name="Office of Foreign Assets Control", short_name="OFAC", country="US")
    client = role_client("curator")
    people = [person(f"Person Number{i}", created_by=curator) for i in range(8)]
    fields = {"authority": ofac.pk, "kind": "designation", "status": "in_force"}
    create(
        client,
        src,
        "The Treasury designated",
        "sanctionaction",
        **fields,
        targets=[p.pk for p in people],
        measures=["asset_freeze"],
    )
    action = SanctionAction.objects.get()
    refs = [f"{t.pk}:measures:asset_freeze" for t in action.targets.order_by("pk")]
    revisions = RecordRevision.objects.filter(record_id=action.public_id)
    before = revisions.count()
    with CaptureQueriesContext(connection) as one:
        assert cite(client, src, "on Monday", refs[0]).status_code == 201
    assert revisions.count() == before + 1
    with CaptureQueriesContext(connection) as seven:
        assert cite(client, src, "freezing all their assets", *refs[1:]).status_code == 201
    assert revisions.count() == before + 2
    # nothing runs per claim cited (it took 7 more queries a claim): the few more are the
    # article part drawn anew, with twice the cited spans
    assert len(seven) <= len(one) + 12


def test_a_cite_answers_with_the_article_drawn_anew(role_client, src):
    rezaei = person("Amir Rezaei")
    body = cite(role_client("curator"), src, "Amir Rezaei", rezaei.pk).json()
    stored = Citation.objects.get()
    assert f'data-citations="{stored.pk}">Amir Rezaei</span>' in body["view"]["article"]
    assert body["view"]["citations"][str(stored.pk)]["quote"] == "Amir Rezaei"


# ------------------------------------------------------------ creating from a selection


def test_a_new_person_is_created_with_its_name_cited_in_the_curators_change_set(role_client, src, curator):
    response = create(role_client("curator"), src, "Amir Rezaei", "person")
    assert response.status_code == 201, response.content
    entity = Entity.objects.get()
    name = entity.names.get()
    assert (entity.kind, name.value, name.type, entity.created_by, name.created_by) == (
        "person",
        "Amir Rezaei",
        "primary",
        curator,
        curator,
    )
    stored = Citation.objects.get()
    assert stored.quote == "Amir Rezaei"
    assert {e.claim_id for e in stored.evidence.all()} == {entity.pk, name.pk}
    assert in_change_set_of(entity, curator)
    body = response.json()
    assert body["record"]["pk"] == entity.pk and body["record"]["type"] == "entity"
    assert f'data-citations="{stored.pk}">Amir Rezaei</span>' in body["view"]["article"]
    # the way on: the curator's change set, which now holds the person, to submit
    change_set = ChangeSet.objects.get(created_by=curator)
    link = reverse("admin:publishing_changeset_change", args=[change_set.pk])
    assert f'href="{link}#submit"' in body["view"]["checklist_html"]
    assert "1 record ·" in " ".join(body["view"]["checklist_html"].split())


def test_a_new_organisation_is_refused_while_a_likely_duplicate_exists_unless_confirmed(role_client, src):
    kavir = entity("Kavir Drone Industries", Entity.Kind.ORGANISATION)
    client = role_client("curator")
    response = create(client, src, "Kavir Drone Industries", "organisation")
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"confirm_new"}
    assert [(c["pk"], c["score"]) for c in body["candidates"]] == [(kavir.pk, 1.0)]
    assert Entity.objects.count() == 1 and not Citation.objects.exists()

    response = create(client, src, "Kavir Drone Industries", "organisation", confirm_new="1")
    assert response.status_code == 201, response.content
    assert Entity.objects.filter(kind="organisation", names__value="Kavir Drone Industries").count() == 2


def test_words_become_a_name_of_an_existing_entity_cited(role_client, src, curator):
    rezaei = person("Amir Rezaei")
    response = create(role_client("curator"), src, "Rezaei", "name", entity=rezaei.pk)
    assert response.status_code == 201, response.content
    name = rezaei.names.get(value="Rezaei")
    assert name.type == "alias"
    assert list(Citation.objects.get().evidence.values_list("claim_id", flat=True)) == [name.pk]
    assert in_change_set_of(rezaei, curator)

    response = create(role_client("curator"), src, "Rezaei", "name", entity="")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"entity"}
    # a deprecated name is reinstated on the entity's page, not added twice
    name.deprecated_reason = "Misread."
    name.save()
    response = create(role_client("curator"), src, "Rezaei", "name", entity=rezaei.pk)
    assert response.status_code == 400 and "reinstate it" in response.json()["errors"]["entity"][0]


def test_a_sanction_action_is_created_with_the_selection_cited(role_client, src, curator):
    ofac = Authority.objects.create(name="Office of Foreign Assets Control", short_name="OFAC", country="US")
    client = role_client("curator")
    phrase = "The Treasury designated"
    response = create(client, src, phrase, "sanctionaction", authority=ofac.pk, kind="designation", status="in_force")
    assert response.status_code == 201, response.content
    action = SanctionAction.objects.get()
    # the summary defaults to the sentence stating the action
    assert action.summary == (
        "The Treasury designated Amir Rezaei and Kavir Drone Industries on Monday, "
        "freezing all their assets in the United States."
    )
    assert (action.authority, action.kind, action.status, action.created_by) == (
        ofac,
        "designation",
        "in_force",
        curator,
    )
    assert list(Citation.objects.get(quote=phrase).evidence.values_list("claim_id", flat=True)) == [action.pk]
    assert in_change_set_of(action, curator)

    response = create(client, src, "on Monday", "sanctionaction", authority="", kind="nonsense", status="in_force")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"authority", "kind"}
    assert SanctionAction.objects.count() == 1


def test_creating_needs_the_permissions_on_the_server(role_client, src):
    rezaei = person("Amir Rezaei")
    for role in ("reviewer", "auditor"):
        client = role_client(role)
        for what, extra in (("person", {}), ("name", {"entity": rezaei.pk}), ("sanctionaction", {})):
            response = create(client, src, "Amir Rezaei", what, **extra)
            assert response.status_code == 403, (role, what)
    assert Entity.objects.count() == 1 and not Name.objects.filter(value="Rezaei").exists()
    assert not Citation.objects.exists()


def test_the_selection_endpoint_guesses_the_kind_and_lists_candidates(role_client, src):
    kavir = entity("Kavir Drone Industries", Entity.Kind.ORGANISATION)
    client = role_client("curator")
    url = reverse("admin:sources_source_selection", args=[src.pk])
    body = client.get(url, {"words": "Kavir Drone Industries"}).json()
    assert body["kind"] == "organisation"
    assert [c["pk"] for c in body["candidates"]] == [kavir.pk]


# ------------------------------------------------------------------- the checklist


def checklist(client, src):
    return client.get(reverse("admin:sources_source_read_part", args=[src.pk])).json()["checklist"]


def test_the_checklist_lists_the_curators_own_uncited_claims_until_cited(role_client, src, curator, make_user):
    rezaei = person("Amir Rezaei", created_by=curator)
    person("Someone Else's", created_by=make_user("curator", username="carl"))
    cited = person("Kavir Drone Industries", created_by=curator, cite=citation(src, "Kavir Drone Industries"))
    client = role_client("curator")
    html = client.get(reverse("admin:sources_source_read", args=[src.pk])).content.decode()
    assert "Still to cite" in html and "Amir Rezaei" in html
    listed = checklist(client, src)
    assert [r["pk"] for r in listed] == [rezaei.pk]  # not carl's, not the cited one
    assert cited.pk not in [r["pk"] for r in listed]

    body = cite(client, src, "Amir Rezaei", rezaei.pk).json()
    # the name is still uncited: the entity's entry is gone, the name's remains
    assert f'data-claim="{rezaei.pk}"' not in body["view"]["checklist_html"]
    assert f'data-claim="{rezaei.names.get().pk}"' in body["view"]["checklist_html"]
    cite(client, src, "Amir Rezaei", rezaei.names.get().pk)
    assert checklist(client, src) == []


def test_the_reader_runs_the_same_queries_for_one_or_many_uncited_claims(
    role_client, src, curator, django_assert_num_queries
):
    client = role_client("curator")
    url = reverse("admin:sources_source_read", args=[src.pk])
    person("Amir Rezaei", created_by=curator)
    with CaptureQueriesContext(connection) as baseline:
        client.get(url)
    for i in range(8):
        person(f"Person Number{i}", created_by=curator)
    with django_assert_num_queries(len(baseline)):
        html = client.get(url).content.decode()
    assert html.count('class="checklist-entry"') == 18  # each person and its name


def test_a_name_alone_reads_as_a_person(role_client, src):
    url = reverse("admin:sources_source_selection", args=[src.pk])
    assert role_client("curator").get(url, {"words": "Amir Rezaei"}).json()["kind"] == "person"


def test_the_checklist_lists_a_published_value_until_its_own_words_are_cited(role_client, src, curator):
    rezaei = person("Amir Rezaei", created_by=curator)
    Person.objects.create(entity=rezaei, birth_date="1961")
    client = role_client("curator")
    html = cite(client, src, "Amir Rezaei", rezaei.pk).json()["view"]["checklist_html"]
    assert f'data-claim="{rezaei.pk}:birth_date"' in html and "birth date: 1961" in html

    cite(client, src, "Kavir", f"{rezaei.pk}:birth_date")
    html = cite(client, src, "Amir Rezaei", rezaei.names.get().pk).json()["view"]["checklist_html"]
    assert "birth_date" not in html
    assert checklist(client, src) == []


def test_a_sanction_action_is_created_with_its_targets_and_their_measures_waiting_for_words(role_client, src, curator):
    ofac = Authority.objects.create(name="Office of Foreign Assets Control", short_name="OFAC", country="US")
    rezaei = person("Amir Rezaei", created_by=curator)
    kavir = entity("Kavir Drone Industries", Entity.Kind.ORGANISATION)
    client = role_client("curator")
    phrase = "The Treasury designated Amir Rezaei and Kavir Drone Industries"
    fields = {"authority": ofac.pk, "kind": "designation", "status": "in_force"}
    response = create(
        client, src, phrase, "sanctionaction", **fields, targets=[rezaei.pk, kavir.pk], measures=["asset_freeze"]
    )
    assert response.status_code == 201, response.content
    action = SanctionAction.objects.get()
    targets = {t.entity_id: t for t in action.targets.all()}
    assert set(targets) == {rezaei.pk, kavir.pk}
    assert all(t.measures == ["asset_freeze"] for t in targets.values())
    # the words back the action and each target; each measure waits for its own words
    backed = set(Citation.objects.get(quote=phrase).evidence.values_list("claim_id", "property"))
    assert backed == {(action.pk, ""), (targets[rezaei.pk].pk, ""), (targets[kavir.pk].pk, "")}
    html = client.get(reverse("admin:sources_source_read", args=[src.pk])).content.decode()
    for target in targets.values():
        assert f'data-claim="{target.pk}:measures:asset_freeze"' in html

    # one selection then cites the measure of both targets
    refs = [f"{t.pk}:measures:asset_freeze" for t in targets.values()]
    assert cite(client, src, "freezing all their assets", *refs).status_code == 201
    html = client.get(reverse("admin:sources_source_read", args=[src.pk])).content.decode()
    for target in targets.values():
        assert f'data-claim="{target.pk}:measures:asset_freeze"' not in html

    response = create(client, src, "on Monday", "sanctionaction", **fields, targets=["999999"], measures=["nonsense"])
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"targets", "measures"}
    response = create(client, src, "on Monday", "sanctionaction", **fields, measures=["travel_ban"])
    assert response.status_code == 400 and "tick the targeted entities" in response.json()["errors"]["measures"][0]
    assert SanctionAction.objects.count() == 1


def test_the_checklist_finds_a_record_whose_claims_are_cited_but_a_value_is_not(role_client, src, curator, monkeypatch):
    rezaei = person("Amir Rezaei", created_by=curator, cite=citation(src, "Amir Rezaei"))
    Person.objects.create(entity=rezaei, birth_date="1961", nationalities=["IR", "IQ"])
    client = role_client("curator")
    assert [r["pk"] for r in checklist(client, src)] == [rezaei.pk]
    # one value cited, the others still listed
    cite(client, src, "Monday", f"{rezaei.pk}:birth_date")
    html = client.get(reverse("admin:sources_source_read", args=[src.pk])).content.decode()
    assert f'data-claim="{rezaei.pk}:nationalities:IQ"' in html and f'data-claim="{rezaei.pk}:birth_date"' not in html
    # records with nothing left to cite don't crowd out an uncited claim
    Name.objects.create(entity=rezaei, value="Rezai", created_by=curator)
    treasury = citation(src, "Treasury")
    for i in range(3):
        entity(f"Cited Company{i}", Entity.Kind.ORGANISATION, created_by=curator, cite=treasury)
    monkeypatch.setattr(checklist_module, "LIMIT", 2)
    assert rezaei.pk in [r["pk"] for r in checklist(client, src)]


def test_a_likely_new_entity_whose_words_are_cited_for_an_entity_is_not_offered_as_new(role_client, curator):
    src = source(text="The Treasury named his firm, Sepehr Parts Trading Co., on Tuesday.", title="Treasury")
    client = role_client("curator")
    html = client.get(reverse("admin:sources_source_read", args=[src.pk])).content.decode()
    assert "Sepehr Parts Trading Co" in html and "new-entity-recorded" not in html  # offered as new

    # created from the words with the full stop: the suggestion (without it) is that entity
    response = create(client, src, "Sepehr Parts Trading Co.", "organisation")
    assert response.status_code == 201, response.content
    sepehr = Entity.objects.get()
    mentions = response.json()["view"]["mentions_html"]
    assert "new-entity-recorded" in mentions and sepehr.public_id in mentions
    assert "new-entity-add" not in mentions
