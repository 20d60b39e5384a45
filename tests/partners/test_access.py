"""API keys: who gets in, how keys are made, kept, revoked, throttled and logged."""

import hashlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import AccessLogEntry, ApiKey, AuthFailure

ENTITIES = "/api/v1/entities/"


def bearer(plain):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


@pytest.mark.django_db
class TestAuthentication:
    def test_no_key_is_401_with_a_bearer_challenge(self):
        response = APIClient().get(ENTITIES)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert "API key" in response.json()["detail"] or "credentials" in response.json()["detail"]

    @pytest.mark.parametrize(
        "header",
        ["Bearer nonsense", "Bearer sdb_00000000_" + "x" * 32, "Token abc", "Bearer "],
    )
    def test_malformed_or_unknown_keys_are_401(self, header, api_key):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get(ENTITIES).status_code == 401

    def test_a_valid_key_reads_and_marks_last_use(self, api_key, partner):
        key, _ = api_key
        assert key.last_used_at is None
        assert partner.get(ENTITIES).status_code == 200
        key.refresh_from_db()
        assert key.last_used_at is not None

    def test_a_key_with_the_right_prefix_but_wrong_secret_is_refused(self, api_key):
        key, plain = api_key
        forged = plain[: len(key.prefix) + 1] + "A" * (len(plain) - len(key.prefix) - 1)
        response = bearer(forged).get(ENTITIES)
        assert response.status_code == 401
        assert response.json()["detail"] == "Unknown API key."

    def test_revoked_and_expired_keys_are_401_saying_why(self, api_key):
        key, plain = api_key
        key.revoked_at = timezone.now()
        key.save()
        response = bearer(plain).get(ENTITIES)
        assert (response.status_code, response.json()["detail"]) == (401, "This API key was revoked.")

        _other, plain2 = ApiKey.objects.create_key("Old partner", expires_at=timezone.now() - timedelta(seconds=1))
        response = bearer(plain2).get(ENTITIES)
        assert (response.status_code, response.json()["detail"]) == (401, "This API key has expired.")

    def test_staff_sessions_may_browse_but_other_users_may_not(self, client, make_user, django_user_model):
        client.force_login(make_user("auditor"))
        assert client.get(ENTITIES, HTTP_ACCEPT="text/html").status_code == 200  # the browsable API
        outsider = django_user_model.objects.create_user("outsider", password="pw", is_staff=False)
        client.force_login(outsider)
        assert client.get(ENTITIES).status_code == 403

    def test_keys_are_stored_only_as_hashes(self, api_key):
        key, plain = api_key
        stored = ApiKey.objects.filter(pk=key.pk).values_list("prefix", "key_hash").get()
        assert stored == (key.prefix, hashlib.sha256(plain.encode()).hexdigest())
        assert plain.startswith(key.prefix + "_") and plain not in stored


