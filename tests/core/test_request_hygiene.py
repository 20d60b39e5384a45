"""NUL bytes and invalid UTF-8 are refused with 400 naming where; oversized bodies with 413."""

import json
from wsgiref.util import setup_testing_defaults

import pytest

from entities.models import Entity
from tests.builders import admin_form_data, admin_url

pytestmark = pytest.mark.django_db


def refused(response, status=400):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["detail"]


@pytest.mark.parametrize(
    "url,message",
    [
        ("/admin/%00/", "The URL path contains a NUL byte."),
        ("/admin/entities/entity/?q=Sal%00ami", "Query parameter 'q' contains a NUL byte."),
        ("/admin/entities/entity/?q=Sal%C3ami", "Query parameter 'q' is not valid UTF-8 (byte 3)."),
        ("/admin/entities/entity/?o=1&%00=x", "The name of query parameter 2 contains a NUL byte."),
    ],
)
def test_nul_bytes_and_invalid_utf8_in_the_url_are_refused_naming_where(client, url, message):
    assert refused(client.get(url)) == message


def wsgi_get(raw_path):
    """A GET through the WSGI entry point gunicorn serves, with the path as the server
    decoded it (bytes, as latin-1 text: PEP 3333)."""
    from config.wsgi import application

    environ = {"PATH_INFO": raw_path.decode("latin-1"), "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    started = {}
    body = b"".join(application(environ, lambda status, headers, exc_info=None: started.update(status=status)))
    return started["status"], body


def test_invalid_utf8_in_the_path_is_refused_though_django_would_escape_it():
    status, body = wsgi_get(b"/trace/entity/ent_\xff\xfe/")
    assert status.startswith("400")
    assert json.loads(body) == {"detail": "The URL path is not valid UTF-8 (byte 18)."}
    # a path asking for the text "%FF" (sent as %25FF) reaches Django as the same string, and passes
    status, _ = wsgi_get(b"/trace/entity/ent_%FF%FE/")
    assert status.startswith("302")  # to the login page


def test_well_formed_text_in_any_script_passes(role_client):
    client = role_client("auditor")
    response = client.get("/admin/entities/entity/", {"q": "Зеленський محمد Kę\u0301stutis 🙂"})
    assert response.status_code == 200


def test_a_nul_byte_in_an_admin_form_is_refused_before_the_view(role_client):
    entity = Entity.objects.create(kind=Entity.Kind.PERSON)
    client = role_client("curator")
    data = admin_form_data(client.get(admin_url(Entity, "change", entity.pk)))
    data["notes"] = "Checked\x00"
    url = admin_url(Entity, "change", entity.pk)
    assert refused(client.post(url, data)) == "Form field 'notes' contains a NUL byte."
    body = "csrfmiddlewaretoken=x&notes=caf%E9"  # latin-1, not UTF-8
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert refused(response) == "Form field 'notes' is not valid UTF-8 (byte 3)."


@pytest.mark.parametrize(
    "body,message",
    [
        (b'{"name": "Sal\x00ami"}', "The JSON body contains a NUL byte."),
        (b'{"name": "Sal\\u0000ami"}', "The JSON body contains a NUL character (\\u0000) at body.name."),
        (
            b'{"names": [{"value": "x"}, {"value": "\\u0000"}]}',
            "The JSON body contains a NUL character (\\u0000) at body.names[1].value.",
        ),
        (b'{"name": "Caf\xe9"}', "The JSON body is not valid UTF-8 (byte 13)."),
    ],
)
def test_nul_and_invalid_utf8_in_a_json_body_are_refused(client, body, message):
    assert refused(client.post("/api/v1/match/", body, content_type="application/json")) == message


def test_an_escaped_backslash_before_u0000_is_not_a_nul(client):
    body = json.dumps({"name": "C:\\u0000"}).encode()  # the text backslash-u-0-0-0-0
    response = client.post("/admin/login/", body, content_type="application/json")
    assert response.status_code == 200  # the login page, shown again


def test_an_oversized_body_is_refused_with_413_before_it_is_read(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    response = client.post("/admin/login/", "username=" + "x" * 1000, content_type="application/x-www-form-urlencoded")
    assert refused(response, 413) == "The request body is larger than the limit of 1000 bytes."
    # A Content-Length claiming more than the limit is enough: nothing is read.
    response = client.generic("POST", "/admin/login/", b"", content_type="text/plain", CONTENT_LENGTH="5000000")
    assert refused(response, 413) == "The request body is larger than the limit of 1000 bytes."
    assert client.post("/admin/login/", {"username": "x" * 900}).status_code == 200  # under it: the form answers


def test_a_malformed_content_length_is_refused(client):
    response = client.generic("POST", "/admin/login/", b"", CONTENT_LENGTH="lots")
    assert refused(response) == "The Content-Length header 'lots' is not a number."


@pytest.mark.parametrize("url", ["/", "/admin/login/", "/trace/entity/ent_x/", "/api/v1/entities/", "/api/v1/match/"])
@pytest.mark.parametrize("body", [b"[" * 50_000, b"[" * 50_000 + b'"\\u0000"' + b"]" * 50_000])
def test_json_nested_absurdly_deep_is_refused_on_any_url_without_login(client, url, body):
    client.raise_request_exception = False
    response = client.post(url, body, content_type="application/json")
    assert refused(response) == "The JSON body is nested deeper than 32 levels."


def test_a_lone_surrogate_in_a_json_body_is_refused_naming_where(client):
    body = b'{"queries": [{"name": "x", "countries": ["\\ud800"]}]}'
    response = client.post("/admin/login/", body, content_type="application/json")
    assert refused(response) == (
        "The JSON body contains a lone surrogate (\\ud800) at body.queries[0].countries[0]: "
        "escape characters beyond U+FFFF as a pair, or send them as UTF-8."
    )


def multipart(name, value):
    return b'--B\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value + b"\r\n--B--\r\n"


def test_invalid_utf8_in_a_multipart_field_is_refused_naming_it(role_client):
    entity = Entity.objects.create(kind=Entity.Kind.PERSON)
    client = role_client("curator")
    url = admin_url(Entity, "change", entity.pk)
    response = client.post(url, multipart(b"notes", b"caf\xe9"), content_type="multipart/form-data; boundary=B")
    assert refused(response) == "Form field 'notes' is not valid UTF-8."
    # U+FFFD itself, sent as UTF-8, is a character like any other: the form gets it.
    client.logout()
    response = client.post("/admin/login/", {"username": "Unreadable \ufffd", "password": "x"})  # multipart
    assert response.status_code == 200 and response.context["form"].data["username"] == "Unreadable \ufffd"


def test_a_charset_other_than_utf8_is_refused(client):
    # Django would decode the query string with it: "\ud800" would become a lone surrogate.
    client.raise_request_exception = False
    url = "/api/v1/entities/?country=%5Cud800"
    response = client.get(url, headers={"Content-Type": "text/plain; charset=unicode_escape"})
    assert refused(response) == "The Content-Type header declares charset=unicode_escape; send UTF-8."
    for charset in ("utf-8", "UTF8", "us-ascii"):
        response = client.get("/admin/login/", headers={"Content-Type": f"text/plain; charset={charset}"})
        assert response.status_code == 200


@pytest.mark.parametrize("content_type", ["*/*", "application/*", "*/json"])
def test_a_wildcard_content_type_is_refused_before_a_parser_takes_it_for_json(partner, content_type):
    # DRF's JSON parser matches these patterns, behind the checks JSON bodies get.
    partner.raise_request_exception = False
    response = partner.generic("POST", "/api/v1/match/", b"[" * 50_000, content_type=content_type)
    assert refused(response) == f"The Content-Type {content_type!r} is a pattern, not a type: send application/json."
