"""Who gets what: every admin and trace URL pattern, for anonymous visitors and each role.

The expectations are written out per model and per page below, from the roles
(core/roles.py: curators edit, reviewers and auditors read, admins do everything) and
the product's rules (claims are never deleted, published versions never change,
change sets start from edits). The test walks the admin's URL patterns, so a new page
without a row here fails it. The partner API's own matrix (keys: valid, revoked,
expired) is tests/partners/test_matrix.py.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLResolver, reverse
from django.utils import timezone

from core.models import LoginFailure
from entities.models import Entity
from partners.models import AccessLogEntry, ApiKey, AuthFailure
from publishing.models import ChangeSet
from sanctions.models import Authority, Programme, SanctionAction
from sources.models import Citation, ReanchorProblem, Source

pytestmark = pytest.mark.django_db

STAFF = ("curator", "reviewer", "auditor", "admin")
ROLES = ("anonymous", *STAFF)
READERS = set(STAFF)
EDITORS = {"curator", "admin"}
ADMINS = {"admin"}
NOBODY = set()
LOGIN = "login"  # a redirect to the admin's login page


def allow(roles, ok=200, denied=403, anonymous=LOGIN):
    return {"anonymous": anonymous, **{role: ok if role in roles else denied for role in STAFF}}


# Per registered model: who may list and open its records (everyone who may view gets
# the change page, read-only without change permission; its history page too), who may
# open the add page, who may open the delete page.
MODELS = {
    "auth.group": (ADMINS, ADMINS, ADMINS),
    "auth.user": (ADMINS, ADMINS, ADMINS),
    "core.loginfailure": (ADMINS, NOBODY, ADMINS),
    "sources.source": (READERS, EDITORS, ADMINS),
    "sources.citation": (READERS, EDITORS, ADMINS),
    "sources.reanchorproblem": (READERS, NOBODY, NOBODY),
    "publishing.changeset": (READERS, NOBODY, NOBODY),
    "publishing.publishedversion": (READERS, NOBODY, NOBODY),
    "entities.entity": (READERS, EDITORS, NOBODY),
    "entities.name": (READERS, NOBODY, NOBODY),
    "entities.relationship": (READERS, NOBODY, NOBODY),
    # published records (these pages open a published one) are never deleted
    "sanctions.authority": (READERS, EDITORS, NOBODY),
    "sanctions.programme": (READERS, EDITORS, NOBODY),
    "sanctions.sanctionaction": (READERS, EDITORS, NOBODY),
    "pghistory.events": (READERS, NOBODY, NOBODY),
    # partner API keys and their access log: auditors read them, admins manage keys
    "partners.apikey": ({"auditor", "admin"}, ADMINS, NOBODY),
    "partners.accesslogentry": ({"auditor", "admin"}, NOBODY, NOBODY),
    "partners.authfailure": ({"auditor", "admin"}, NOBODY, NOBODY),
}


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def admin_patterns():
    """Every URL pattern the admin serves: its name, or its route when it has none."""
    return {name or route for route, name in walk(admin.site.get_urls())}


@pytest.fixture
def world(seed_corpus, make_user):
    for role in STAFF:
        make_user(role)  # "curator" and "reviewer" are the corpus's own editor and approver
    source = Source.objects.order_by("pk").first()
    ReanchorProblem.objects.create(
        citation=Citation.objects.filter(source=source).first(),
        source=Source.objects.create(text=source.text + " Corrected.", language=source.language, supersedes=source),
        reason=ReanchorProblem.Reason.NOT_FOUND,
        detail="The sentence was removed.",
    )
    LoginFailure.objects.create(username="someone", ip="192.0.2.1")
    key, _plain = ApiKey.objects.create_key("Matrix partner")
    AccessLogEntry.objects.create(key=key, method="GET", path="/api/v1/entities/", status=200, duration_ms=3)
    AuthFailure.objects.create(remote_addr="192.0.2.1", window=timezone.now().replace(second=0), count=3)
    return source


def expectations(source):
    """(method, url, {role: status}) for every admin and trace page, and the set of
    admin URL patterns they cover."""
    rows, covered = [], set()

    def add(pattern, method, url, expected):
        covered.add(pattern)
        rows.append((method, url, expected))

    for model in admin.site._registry:
        opts = model._meta
        view, add_, delete = MODELS[opts.label_lower]
        prefix = f"{opts.app_label}_{opts.model_name}"
        pk = quote(getattr(model, "objects", model._default_manager).order_by("pk").first().pk)  # (Events: objects)
        changelist = reverse(f"admin:{prefix}_changelist")
        add(f"{prefix}_changelist", "GET", changelist, allow(view))
        add(f"{prefix}_add", "GET", reverse(f"admin:{prefix}_add"), allow(add_))
        add(f"{prefix}_change", "GET", reverse(f"admin:{prefix}_change", args=[pk]), allow(view))
        add(f"{prefix}_history", "GET", reverse(f"admin:{prefix}_history", args=[pk]), allow(view))
        add(f"{prefix}_delete", "GET", reverse(f"admin:{prefix}_delete", args=[pk]), allow(delete))
        # the old-style <pk>/ address redirects any staff member to the change page
        old_style = f"{opts.app_label}/{opts.model_name}/<path:object_id>/"
        add(old_style, "GET", f"{changelist}{pk}/", allow(READERS, 302, 302))

    some_user = get_user_model().objects.order_by("pk").first()
    password = reverse("admin:auth_user_password_change", args=[some_user.pk])
    add("auth_user_password_change", "GET", password, allow(ADMINS))

    # the source reader and its JSON endpoints
    add("sources_source_read", "GET", reverse("admin:sources_source_read", args=[source.pk]), allow(READERS))
    add("sources_source_claims", "GET", reverse("admin:sources_source_claims", args=[source.pk]), allow(READERS))
    cite = reverse("admin:sources_source_cite", args=[source.pk])
    add("sources_source_cite", "GET", cite, allow(NOBODY, denied=405))
    # a POST with nothing in it: refused (403) without the right to cite, else the form's errors (400)
    add("sources_source_cite", "POST", cite, allow(EDITORS, 400))
    part = reverse("admin:sources_source_read_part", args=[source.pk])
    add("sources_source_read_part", "GET", part, allow(READERS))
    selection = reverse("admin:sources_source_selection", args=[source.pk]) + "?words=John+Kirby"
    add("sources_source_selection", "GET", selection, allow(READERS))
    # creating from a selection: refused (403) without the right to cite, else the form's errors (400)
    create = reverse("admin:sources_source_create_from_selection", args=[source.pk])
    add("sources_source_create_from_selection", "GET", create, allow(NOBODY, denied=405))
    add("sources_source_create_from_selection", "POST", create, allow(EDITORS, 400))
    corrected = source.superseded_by  # (a superseded source's page sends everyone to its correction)
    supersede = reverse("admin:sources_source_supersede", args=[corrected.pk])
    add("sources_source_supersede", "GET", supersede, allow(EDITORS))
    add("sources_source_import", "GET", reverse("admin:sources_source_import"), allow(EDITORS))

    # review decisions: POST only; the seed change set is already published, so whoever
    # may take a decision is sent back to it with the reason (302), everyone else is refused
    change_set = ChangeSet.objects.get(state=ChangeSet.State.PUBLISHED)
    reviewers = {"admin", "reviewer"}
    for decision, deciders in (("submit", {"curator"}), ("approve", reviewers), ("reject", reviewers)):
        url = reverse("admin:publishing_changeset_decide", args=[change_set.pk, decision])
        add("publishing_changeset_decide", "GET", url, allow(NOBODY, denied=405))
        add("publishing_changeset_decide", "POST", url, allow(deciders, 302))
    # abandoning: anyone who reads change sets sees the page (it says who may); the POST is
    # for an editor of the set (the corpus's curator), who is sent back with the refusal
    # (it is published), everyone else refused
    abandon = reverse("admin:publishing_changeset_abandon", args=[change_set.pk])
    add("publishing_changeset_abandon", "GET", abandon, allow(READERS))
    add("publishing_changeset_abandon", "POST", abandon, allow({"curator"}, 302))
    # discarding a draft: for those who may change the record; these are published, so
    # the page says no and a POST is sent back with the reason
    for model in (Entity, SanctionAction, Authority, Programme):
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        discard = reverse(f"admin:{prefix}_discard", args=[model.objects.order_by("pk").first().pk])
        add(f"{prefix}_discard", "GET", discard, allow(EDITORS))
        add(f"{prefix}_discard", "POST", discard, allow(EDITORS, 302))

    # the site's own pages
    add("index", "GET", reverse("admin:index"), allow(READERS))
    add("login", "GET", reverse("admin:login"), allow(READERS, 302, anonymous=200))
    add("logout", "GET", reverse("admin:logout"), allow(NOBODY, denied=405, anonymous=302))
    add("password_change", "GET", reverse("admin:password_change"), allow(READERS))
    add("password_change_done", "GET", reverse("admin:password_change_done"), allow(READERS))
    add("jsi18n", "GET", reverse("admin:jsi18n"), allow(READERS))
    autocomplete = reverse("admin:autocomplete") + "?app_label=sanctions&model_name=sanctionaction&field_name=authority"
    add("autocomplete", "GET", autocomplete, allow(READERS))
    entity = Entity.objects.order_by("pk").first()
    # no model has a public page of its own on this site: 404 for every staff member
    on_site = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Entity).pk, entity.pk])
    add("view_on_site", "GET", on_site, allow(NOBODY, denied=404))
    for app_label, readers in (
        ("auth", ADMINS),
        ("core", ADMINS),
        ("sources", READERS),
        ("publishing", READERS),
        ("entities", READERS),
        ("sanctions", READERS),
        ("pghistory", READERS),
    ):
        add("app_list", "GET", reverse("admin:app_list", args=[app_label]), allow(readers, denied=404))
    add("(?P<url>.*)$", "GET", "/admin/no-such-page/", allow(NOBODY, denied=404))

    # trace pages (outside the admin, same staff login)
    action = SanctionAction.objects.order_by("pk").first()
    for url in (entity.get_trace_url(), action.get_trace_url(), reverse("trace:source", args=[source.public_id])):
        rows.append(("GET", url, allow(READERS)))
    return rows, covered


def status_of(response):
    if response.status_code == 302 and urlsplit(response["Location"]).path == reverse("admin:login"):
        return LOGIN
    return response.status_code


def test_every_admin_and_trace_page_answers_each_role_as_the_roles_say(world, make_user):
    rows, covered = expectations(world)
    assert admin_patterns() - covered == set(), "admin pages with no row in the access matrix"

    clients = {"anonymous": Client()}
    for role in STAFF:
        clients[role] = Client()
        clients[role].force_login(make_user(role))
    wrong = []
    for method, url, expected in rows:
        for role in ROLES:
            client = clients[role]
            response = client.get(url) if method == "GET" else client.post(url, {})
            if status_of(response) != expected[role]:
                wrong.append(f"{method} {url} as {role}: {status_of(response)}, expected {expected[role]}")
    assert not wrong, f"{len(wrong)} of {len(rows) * len(ROLES)} answers differ:\n" + "\n".join(wrong)
