"""The workflow as people use it in the admin: roles, review pages, history."""

import json

import pytest
from django.db import connection
from django.test import Client

from entities.models import Entity, Name
from publishing import services
from publishing.models import ChangeSet, PublishedVersion
from sanctions.models import SanctionAction
from tests.builders import admin_form_data, admin_url, publish_edits


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def decide(client, change_set, decision, **data):
    return client.post(f"/admin/publishing/changeset/{change_set.pk}/{decision}/", data)


# --------------------------------------------------------------------- the role matrix

ROLES = ["curator", "reviewer", "auditor", "admin"]


def _view_entities(users, world, user):
    return client_for(user).get(admin_url(Entity, "changelist")).status_code == 200


def _view_history(users, world, user):
    return client_for(user).get(admin_url(Entity, "history", world.person.pk)).status_code == 200


def _edit_entity(users, world, user):
    client = client_for(user)
    page = client.get(admin_url(Entity, "change", world.person.pk))
    if page.status_code != 200 or not page.context["has_change_permission"]:
        data = {"notes": "edited", "expected_revision": world.person.revision}
        client.post(admin_url(Entity, "change", world.person.pk), data)
    else:
        data = admin_form_data(page)
        data["notes"] = "edited"
        client.post(admin_url(Entity, "change", world.person.pk), data)
    return Entity.objects.get(pk=world.person.pk).notes == "edited"


def _submit(users, world, user):
    decide(client_for(user), world.change_set, "submit")
    return ChangeSet.objects.get(pk=world.change_set.pk).state == "submitted"


def _approve(users, world, user):
    services.submit(world.change_set, users.curator)
    revisions = json.dumps(services.shown_revisions(world.change_set))
    decide(client_for(user), world.change_set, "approve", revisions=revisions)
    return PublishedVersion.objects.exists()


def _reject(users, world, user):
    services.submit(world.change_set, users.curator)
    decide(client_for(user), world.change_set, "reject", comment="No.")
    return ChangeSet.objects.get(pk=world.change_set.pk).state == "open"


# action → roles allowed. "curator" in submit means the curator who edited the set.
MATRIX = {
    _view_entities: {"curator", "reviewer", "auditor", "admin"},
    _view_history: {"curator", "reviewer", "auditor", "admin"},
    _edit_entity: {"curator", "admin"},
    _submit: {"curator"},
    _approve: {"reviewer", "admin"},
    _reject: {"reviewer", "admin"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX), ids=lambda f: f.__name__.strip("_"))
def test_role_matrix(world, users, role, action):
    user = {"curator": users.curator, "reviewer": users.reviewer, "auditor": users.auditor, "admin": users.admin}[role]
    assert action(users, world, user) == (role in MATRIX[action])


