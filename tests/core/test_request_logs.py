"""One JSON line per request, carrying the request id that the response and the audit
history carry too."""

import io
import json
import logging

import pghistory.models
import pytest
from django.http import HttpResponse
from django.urls import path

from core.logs import JsonFormatter
from entities.models import Entity
from tests.builders import admin_form_data, admin_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """The lines the configured console handler writes (settings.LOGGING), as parsed JSON."""
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        handler.setStream(previous)


def request_lines(lines):
    return [line for line in lines if line["logger"] == "sanctions.request"]


def test_an_admin_save_logs_one_json_line_with_the_request_id_of_its_response_and_history(role_client, log_lines):
    entity = Entity.objects.create(kind=Entity.Kind.PERSON)
    client = role_client("curator")
    data = admin_form_data(client.get(admin_url(Entity, "change", entity.pk)))
    data["notes"] = "Checked the spelling."
    url = admin_url(Entity, "change", entity.pk)
    log_lines()  # (the page load's line is not this test's subject)
    response = client.post(url, data)

    [line] = request_lines(log_lines()[-1:])
    request_id = response["X-Request-ID"]
    assert line["request_id"] == request_id and len(request_id) == 32
    assert (line["method"], line["path"], line["status"]) == ("POST", url, 302)
    assert line["user_id"] == response.wsgi_request.user.pk
    assert line["level"] == "INFO" and line["message"] == f"POST {url} 302"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    # the history of what the request wrote
    context = pghistory.models.Context.objects.get(metadata__request_id=request_id)
    assert context.metadata["url"] == url and context.metadata["user"] == line["user_id"]
    assert Entity.objects.get(pk=entity.pk).notes == "Checked the spelling."


def test_each_request_logs_exactly_one_line(client, log_lines):
    for _ in range(3):
        client.get("/admin/login/")
    assert len(request_lines(log_lines())) == 3


def fails(request):
    logging.getLogger("sanctions.test").warning("something went wrong for %s", request.path)
    request.log_extra["api_key"] = "sk_live_ab12"  # what the API's authentication adds
    return HttpResponse("no", status=409)


urlpatterns = [path("fails/", fails)]


@pytest.mark.urls(__name__)
def test_lines_written_during_a_request_carry_its_id_and_views_add_fields(client, log_lines):
    response = client.get("/fails/", headers={"X-Request-ID": "proxy-req-42abc"})
    warning, access, django_warning = log_lines()
    assert warning["logger"] == "sanctions.test" and warning["message"] == "something went wrong for /fails/"
    assert django_warning["logger"] == "django.request" and django_warning["message"] == "Conflict: /fails/"
    assert {warning["request_id"], access["request_id"], django_warning["request_id"]} == {"proxy-req-42abc"}
    assert response["X-Request-ID"] == "proxy-req-42abc"
    assert access["api_key"] == "sk_live_ab12"
    assert access["status"] == 409 and "user_id" not in access  # nobody logged in; no query to find out
