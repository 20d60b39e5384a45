"""The review workflow through its services, and the rules the database enforces itself."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from entities.models import Entity, Name
from publishing import services
from publishing.documents import canonical_json
from publishing.models import ChangeSet, ChangeSetEditor, PublishedRecord, PublishedVersion
from sanctions.models import Authority, Programme, SanctionAction
from tests.builders import approve_now, publish_edits


def fresh(user):
    """The user re-read, as on their next request (permissions are cached per object)."""
    return type(user).objects.get(pk=user.pk)


def forge_version(change_set, approver, record_id):
    """A published row written by hand, not by approval."""
    return PublishedVersion.objects.create(
        record_type="entity",
        record_id=record_id,
        version=1,
        operation="upsert",
        document={},
        content_hash="0" * 64,
        change_set=change_set,
        approved_by=approver,
        published_at=change_set.created_at,
    )


def head(record_id):
    return PublishedRecord.objects.get(record_id=record_id)


def test_an_edit_is_not_public_until_a_second_person_approves(world, users):
    assert not PublishedVersion.objects.exists()
    services.submit(world.change_set, users.curator)
    assert not PublishedVersion.objects.exists()

    approve_now(world.change_set, users.reviewer)

    person = head(world.person.public_id)
    assert person.version == 1 and person.operation == "upsert"
    assert [n["value"] for n in person.document["names"]] == ["Hossein Salami"]
    # Every claim carries its citations: source id, offsets, exact quote, translation.
    assert person.document["names"][0]["citations"] == [
        {
            "source": world.src.public_id,
            "start": world.salami.start,
            "end": world.salami.end,
            "quote": "Maj. Gen. Hossein Salami",
            "translation": "",
        }
    ]
    # The entity's sanctions section comes from the published action.
    assert person.document["sanctions"][0]["action"] == world.action.public_id
    assert person.document["sanctions"][0]["measures"] == ["asset_freeze"]
    version = PublishedVersion.objects.get(record_id=world.action.public_id)
    assert (version.approved_by, version.change_set) == (users.reviewer, world.change_set)
    world.change_set.refresh_from_db()
    assert world.change_set.state == ChangeSet.State.PUBLISHED
    assert list(world.change_set.decisions.values_list("kind", "user__username")) == [
        ("submit", "cora"),
        ("approve", "rita"),
    ]


def test_sequence_numbers_grow_in_publication_order(published, users):
    first = list(PublishedVersion.objects.values_list("seq", flat=True))
    published.name.value = "Hossein Salamy"
    published.name.save()
    publish_edits(users, published.person)
    later = PublishedVersion.objects.get(record_id=published.person.public_id, version=2)
    assert later.seq > max(first)


def test_self_approval_is_refused_by_the_service(world, users):
    services.submit(world.change_set, users.curator)
    # Holding both roles doesn't help: whoever edited a record of the set can't approve it.
    users.curator.groups.add(*users.reviewer.groups.all())
    with pytest.raises(PermissionDenied, match="someone else must review"):
        approve_now(world.change_set, fresh(users.curator))
    users.reviewer.groups.add(*users.curator.groups.all())
    world.name.value = "Hossein Salamy"
    world.name.save()
    services.record_edit(fresh(users.reviewer), world.person)
    with pytest.raises(PermissionDenied, match="someone else must review"):
        approve_now(world.change_set, fresh(users.reviewer))
    assert not PublishedVersion.objects.exists()


def test_self_approval_is_refused_by_the_database(world, users):
    services.submit(world.change_set, users.curator)
    ChangeSetEditor.objects.get_or_create(change_set=world.change_set, user=users.reviewer)
    with pytest.raises(IntegrityError, match="four eyes"), transaction.atomic():
        ChangeSet.objects.filter(pk=world.change_set.pk).update(approved_by=users.reviewer)
    with pytest.raises(IntegrityError, match="four eyes"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('publishing.writer', 'approve', true)")
        forge_version(world.change_set, users.reviewer, world.person.public_id)
    # Nor through approval's own (COPY) append, called past the services' checks.
    with pytest.raises(IntegrityError, match="four eyes"), transaction.atomic():
        services.publish([("entity", world.person.public_id)], world.change_set, users.reviewer)
    assert not PublishedVersion.objects.exists()
    # Nor can an editor be struck off the list first.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ChangeSetEditor.objects.filter(change_set=world.change_set).delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE publishing_publishedversion SET document = '{}'",
        "DELETE FROM publishing_publishedversion",
        "TRUNCATE publishing_publishedversion CASCADE",
        "DELETE FROM publishing_publishedrecord",
        "UPDATE publishing_publishedrecord SET version = 9",
    ],
)
def test_published_rows_refuse_update_and_delete(published, sql):
    before = list(PublishedVersion.objects.values_list("seq", "content_hash"))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        # The test's own transaction holds deferred FK checks, which TRUNCATE won't wait for.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL publishing.maintenance = 'off'")  # tests run with it on: conftest
        cursor.execute(sql)
    assert list(PublishedVersion.objects.values_list("seq", "content_hash")) == before


def test_published_versions_are_written_only_by_approval(published, users):
    with pytest.raises(IntegrityError, match="only by approving"), transaction.atomic():
        forge_version(published.change_set, users.reviewer2, "ent_forged")


def test_an_edit_waiting_for_review_leaves_the_published_document_byte_identical(published, users):
    before = canonical_json(head(published.person.public_id).document)
    published.name.value = "Hossein Salamy"
    published.name.save()
    cs = services.record_edit(users.curator, published.person)
    services.submit(cs, users.curator)
    assert canonical_json(head(published.person.public_id).document) == before
    assert PublishedVersion.objects.filter(record_id=published.person.public_id).count() == 1

    approve_now(cs, users.reviewer)
    assert head(published.person.public_id).document["names"][0]["value"] == "Hossein Salamy"


def test_publishing_an_action_does_not_leak_its_targets_unreviewed_edits(published, users):
    # The person's name is edited by one curator, the action's status by another.
    published.name.value = "UNREVIEWED"
    published.name.save()
    services.record_edit(users.curator, published.person)
    published.action.status = "in_force"
    published.action.save()
    cs = services.record_edit(users.curator2, published.action)
    services.submit(cs, users.curator2)
    approve_now(cs, users.reviewer)

    person = head(published.person.public_id).document
    assert person["sanctions"][0]["status"] == "in_force"  # follows the approved action
    assert person["names"][0]["value"] == "Hossein Salami"  # the unreviewed edit stays out


def test_a_claim_without_citation_blocks_submission(world, users):
    uncited = Name.objects.create(entity=world.person, value="Salami", type=Name.Type.ALIAS)
    services.record_edit(users.curator, world.person)
    with pytest.raises(services.WorkflowError, match="name “Salami” has no citation"):
        services.submit(world.change_set, users.curator)
    uncited.citations.add(world.salami)
    services.submit(world.change_set, users.curator)


def test_an_approval_is_refused_when_a_record_changed_after_the_diff_was_shown(world, users):
    services.submit(world.change_set, users.curator)
    shown = services.shown_revisions(world.change_set)
    world.name.value = "Hossein Salamy"
    world.name.save()
    services.record_edit(users.curator, world.person)
    with pytest.raises(services.StaleRecord, match=world.person.public_id):
        services.approve(world.change_set, users.reviewer, shown)
    assert not PublishedVersion.objects.exists()


def test_rejection_returns_the_change_set_with_the_reviewers_comment(world, users):
    services.submit(world.change_set, users.curator)
    with pytest.raises(services.WorkflowError, match="Say why"):
        services.reject(world.change_set, users.reviewer, "  ")
    services.reject(world.change_set, users.reviewer, "Cite the listing, not the headline.")
    world.change_set.refresh_from_db()
    assert world.change_set.state == ChangeSet.State.OPEN
    assert world.change_set.decisions.last().comment == "Cite the listing, not the headline."
    assert not PublishedVersion.objects.exists()


def test_deprecating_a_published_record_appends_a_tombstone(published, users):
    published.action.deprecated_reason = "Misread: the EU only proposed it."
    published.action.save()
    cs = services.record_edit(users.curator, published.action)
    services.submit(cs, users.curator)
    approve_now(cs, users.reviewer)

    tombstone = PublishedVersion.objects.filter(record_id=published.action.public_id).last()
    assert tombstone.operation == "retract" and tombstone.version == 2
    assert tombstone.document == {
        "id": published.action.public_id,
        "type": "sanction",
        "retracted": True,
        "reason": "Misread: the EU only proposed it.",
    }
    # Its target no longer shows the sanction.
    assert head(published.person.public_id).document["sanctions"] == []


def test_a_target_must_be_published_or_in_the_same_change_set(published, users):
    from entities.models import Entity
    from sanctions.models import SanctionTarget

    other = Entity.objects.create(kind=Entity.Kind.ORGANISATION)
    other.citations.add(published.eu)
    target = SanctionTarget.objects.create(action=published.action, entity=other)
    target.citations.add(published.eu)
    cs = services.record_edit(users.curator, published.action)
    with pytest.raises(services.WorkflowError, match=f"{other.public_id} is referenced but not published"):
        services.submit(cs, users.curator)


def test_only_the_permitted_roles_use_the_workflow(world, users):
    with pytest.raises(PermissionDenied):
        services.record_edit(users.auditor, world.person)
    with pytest.raises(PermissionDenied):
        services.submit(world.change_set, users.reviewer)
    services.submit(world.change_set, users.curator)
    with pytest.raises(PermissionDenied):
        approve_now(world.change_set, users.auditor)
    with pytest.raises(PermissionDenied):
        approve_now(world.change_set, users.curator2)  # a curator who didn't edit it still isn't a reviewer


def test_what_was_published_at_a_given_time(published, users):
    from django.utils import timezone

    first = PublishedVersion.objects.get(record_id=published.person.public_id)
    published.name.value = "Hossein Salamy"
    published.name.save()
    publish_edits(users, published.person)
    second = PublishedVersion.objects.get(record_id=published.person.public_id, version=2)

    key = ("entity", published.person.public_id)
    assert services.published_as_of(*key, first.published_at - timezone.timedelta(seconds=1)) is None
    assert services.published_as_of(*key, first.published_at) == first
    assert services.published_as_of(*key, second.published_at) == second


def test_the_seed_corpus_is_published_through_review(db):
    from django.core.management import call_command

    from publishing.models import ChangeSet

    call_command("load_seed_corpus", verbosity=0)
    change_set = ChangeSet.objects.get()
    assert (change_set.created_by.username, change_set.submitted_by.username, change_set.approved_by.username) == (
        "curator",
        "curator",
        "reviewer",
    )
    assert change_set.state == ChangeSet.State.PUBLISHED
    published = PublishedRecord.objects.values_list("record_type", "operation")
    assert sorted(set(published)) == [
        ("authority", "upsert"),
        ("entity", "upsert"),
        ("programme", "upsert"),
        ("sanction", "upsert"),
    ]
    # Authorities and programmes are published with the first action that shows them.
    assert published.filter(record_type="authority").count() == Authority.objects.count()
    assert published.filter(record_type="programme").count() == Programme.objects.count()
    assert published.filter(record_type="entity").count() == Entity.objects.count()
    assert published.filter(record_type="sanction").count() == SanctionAction.objects.count()
    # A second load changes nothing, so publishes nothing.
    seqs = list(PublishedVersion.objects.values_list("seq", flat=True))
    call_command("load_seed_corpus", verbosity=0)
    assert list(PublishedVersion.objects.values_list("seq", flat=True)) == seqs


def test_citing_a_span_for_a_published_claim_puts_its_record_up_for_review(published, users):
    from sources import services as sources_services

    start = published.src.text.index("Hossein Salami")
    sources_services.cite(published.src, start, start + len("Hossein Salami"), published.name, users.curator2)
    item = published.person  # its document will show the new citation once reviewed
    change_set = ChangeSet.objects.get(items__record_id=item.public_id, items__pending=True)
    assert change_set.created_by == users.curator2
    assert [c["quote"] for c in head(item.public_id).document["names"][0]["citations"]] == ["Maj. Gen. Hossein Salami"]