def test_anonymous_visitors_see_nothing(world, client):
    for url in [
        admin_url(Entity, "changelist"),
        admin_url(ChangeSet, "change", world.change_set.pk),
        admin_url(Entity, "history", world.person.pk),
        admin_url(PublishedVersion, "changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert decide(client, world.change_set, "submit").status_code == 302
    assert ChangeSet.objects.get(pk=world.change_set.pk).state == "open"


# ------------------------------------------------------------------ review through pages


def test_self_approval_is_refused_through_the_admin(world, users):
    services.submit(world.change_set, users.curator)
    users.curator.groups.add(*users.reviewer.groups.all())
    client = client_for(users.curator)
    page = client.get(admin_url(ChangeSet, "change", world.change_set.pk))
    assert b"Approve and publish" not in page.content  # no button...
    revisions = json.dumps(services.shown_revisions(world.change_set))
    response = decide(client, world.change_set, "approve", revisions=revisions)  # ...and no way round it
    assert response.status_code == 403
    assert b"someone else must review it" in response.content
    assert not PublishedVersion.objects.exists()


def test_the_reviewer_sees_each_claim_with_its_quote_and_approves(world, users):
    services.submit(world.change_set, users.curator)
    client = client_for(users.reviewer)
    page = client.get(admin_url(ChangeSet, "change", world.change_set.pk))
    html = page.content.decode()
    assert "Hossein Salami" in html and "<q>Maj. Gen. Hossein Salami</q>" in html
    assert "new: never published" in html
    revisions = page.context["revisions_json"]
    response = decide(client, world.change_set, "approve", revisions=revisions, comment="Checked against AP.")
    assert response.status_code == 302
    assert PublishedVersion.objects.filter(record_id=world.person.public_id).exists()


def test_an_approval_from_a_stale_review_page_is_refused(world, users):
    services.submit(world.change_set, users.curator)
    client = client_for(users.reviewer)
    revisions = client.get(admin_url(ChangeSet, "change", world.change_set.pk)).context["revisions_json"]
    world.name.value = "Hossein Salamy"
    world.name.save()
    services.record_edit(users.curator, world.person)
    response = decide(client, world.change_set, "approve", revisions=revisions)
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "Records changed after the diff was shown" in follow.content.decode()
    assert not PublishedVersion.objects.exists()


@pytest.mark.parametrize("revisions", ["[1]", '"x"', "1e999", '{"k": null}', '{"k": "1"}', '{"k": true}', "[" * 50000])
def test_an_approval_with_revisions_of_the_wrong_shape_is_refused(world, users, revisions):
    services.submit(world.change_set, users.curator)
    client = client_for(users.reviewer)
    client.raise_request_exception = False
    response = decide(client, world.change_set, "approve", revisions=revisions)
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "The form field revisions is not what the review page sends" in follow.content.decode()
    assert not PublishedVersion.objects.exists()
    world.change_set.refresh_from_db()
    assert world.change_set.state == ChangeSet.State.SUBMITTED


def test_saving_a_record_puts_it_in_the_curators_change_set_and_a_stale_form_is_refused(published, users):
    client = client_for(users.curator2)
    page = client.get(admin_url(SanctionAction, "change", published.action.pk))
    data = admin_form_data(page)
    data["status"] = "in_force"
    response = client.post(admin_url(SanctionAction, "change", published.action.pk), data)
    assert response.status_code == 302
    change_set = ChangeSet.objects.get(items__record_id=published.action.public_id, state="open")
    assert change_set.created_by == users.curator2
    # The published document is untouched until review.
    assert PublishedVersion.objects.filter(record_id=published.action.public_id).count() == 1

    # The same page, submitted again (another tab, another curator): refused, nothing saved.
    data["summary"] = "Overwrites the other edit?"
    again = client_for(users.curator).post(admin_url(SanctionAction, "change", published.action.pk), data)
    assert again.status_code == 200
    errors = " ".join(again.context["adminform"].form.non_field_errors())
    assert f"saved by {users.curator2.username}" in errors and "status 'announced' → 'in_force'" in errors
    assert SanctionAction.objects.get(pk=published.action.pk).summary != "Overwrites the other edit?"


# --------------------------------------------------------------------------- history


def test_bulk_updates_and_raw_sql_show_in_a_records_history(published, users):
    Name.objects.filter(entity=published.person).update(value="Hossein SALAMI")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE entities_name SET lang = 'fa' WHERE entity_id = %s", [published.person.pk])
    page = client_for(users.auditor).get(admin_url(Entity, "history", published.person.pk))
    assert page.status_code == 200
    updates = [row for row in page.context["rows"] if row.label == "update" and row.table == "name"]
    assert sorted(c for row in updates for c in row.changes) == [
        ("lang", "en", "fa"),
        ("value", "Hossein Salami", "Hossein SALAMI"),
    ]
    html = page.content.decode()
    assert "(no user: script or SQL)" in html


def test_history_answers_what_was_published_at_a_time(published, users):
    version = PublishedVersion.objects.get(record_id=published.person.public_id)
    url = admin_url(Entity, "history", published.person.pk)
    client = client_for(users.auditor)
    page = client.get(url, {"as_of": version.published_at.strftime("%Y-%m-%d %H:%M:%S.%f")})
    assert page.context["as_of_version"] == version
    assert "Hossein Salami" in page.content.decode()
    before = client.get(url, {"as_of": "2000-01-01 00:00"})
    assert before.context["as_of_version"] is False
    assert "Nothing was published for this record" in before.content.decode()
    bad = client.get(url, {"as_of": "yesterday"})
    assert "Give a date and time" in bad.content.decode()


@pytest.mark.parametrize(
    "as_of,message",
    [
        ("2026-02-30T00:00", "Give a date and time such as"),
        ("2026-01-01T24:00", "Give a date and time such as"),
        ("9999-12-31T23:59:59-23:59", "Out of range: with its offset"),
        ("0001-01-01T00:00+23:59", "Out of range: with its offset"),
    ],
)
def test_history_refuses_impossible_times_with_a_message(published, users, as_of, message):
    client = client_for(users.auditor)
    client.raise_request_exception = False
    page = client.get(admin_url(Entity, "history", published.person.pk), {"as_of": as_of})
    assert page.status_code == 200
    assert page.context["as_of_version"] is None and page.context["as_of_error"].startswith(message)


def test_an_admin_save_is_recorded_with_its_user_and_request_id(published, users):
    client = client_for(users.curator)
    page = client.get(admin_url(Entity, "change", published.person.pk))
    data = admin_form_data(page)
    data["notes"] = "Checked the spelling."
    response = client.post(
        admin_url(Entity, "change", published.person.pk), data, headers={"X-Request-ID": "req-0123456789"}
    )
    assert response["X-Request-ID"] == "req-0123456789"
    rows = client.get(admin_url(Entity, "history", published.person.pk)).context["rows"]
    notes = next(row for row in rows if ("notes", "", "Checked the spelling.") in row.changes)
    assert notes.user == users.curator
    assert notes.context["request_id"] == "req-0123456789"
    # An id that isn't a plausible token is replaced, not logged.
    odd = client.get(admin_url(Entity, "changelist"), headers={"X-Request-ID": "<script>"})
    assert odd["X-Request-ID"] != "<script>" and len(odd["X-Request-ID"]) == 32


def test_the_review_page_costs_the_same_queries_for_one_record_or_many(world, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(users.reviewer)
    services.submit(world.change_set, users.curator)
    url = admin_url(ChangeSet, "change", world.change_set.pk)
    with CaptureQueriesContext(connection) as two_records:
        client.get(url)
    services.reject(world.change_set, users.reviewer, "Add the others.")
    for i in range(5):
        extra = Entity.objects.create(kind=Entity.Kind.PERSON)
        extra.citations.add(world.salami)
        Name.objects.create(entity=extra, value=f"Person {i}", type=Name.Type.PRIMARY).citations.add(world.salami)
        services.record_edit(users.curator, extra)
    services.submit(world.change_set, users.curator)
    with CaptureQueriesContext(connection) as seven_records:
        client.get(url)
    assert len(seven_records) == len(two_records)


def test_the_trace_page_shows_who_approved_each_published_version(published, users):
    page = client_for(users.auditor).get(f"/trace/entity/{published.person.public_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index('id="publication"') :]
    assert "rita" in row and "cora" in row  # approved by the reviewer, submitted by the curator
    assert f"#{published.change_set.pk}" in row


def diff_html(page):
    """The records' diffs of a review page (not the hidden form fields around them)."""
    html = page.content.decode()
    return html[html.index('<div class="module diff">') : html.index("<h2>Review log</h2>")]


def test_the_review_page_names_records_and_shows_values_and_quotes_as_text(world, users):
    services.submit(world.change_set, users.curator)
    page = client_for(users.reviewer).get(admin_url(ChangeSet, "change", world.change_set.pk))
    html = diff_html(page)
    # the target names its entity beside the id; the action's heading names the action
    assert f"Hossein Salami <code>{world.person.public_id}</code>" in html
    assert "sanction EU Council: designation (announced)" in html
    # no JSON and no Python reprs: one readable format
    assert "&quot;" not in html and "{&#x27;" not in html and "{" not in html
    assert "<dt>name</dt><dd>Council of the European Union</dd>" in html  # the action's authority
    # the entity's own quote (its "citations" part) is a quote, as a name's is
    assert html.count("<q>Maj. Gen. Hossein Salami</q>") >= 2


def test_after_approval_the_change_set_still_shows_the_records_it_published(world, users):
    services.submit(world.change_set, users.curator)
    services.approve(world.change_set, users.reviewer, services.shown_revisions(world.change_set))
    page = client_for(users.auditor).get(admin_url(ChangeSet, "change", world.change_set.pk))
    assert "No records in this change set yet" not in page.content.decode()
    html = diff_html(page)
    assert html.count("published v1 by this change set") == 3  # the person, the action, its authority
    assert world.person.public_id in html and world.action.public_id in html
    assert "<q>Maj. Gen. Hossein Salami</q>" in html


def test_history_compares_a_published_version_with_the_one_before_rendered(published, users):
    name = published.person.names.get()
    name.value = "Hossein Salami Jr."
    name.save()
    publish_edits(users, published.person)
    url = admin_url(Entity, "history", published.person.pk)
    page = client_for(users.auditor).get(url, {"compare": "2"})
    assert page.status_code == 200
    changes = page.context["comparison"]["changes"]
    assert [(c["part"], c["change"]) for c in changes] == [("caption", "changed"), ("names", "changed")]
    html = page.content.decode()
    assert "Version 1 → 2" in html and "Hossein Salami Jr." in html and "Maj. Gen. Hossein Salami" in html
    assert '{"' not in str(changes[1]["after_html"])  # rendered as text, not JSON
    for asked in ("1", "3", "x", "9" * 20):
        bad = client_for(users.auditor).get(url, {"compare": asked})
        assert bad.status_code == 200 and "no published version" in bad.context["compare_error"]
