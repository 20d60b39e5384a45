"""Credentials and the names partners screen never reach a log line or the access log:
a key sent in the query string by mistake, a name searched with ``q``. (The new key an
admin makes stays out of cookies: test_access.TestKeyAdmin.)"""

import logging

import pytest
from rest_framework.test import APIClient

from core.logs import JsonFormatter, TextFormatter
from partners.models import AccessLogEntry

ENTITIES = "/api/v1/entities/"

pytestmark = pytest.mark.django_db


def log_text(caplog):
    """Every captured record as the console handler writes it, in both formats."""
    return "\n".join(f.format(r) for r in caplog.records for f in (JsonFormatter(), TextFormatter()))


def test_a_key_in_the_query_string_is_in_no_log_line_nor_the_access_log(api_key, caplog):
    _key, plain = api_key
    client = APIClient()
    client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        response = client.get(ENTITIES, {"api_key": plain, "kind": "person"})
    assert response.status_code == 401  # the query string is not a way in
    assert any(r.name == "django.request" for r in caplog.records)  # Django's "Unauthorized" warning
    assert plain not in log_text(caplog)
    [path] = AccessLogEntry.objects.values_list("path", flat=True)
    assert plain not in path
    assert path.startswith(ENTITIES + "?") and "kind=person" in path  # filters stay readable for auditors


def test_a_searched_name_is_in_no_log_line_nor_the_access_log(partner, caplog):
    with caplog.at_level(logging.INFO):
        assert partner.get(ENTITIES, {"q": "Hossein Salami", "kind": "person"}).status_code == 200
        assert partner.get(ENTITIES, {"q": "Hossein Salami", "contry": "IR"}).status_code == 400
    text = log_text(caplog)
    assert "Salami" not in text and "Hossein" not in text
    paths = list(AccessLogEntry.objects.order_by("id").values_list("path", flat=True))
    assert not any("Salami" in p or "Hossein" in p for p in paths)
    assert "q=" in paths[0] and "kind=person" in paths[0]  # which parameters were sent stays visible


def test_a_key_anywhere_in_a_log_message_is_masked(api_key, caplog):
    key, plain = api_key
    with caplog.at_level(logging.INFO):
        logging.getLogger("sanctions.test").warning("partner pasted %s into a ticket", plain)
    text = log_text(caplog)
    assert plain not in text and key.prefix in text  # which key, never the key
