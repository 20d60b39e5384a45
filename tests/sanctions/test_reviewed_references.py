"""Authorities and programmes reach partners inside sanction documents, so they pass
review like the actions: an edit waits in a change set, partners keep seeing the
published version until a second person approves it, and a stale page can't
overwrite someone else's save."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client

from core import history
from entities.models import Entity
from publishing import services
from publishing.models import ChangeSet, PublishedVersion
from sanctions.models import Authority, Programme, SanctionAction
from sources.models import Citation
from tests.builders import admin_form_data, approve_now, change_page, cite_properties, post_change, publish_edits

SANCTIONS = "/api/v1/sanctions/"
ENTITIES = "/api/v1/entities/"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def rename(user, authority, name):
    response = post_change(client_for(user), authority, name=name)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return ChangeSet.objects.get(items__record_id=authority.public_id, items__pending=True)


def stale_save_errors(users, obj, field, theirs, mine):
    """The curator opens obj's page; curator2 saves ``theirs`` meanwhile; the curator's
    save of ``mine`` from the stale page: its errors (the save must be refused)."""
    url, page = change_page(client_for(users.curator), obj)
    stale = admin_form_data(page)
    assert post_change(client_for(users.curator2), obj, **{field: theirs}).status_code == 302
    stale[field] = mine
    response = client_for(users.curator).post(url, stale)
    assert response.status_code == 200
    return " ".join(response.context["adminform"].form.non_field_errors())


def test_a_renamed_authority_waits_for_review_and_an_unrelated_approval_does_not_publish_it(published, users, partner):
    authority = published.action.authority
    rename_set = rename(users.curator, authority, "Renamed Council")
    assert rename_set.created_by == users.curator
    assert Authority.objects.get(pk=authority.pk).revision == 2

    # Another curator edits the action; a reviewer approves that change set.
    published.action.summary = "The EU listed the aerospace unit of the Guard."
    published.action.save()
    other_set = services.record_edit(users.curator2, published.action)
    assert other_set != rename_set
    services.submit(other_set, users.curator2)
    approve_now(other_set, users.reviewer)

    # Partners see the new summary and still the published name of the authority.
    document = partner.get(f"{SANCTIONS}{published.action.public_id}/").json()
    assert document["summary"] == "The EU listed the aerospace unit of the Guard."
    assert document["authority"] == {
        "id": authority.public_id,
        "name": "Council of the European Union",
        "short_name": "EU Council",
        "country": "",
    }
    entity = partner.get(f"{ENTITIES}{published.person.public_id}/").json()
    assert entity["sanctions"][0]["authority"] == "Council of the European Union"
    # The filter knows the published name, not the draft.
    assert partner.get(ENTITIES, {"authority": "Council of the European Union"}).json()["results"]
    assert partner.get(ENTITIES, {"authority": "Renamed Council"}).status_code == 400


def test_approving_a_rename_republishes_every_action_showing_it_without_their_own_drafts(published, users, partner):
    authority = published.action.authority
    # The action has an unreviewed edit of its own in another curator's change set.
    published.action.summary = "Not reviewed yet."
    published.action.save()
    action_set = services.record_edit(users.curator2, published.action)
    rename_set = rename(users.curator, authority, "Renamed Council")
    assert action_set != rename_set

    services.submit(rename_set, users.curator)
    approve_now(rename_set, users.reviewer)

    document = partner.get(f"{SANCTIONS}{published.action.public_id}/").json()
    assert document["authority"]["name"] == "Renamed Council"
    assert document["summary"] == "The EU listed the Guard's aerospace unit."  # its own edit still waits
    assert document["version"] == 2
    entity = partner.get(f"{ENTITIES}{published.person.public_id}/").json()
    assert entity["sanctions"][0]["authority"] == "Renamed Council"
    assert partner.get(ENTITIES, {"authority": "Renamed Council"}).json()["results"]
    assert partner.get(ENTITIES, {"authority": "Council of the European Union"}).status_code == 400
    # The feed carries the republished action and entity, not the authority as a record.
    feed = partner.get("/api/v1/changes/").json()["results"]
    assert {c["record_type"] for c in feed} == {"entity", "sanction"}
    assert PublishedVersion.objects.filter(record_type="authority", record_id=authority.public_id).count() == 2


def test_a_curator_who_is_also_a_reviewer_cannot_publish_their_own_rename(published, users):
    users.reviewer.groups.add(*users.curator.groups.all())
    both = get_user_model().objects.get(pk=users.reviewer.pk)  # its permissions afresh
    rename_set = rename(both, published.action.authority, "Self-approved Council")
    services.submit(rename_set, both)
    response = client_for(both).post(
        f"/admin/publishing/changeset/{rename_set.pk}/approve/",
        {"revisions": json.dumps({f"authority:{published.action.authority.public_id}": 2})},
    )
    assert response.status_code == 403
    assert "someone else must review it" in response.content.decode()
    assert not PublishedVersion.objects.filter(change_set=rename_set).exists()


def test_a_programme_rename_and_a_new_programme_pass_review(published, users, partner):
    programme = Programme.objects.create(authority=published.action.authority, name="Iran human rights", code="IR")
    published.action.programme = programme
    published.action.save()
    publish_edits(users, published.action)  # the new programme is published with the action
    assert partner.get(f"{SANCTIONS}{published.action.public_id}/").json()["programme"] == {
        "id": programme.public_id,
        "name": "Iran human rights",
        "code": "IR",
    }
    response = post_change(client_for(users.curator), programme, name="Iran: human rights")
    assert response.status_code == 302
    assert partner.get(f"{SANCTIONS}{published.action.public_id}/").json()["programme"]["name"] == "Iran human rights"
    change_set = ChangeSet.objects.get(items__record_id=programme.public_id, items__pending=True)
    services.submit(change_set, users.curator)
    approve_now(change_set, users.reviewer)
    assert partner.get(f"{SANCTIONS}{published.action.public_id}/").json()["programme"]["name"] == (
        "Iran: human rights"
    )


def test_an_action_cannot_be_published_with_an_authority_waiting_in_another_change_set(world, users):
    authority = Authority.objects.create(name="Office of Foreign Assets Control", short_name="OFAC", country="US")
    rename(users.curator2, authority, "OFAC (US Treasury)")  # never published, waiting for review
    world.action.authority = authority
    world.action.save()
    services.record_edit(users.curator, world.action)
    with pytest.raises(services.WorkflowError, match=rf"authority {authority.public_id} .* waits for review"):
        services.submit(world.change_set, users.curator)


@pytest.mark.parametrize("model", [Authority, Programme])
def test_a_stale_authority_or_programme_page_is_refused_naming_who_saved(published, users, model):
    obj = published.action.authority
    if model is Programme:
        obj = Programme.objects.create(authority=obj, name="Iran human rights")
        published.action.programme = obj
        published.action.save()
        publish_edits(users, published.action)
    errors = stale_save_errors(users, obj, "name", "Their name", "My name")
    assert f"saved by {users.curator2.username}" in errors and "'Their name'" in errors
    assert model.objects.get(pk=obj.pk).name == "Their name"


def test_a_stale_citation_translation_is_refused_naming_who_saved(published, users):
    citation = published.salami
    errors = stale_save_errors(users, citation, "translation", "Their translation", "My translation")
    assert f"saved by {users.curator2.username}" in errors and "Reload the page" in errors
    assert Citation.objects.get(pk=citation.pk).translation == "Their translation"


def test_the_stale_save_message_names_only_what_the_other_curator_changed(published, users):
    person = published.person
    url, page = change_page(client_for(users.curator), person)
    stale = admin_form_data(page)
    # Meanwhile another curator edits only the notes, and a new action targeting the
    # person is published (which changes the person's draft sanctions section).
    assert post_change(client_for(users.curator2), person, notes="Checked the spelling.").status_code == 302
    action = SanctionAction.objects.create(
        authority=published.action.authority,
        kind=SanctionAction.Kind.DESIGNATION,
        status=SanctionAction.Status.IN_FORCE,
        summary="Another listing.",
    )
    action.citations.add(published.eu)
    target = action.targets.create(entity=person, measures=["travel_ban"])
    target.citations.add(published.eu)
    cite_properties(target, published.eu)
    publish_edits(users, action)

    stale["notes"] = "My notes"
    response = client_for(users.curator).post(url, stale)
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert f"saved by {users.curator2.username}" in errors
    assert "sanctions" not in errors and "they changed nothing partners see" in errors
    assert Entity.objects.get(pk=person.pk).notes == "Checked the spelling."


def test_a_new_programme_published_with_an_authority_edit_is_shown_only_by_its_own_actions(published, users, partner):
    # A second published action of the same authority, with no programme.
    other = SanctionAction.objects.create(
        authority=published.action.authority,
        kind=SanctionAction.Kind.THREAT,
        status=SanctionAction.Status.THREATENED,
        summary="The EU threatened more measures.",
    )
    other.citations.add(published.eu)
    publish_edits(users, other)
    # One change set: the authority's short name edited and a new programme of it.
    rename_set = rename(users.curator, published.action.authority, "Council of the EU")
    programme = Programme.objects.create(authority=published.action.authority, name="Iran drones", code="IRD")
    post_change(client_for(users.curator), programme, code="IR-D")
    assert ChangeSet.objects.get(items__record_id=programme.public_id) == rename_set
    services.submit(rename_set, users.curator)
    approve_now(rename_set, users.reviewer)

    for action in (published.action, other):
        document = partner.get(f"{SANCTIONS}{action.public_id}/").json()
        assert document["authority"]["name"] == "Council of the EU"
        assert document["programme"] is None  # neither shows a programme it never had
    assert partner.get(ENTITIES, {"programme": "Iran drones"}).json()["results"] == []


def test_whoever_wrote_an_authority_taken_into_review_may_not_approve_it(world, users):
    with history.context(user=users.reviewer.pk):  # e.g. written by a script run as the reviewer
        authority = Authority.objects.create(name="Office of Foreign Assets Control", short_name="OFAC")
    world.action.authority = authority
    world.action.save()
    services.record_edit(users.curator, world.action)
    services.submit(world.change_set, users.curator)
    assert (("authority", authority.public_id)) in services.pending_keys(world.change_set)
    with pytest.raises(PermissionDenied, match="someone else must review it"):
        approve_now(world.change_set, users.reviewer)
    approve_now(world.change_set, users.reviewer2)
