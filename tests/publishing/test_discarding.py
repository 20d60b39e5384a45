"""Taking back unreviewed work: a curator discards a draft from its page or its change
set's, abandons a change set (drafts gone, published records back as published), and
sees when a reviewer sent a change set back."""

import pytest
from django.db import IntegrityError, connection, transaction
from pghistory.models import Context

from entities.models import Entity, Identifier, Name, Relationship
from publishing import discarding, documents, services
from publishing.models import ChangeSet, ChangeSetItem, Decision
from sanctions.models import SanctionAction, SanctionTarget
from sources import services as sources_services
from sources.models import Citation, Claim, Evidence
from tests.builders import admin_form_data, admin_url, change_page, citation, entity, form_errors, make_source

pytestmark = pytest.mark.django_db


def draft_with_names(users):
    """A never-published cited person with an alias and an identifier, in the curator's change set."""
    src = make_source()
    cite = citation(src, "Maj. Gen. Hossein Salami")
    person = entity("Hossein Salami", Entity.Kind.PERSON, cite)
    Name.objects.create(entity=person, value="H. Salami", type=Name.Type.ALIAS).citations.add(cite)
    Identifier.objects.create(entity=person, scheme="passport", value="P123").citations.add(cite)
    change_set = services.record_edit(users.curator, person)
    return person, cite, change_set


def test_a_curator_discards_a_draft_from_its_page(client, users):
    person, cite, change_set = draft_with_names(users)
    claims = [person.pk, *person.names.values_list("pk", flat=True), *person.identifiers.values_list("pk", flat=True)]
    client.force_login(users.curator)
    url = admin_url(Entity, "discard", person.pk)
    page = client.get(url).content.decode()
    assert "H. Salami" in page and "P123" in page  # what goes, listed before confirming
    response = client.post(url, {"reason": "Duplicate of an existing record"})
    assert response.status_code == 302
    assert not Entity.objects.filter(pk=person.pk).exists()
    assert not Claim.objects.filter(pk__in=claims).exists()
    assert not Evidence.objects.filter(claim_id__in=claims).exists()
    assert Citation.objects.filter(pk=cite.pk).exists()  # the citation stays
    assert not ChangeSetItem.objects.filter(record_id=person.public_id).exists()
    # The audit trail keeps the deleted entity, with who and why.
    event = person.entityevent_history.model.objects.get(pgh_obj_id=person.pk, pgh_label="delete")
    metadata = Context.objects.get(pk=event.pgh_context_id).metadata
    assert metadata["user"] == users.curator.pk
    assert "Duplicate of an existing record" in metadata["workflow"]


def test_a_draft_is_discarded_from_its_change_set_page(client, users):
    person, _, change_set = draft_with_names(users)
    client.force_login(users.curator)
    page = client.get(admin_url(ChangeSet, "change", change_set.pk)).content.decode()
    url = admin_url(Entity, "discard", person.pk)
    assert url in page
    client.post(url, {"reason": ""})
    assert not Entity.objects.filter(pk=person.pk).exists()