@pytest.mark.django_db
class TestCreateApiKeyCommand:
    def test_prints_a_working_key_once(self):
        out, err = StringIO(), StringIO()
        call_command("create_api_key", "Acme screening", "--expires-in-days", "30", stdout=out, stderr=err)
        plain = out.getvalue().strip()
        key = ApiKey.objects.get(name="Acme screening")
        assert key.matches(plain) and key.prefix in err.getvalue() and plain not in err.getvalue()
        assert timedelta(days=29) < key.expires_at - timezone.now() <= timedelta(days=30)
        assert bearer(plain).get(ENTITIES).status_code == 200

    @pytest.mark.parametrize("args,field", [(["  "], "name"), (["X", "--expires-in-days", "0"], "--expires-in-days")])
    def test_bad_arguments_name_the_argument(self, args, field):
        with pytest.raises(CommandError, match=field):
            call_command("create_api_key", *args, stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
@pytest.mark.usefixtures("steady_minute")
class TestThrottling:
    def test_over_the_limit_is_429_with_retry_after(self):
        _key, plain = ApiKey.objects.create_key("Small partner", rate_limit=3)
        client = bearer(plain)
        assert [client.get(ENTITIES).status_code for _ in range(3)] == [200, 200, 200]
        response = client.get(ENTITIES)
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 60

    def test_limits_are_per_key(self):
        _, busy = ApiKey.objects.create_key("Busy", rate_limit=1)
        _, quiet = ApiKey.objects.create_key("Quiet", rate_limit=1)
        assert bearer(busy).get(ENTITIES).status_code == 200
        assert bearer(busy).get(ENTITIES).status_code == 429
        assert bearer(quiet).get(ENTITIES).status_code == 200

    def test_bogus_keys_from_one_address_are_429_past_the_limit_and_only_counted(self, api_key, settings):
        settings.API_AUTH_FAILURE_LIMIT = 3
        bogus = bearer("sdb_00000000_" + "x" * 32)
        statuses = [bogus.get(ENTITIES).status_code for _ in range(3)] + [APIClient().get(ENTITIES).status_code]
        assert statuses == [401, 401, 401, 429]  # no key at all counts too
        response = bogus.get(ENTITIES)
        assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
        assert "valid API key" in response.json()["detail"]
        assert AccessLogEntry.objects.filter(status=401).count() == 3  # one row each up to the limit, then none
        assert not AccessLogEntry.objects.filter(status=429).exists()
        assert list(AuthFailure.objects.values_list("remote_addr", "count")) == [("127.0.0.1", 5)]
        # a valid key from the same address, and the same bogus key from elsewhere, are not held back
        assert bearer(api_key[1]).get(ENTITIES).status_code == 200
        elsewhere = APIClient(REMOTE_ADDR="192.0.2.7")
        elsewhere.credentials(HTTP_AUTHORIZATION="Bearer sdb_00000000_" + "x" * 32)
        assert elsewhere.get(ENTITIES).status_code == 401


@pytest.mark.django_db
class TestAccessLog:
    def test_every_partner_request_is_logged_with_key_endpoint_status(self, api_key, partner):
        key, _ = api_key
        partner.get(ENTITIES + "?kind=person", HTTP_X_REQUEST_ID="partner-req-0001")
        partner.get(ENTITIES + "?country=XX")
        APIClient().get(ENTITIES)
        rows = list(
            AccessLogEntry.objects.order_by("id").values_list("key", "endpoint", "status", "path", "request_id")
        )
        assert rows[0] == (key.pk, "api:entity-list", 200, ENTITIES + "?kind=person", "partner-req-0001")
        assert rows[1][:3] == (key.pk, "api:entity-list", 400)
        assert rows[2][:3] == (None, "api:entity-list", 401)

    def test_auditors_read_the_log_in_the_admin_curators_cannot(self, api_key, partner, role_client):
        partner.get(ENTITIES)
        url = reverse("admin:partners_accesslogentry_changelist")
        assert role_client("auditor", username="aud").get(url).status_code == 200
        assert role_client("curator", username="cur").get(url).status_code == 403


@pytest.mark.django_db
class TestKeyAdmin:
    def test_an_admin_sees_a_new_key_once_on_the_page_and_nowhere_else(self, role_client):
        client = role_client("admin", username="boss")
        response = client.post(reverse("admin:partners_apikey_add"), {"name": "Bank X", "rate_limit": 100})
        key = ApiKey.objects.get(name="Bank X")
        assert response.status_code == 200  # shown in this response, not after a redirect
        plain = re.search(rf"{key.prefix}_[\w-]+", response.content.decode())[0]
        assert key.matches(plain) and key.created_by.username == "boss"
        assert "no-store" in response["Cache-Control"]
        assert all(plain not in morsel.value for morsel in response.cookies.values())  # no messages cookie
        assert all(plain not in str(value) for value in client.session.values())
        pages = [reverse("admin:partners_apikey_change", args=[key.pk]), reverse("admin:partners_apikey_changelist")]
        for url in pages:
            assert plain not in client.get(url).content.decode()  # never again

    def test_revoking_refuses_the_key_from_then_on(self, api_key, partner, role_client):
        key, _ = api_key
        client = role_client("admin", username="boss")
        client.post(reverse("admin:partners_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]})
        key.refresh_from_db()
        assert key.revoked_at is not None
        assert partner.get(ENTITIES).status_code == 401

    def test_only_admins_manage_keys(self, role_client):
        for role in ("curator", "reviewer", "auditor"):
            client = role_client(role, username=f"u-{role}")
            assert client.get(reverse("admin:partners_apikey_add")).status_code == 403
