"""Markup in articles and names is shown as text on every page, and the admin's forms
need their CSRF token."""

import pytest
from django.contrib import admin
from django.test import Client

from entities.models import Entity, Name
from publishing.models import ChangeSet, PublishedVersion
from sanctions.models import Authority
from sources.models import Citation
from tests.builders import IMG, SCRIPT, admin_form_data, admin_url, hostile_world

pytestmark = pytest.mark.django_db

RAW = [SCRIPT, "<img src=x onerror=alert(1)>"]
ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;"]


@pytest.fixture
def hostile(make_user):
    return hostile_world(make_user("curator"), make_user("reviewer"))


def pages(src, man, firm, action, pending):
    version = PublishedVersion.objects.filter(record_id=man.public_id).first()
    citation = Citation.objects.filter(source=src).first()
    name = Name.objects.filter(entity=firm).first()
    yield from (
        admin_url(model, "changelist") + suffix
        for model in admin.site._registry
        for suffix in ("", f"?q={SCRIPT}")  # the search term is shown back on the page too
    )
    yield from [
        admin_url(Entity, "change", man.pk),
        admin_url(Entity, "change", firm.pk),
        admin_url(Entity, "history", man.pk),
        admin_url(Name, "change", name.pk),
        admin_url(type(action), "change", action.pk),
        admin_url(type(action), "history", action.pk),
        admin_url(Authority, "change", action.authority.pk),
        admin_url(type(src), "change", src.pk),
        admin_url(type(src), "read", src.pk),
        admin_url(type(src), "supersede", src.pk),
        admin_url(Citation, "change", citation.pk),
        admin_url(ChangeSet, "change", pending.pk),  # the review page: diffs with quotes
        admin_url(PublishedVersion, "change", version.pk),
        man.get_trace_url(),
        firm.get_trace_url(),
        action.get_trace_url(),
        f"/trace/source/{src.public_id}/",
        # the partner API as staff browse it, and its documentation
        f"/api/v1/entities/{man.public_id}/?format=api",
        "/api/v1/entities/?format=api",
        f"/api/v1/sources/{src.public_id}/?format=api",
        "/api/v1/changes/?format=api",
        "/api/v1/docs/",
    ]


def test_markup_in_articles_names_and_actions_is_escaped_on_every_admin_reader_and_trace_page(hostile, role_client):
    client = role_client("admin")
    shown_as_text = 0
    for url in pages(*hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for raw in RAW:
            assert raw not in html, f"{url} shows {raw!r} as markup"
        shown_as_text += any(escaped in html for escaped in ESCAPED)
    assert shown_as_text >= 25  # the pages really show the hostile text (not vacuous)


def test_the_admin_refuses_a_form_posted_without_its_csrf_token(hostile, make_user):
    src, man, *_ = hostile
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("curator"))
    url = admin_url(Entity, "change", man.pk)
    data = admin_form_data(client.get(url))
    data["notes"] = "Changed by a forged form."

    forged = client.post(url, data)
    assert forged.status_code == 403
    assert "CSRF verification failed" in forged.content.decode()
    assert Entity.objects.get(pk=man.pk).notes != "Changed by a forged form."
    # the same for the workflow's and the reader's own forms
    change_set = ChangeSet.objects.filter(state=ChangeSet.State.SUBMITTED).get()
    assert client.post(f"/admin/publishing/changeset/{change_set.pk}/approve/", {}).status_code == 403
    assert client.post(admin_url(type(src), "cite", src.pk), {}).status_code == 403

    data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    assert client.post(url, data).status_code == 302  # with its token, the same form saves
    assert Entity.objects.get(pk=man.pk).notes == "Changed by a forged form."


def test_the_login_form_needs_its_csrf_token_too(make_user):
    make_user("curator", username="cora")
    client = Client(enforce_csrf_checks=True)
    assert client.post("/admin/login/", {"username": "cora", "password": "pw"}).status_code == 403
    client.get("/admin/login/")
    token = client.cookies["csrftoken"].value
    response = client.post("/admin/login/", {"username": "cora", "password": "pw", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_names_with_markup_are_kept_exactly_as_written(hostile):
    _, man, firm, *_ = hostile
    assert set(Name.objects.filter(entity__in=[man, firm]).values_list("value", flat=True)) == {SCRIPT, IMG}
