"""Who may call each partner API URL: every URL pattern under /api/ is covered, so a
new endpoint without a row here fails this test."""

from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from core.roles import role_user
from partners.models import ApiKey

PUBLIC = {"api:schema", "api:docs"}


def api_url_names(patterns=None, namespace=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            yield from api_url_names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and namespace == "api" and p.name:
            yield f"api:{p.name}"


def requests_for(published):
    entity, action, source = published.person.public_id, published.action.public_id, published.src.public_id
    match = ("post", "/api/v1/match/", {"queries": [{"name": "Hossein Salami"}]})
    return {
        "api:entity-list": ("get", "/api/v1/entities/", None),
        "api:entity-detail": ("get", f"/api/v1/entities/{entity}/", None),
        "api:sanction-list": ("get", "/api/v1/sanctions/", None),
        "api:sanction-detail": ("get", f"/api/v1/sanctions/{action}/", None),
        "api:source-list": ("get", "/api/v1/sources/", None),
        "api:source-detail": ("get", f"/api/v1/sources/{source}/", None),
        "api:changes": ("get", "/api/v1/changes/", None),
        "api:match": match,
        "api:export": ("get", "/api/v1/exports/entities.jsonl", None),
        "api:schema": ("get", "/api/v1/schema/", None),
        "api:docs": ("get", "/api/v1/docs/", None),
    }


def actors():
    def keyed(revoked=False, **kwargs):
        key, plain = ApiKey.objects.create_key("matrix", **kwargs)
        if revoked:
            ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
        return client

    def session(role):
        client = APIClient()
        client.force_login(role_user(f"matrix-{role}", role))
        return client

    def outsider():
        from django.contrib.auth import get_user_model

        client = APIClient()
        client.force_login(get_user_model().objects.create_user("matrix-outsider", password="pw"))
        return client

    yield "anonymous", APIClient(), 401
    yield "partner key", keyed(), 200
    yield "revoked key", keyed(revoked=True), 401
    yield "expired key", keyed(expires_at=timezone.now() - timedelta(minutes=1)), 401
    for role in ("curator", "reviewer", "auditor", "admin"):
        yield role, session(role), 200
    yield "non-staff user", outsider(), 403


def test_every_api_url_answers_each_kind_of_caller_as_intended(published):
    table = requests_for(published)
    assert set(api_url_names()) == set(table), "a new API URL needs a row in this matrix"
    failures = []
    for who, client, expected in actors():
        for name, (method, url, body) in table.items():
            response = getattr(client, method)(url, body, format="json") if body else getattr(client, method)(url)
            want = 200 if name in PUBLIC else expected
            if response.status_code != want:
                failures.append(f"{who} {method.upper()} {url}: {response.status_code}, expected {want}")
    assert not failures, "\n".join(failures)