def test_a_published_record_is_never_discarded(client, users, published):
    services.record_edit(users.curator, published.person)  # an edit waits in a new change set
    client.force_login(users.curator)
    response = client.post(admin_url(Entity, "discard", published.person.pk), {"reason": "x"}, follow=True)
    assert "is published, so it can&#x27;t be discarded" in response.content.decode()
    assert Entity.objects.filter(pk=published.person.pk).exists()
    # The database refuses too, even to a statement that says it discards.
    with pytest.raises(IntegrityError, match="is published"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('sources.discard', 'on', true)")
            cursor.execute("DELETE FROM entities_entity WHERE claim_ptr_id = %s", [published.person.pk])


def test_a_draft_another_record_points_at_is_not_discarded(client, users, world):
    # The action that stays targets the person: discarding the person is refused, naming the action.
    client.force_login(users.curator)
    response = client.post(admin_url(Entity, "discard", world.person.pk), {"reason": "x"}, follow=True)
    assert f"is a target of sanction action {world.action.public_id}" in response.content.decode()
    assert Entity.objects.filter(pk=world.person.pk).exists()
    other = entity("IRGC", Entity.Kind.ORGANISATION, world.salami)
    Relationship.objects.create(subject=other, kind="associate_of", object=world.person).citations.add(world.salami)
    with pytest.raises(services.WorkflowError, match="object of a relationship of"):
        discarding.discard(users.curator, world.person)


def test_a_draft_sanction_action_goes_with_its_targets(users, world):
    discarding.discard(users.curator, world.action, "Not a designation")
    assert not Claim.objects.filter(pk__in=[world.action.pk, world.target.pk]).exists()
    assert Entity.objects.filter(pk=world.person.pk).exists()  # the target entity stays
    assert services.pending_keys(world.change_set) == [(documents.ENTITY, world.person.public_id)]
    discarding.discard(users.curator, world.person)  # nothing points at it any more
    assert services.pending_keys(world.change_set) == []


def test_only_an_editor_of_the_change_set_with_change_permission_discards(client, users):
    person, _, _ = draft_with_names(users)
    url = admin_url(Entity, "discard", person.pk)
    for user in (users.auditor, users.curator2, users.reviewer):
        client.force_login(user)
        assert client.post(url, {"reason": "x"}).status_code == 403, user
    assert Entity.objects.filter(pk=person.pk).exists()


def test_abandoning_discards_drafts_and_puts_published_records_back(client, users, published):
    person, action = published.person, published.action
    before = {
        key: head.content_hash
        for key, head in services.heads(
            [(documents.ENTITY, person.public_id), (documents.SANCTION, action.public_id)]
        ).items()
    }
    # Edits of both published records, and a new draft, in one change set.
    name = published.name
    name.value = "Hossein Salamy"
    name.save()
    Name.objects.create(entity=person, value="Salami", type=Name.Type.ALIAS).citations.add(published.salami)
    Evidence.objects.filter(claim=person).delete()
    action.summary = "Changed."
    action.save()
    action.targets.get().citations.clear()
    draft = entity("Amir Rezaei", Entity.Kind.PERSON, published.salami)
    # The published action now also targets the draft: reverting the action lets the draft go.
    SanctionTarget.objects.create(action=action, entity=draft).citations.add(published.eu)
    services.record_edit(users.curator, person)
    services.record_edit(users.curator, action)
    change_set = services.record_edit(users.curator, draft)
    revision = Entity.objects.get(pk=person.pk).revision

    client.force_login(users.curator)
    _, stale_page = change_page(client, Entity.objects.get(pk=person.pk))  # loaded before abandoning
    url = admin_url(ChangeSet, "abandon", change_set.pk)
    page = client.get(url).content.decode()
    assert "Amir Rezaei" in page or draft.public_id in page
    assert client.post(url, {"reason": "Wrong article"}).status_code == 302

    change_set.refresh_from_db()
    assert change_set.state == ChangeSet.State.ABANDONED
    decision = change_set.decisions.last()
    assert (decision.kind, decision.user, decision.comment) == (Decision.Kind.ABANDON, users.curator, "Wrong article")
    assert not Entity.objects.filter(pk=draft.pk).exists()
    drafts = services.draft_documents(list(before))
    assert {key: documents.content_hash(r.document) for key, r in drafts.items()} == before
    assert Entity.objects.get(pk=person.pk).revision == revision + 1  # a page loaded before is stale now
    assert not ChangeSetItem.objects.filter(pending=True, record_id=person.public_id).exists()
    # A save from a page loaded before is refused, naming who put the record back.
    refused = client.post(admin_url(Entity, "change", person.pk), admin_form_data(stale_page))
    assert "was saved by cora" in form_errors(refused)
    assert draft.public_id in client.get(admin_url(ChangeSet, "change", change_set.pk)).content.decode()
    # The records are free for a new change set.
    assert services.record_edit(users.curator, person).pk != change_set.pk


def test_a_record_whose_history_cannot_give_the_published_version_is_not_reverted(users, published):
    # An approval from before approvals kept where history stood: its time is the only cut,
    # and in this test's one transaction every event has the same time. The revert does not
    # give the published document, so nothing changes and the curator is told which record.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: the table can change
        cursor.execute("ALTER TABLE publishing_decision DISABLE TRIGGER decision_append_only")
        cursor.execute("UPDATE publishing_decision SET history_marks = NULL")
        cursor.execute("ALTER TABLE publishing_decision ENABLE TRIGGER decision_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    published.name.value = "Hossein Salamy"
    published.name.save()
    change_set = services.record_edit(users.curator, published.person)
    with pytest.raises(
        services.WorkflowError, match=f"could not be put back exactly as published.*{published.person.public_id}"
    ):
        discarding.abandon(change_set, users.curator, "Wrong article")
    assert Name.objects.get(pk=published.name.pk).value == "Hossein Salamy"
    assert ChangeSet.objects.get(pk=change_set.pk).state == ChangeSet.State.OPEN


def test_abandoning_is_for_the_change_sets_editors(client, users, world):
    client.force_login(users.curator2)
    response = client.post(admin_url(ChangeSet, "abandon", world.change_set.pk), {"reason": "x"})
    assert response.status_code == 403
    assert ChangeSet.objects.get(pk=world.change_set.pk).state == ChangeSet.State.OPEN
    assert SanctionAction.objects.filter(pk=world.action.pk).exists()


def test_a_rejected_set_can_be_abandoned(users, world):
    services.submit(world.change_set, users.curator)
    with pytest.raises(services.WorkflowError, match="only an open one .* lets you abandon it"):
        discarding.abandon(world.change_set, users.curator, "no")
    services.reject(world.change_set, users.reviewer, "Not what the article says.")
    discarding.abandon(world.change_set, users.curator, "Agreed")
    assert not Entity.objects.filter(pk=world.person.pk).exists()
    assert [d.kind for d in world.change_set.decisions.all()] == ["submit", "reject", "abandon"]
    with pytest.raises(IntegrityError, match="is abandoned; it is final"), transaction.atomic():
        ChangeSet.objects.filter(pk=world.change_set.pk).update(state=ChangeSet.State.OPEN)


# ---------------------------------------------------------------- notice of rejection


def test_the_curator_sees_a_rejection_once_and_on_the_home_page(client, users, world):
    services.submit(world.change_set, users.curator)
    services.reject(world.change_set, users.reviewer, "Cite the rank.")
    client.force_login(users.curator)
    page = client.get(admin_url(Entity, "changelist")).content.decode()
    assert f"Change set #{world.change_set.pk} was returned to you by rita" in page and "Cite the rank." in page
    home = client.get("/admin/").content.decode()
    returned = home[home.index('id="returned"') :]
    assert "Your change sets returned to you" in returned and "Cite the rank." in returned
    assert admin_url(ChangeSet, "change", world.change_set.pk) in returned
    client.get(admin_url(ChangeSet, "change", world.change_set.pk))  # opened: the banner has done its job
    assert "was returned to you" not in client.get(admin_url(Entity, "changelist")).content.decode()
    for other in (users.curator2, users.reviewer):
        client.force_login(other)
        assert "returned to you" not in client.get("/admin/").content.decode()


def test_a_curator_who_only_cited_in_a_set_neither_abandons_it_nor_discards_its_drafts(client, users):
    person, cite, change_set = draft_with_names(users)
    # curator2 cites one quote for the person: an editor of the set now
    sources_services.cite(cite.source, 0, 5, person, users.curator2)
    assert users.curator2.pk in services.editor_ids(change_set)
    client.force_login(users.curator2)
    assert client.post(admin_url(ChangeSet, "abandon", change_set.pk), {"reason": "x"}).status_code == 403
    assert client.post(admin_url(Entity, "discard", person.pk), {"reason": "x"}).status_code == 403
    assert Entity.objects.filter(pk=person.pk).exists()
    assert ChangeSet.objects.get(pk=change_set.pk).state == ChangeSet.State.OPEN
    page = client.get(admin_url(ChangeSet, "change", change_set.pk)).content.decode()
    assert "abandon-link" not in page


def test_abandoning_puts_back_a_translation_edited_in_the_set(users, published):
    person = published.person
    key = (documents.ENTITY, person.public_id)
    before = services.heads([key])[key].content_hash
    cited = published.salami
    cited.translation = "An edited translation."
    cited.save()
    sources_services.notify_claims_edited([person.pk], users.curator)
    change_set = services.pending_item(key).change_set
    assert documents.content_hash(services.draft_documents([key])[key].document) != before

    discarding.abandon(change_set, users.curator, "Wrong translation")
    assert Citation.objects.get(pk=cited.pk).translation == ""
    assert documents.content_hash(services.draft_documents([key])[key].document) == before
