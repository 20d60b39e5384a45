"""A strict content security policy on every page, and nothing in our templates that it
would block (the browser tests check the rendered pages in Chromium too)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

from tests.builders import make_source

ROOT = Path(__file__).resolve().parents[2]
APPS = ["config", "core", "corpus", "entities", "publishing", "sanctions", "screening", "sources", "templates"]


@pytest.mark.django_db
def test_admin_reader_and_trace_pages_send_the_policy(role_client):
    source = make_source()
    client = role_client("auditor")
    for url in ["/admin/", f"/admin/sources/source/{source.pk}/read/", f"/trace/source/{source.public_id}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert policy == settings.CONTENT_SECURITY_POLICY
        directives = dict(d.split(" ", 1) for d in policy.split("; "))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"  # no 'unsafe-inline'
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def own_policy(request):
    response = HttpResponse("docs")
    response["Content-Security-Policy"] = "default-src 'self' https://cdn.example.org"
    return response


urlpatterns = [path("own/", own_policy)]


@pytest.mark.urls(__name__)
def test_a_view_with_a_policy_of_its_own_keeps_it(client):
    assert client.get("/own/")["Content-Security-Policy"] == "default-src 'self' https://cdn.example.org"


# An inline <script> (one with no src; JSON data blocks are not run), a <style> element,
# a style="" attribute (or a widget's "style" attribute) or an on...="" handler: all
# refused by the policy.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style\b|\sstyle\s*=|[\"']style[\"']\s*:"
    r"|\son[a-z]+\s*=\s*[\"']",
    re.IGNORECASE,
)


def test_no_template_or_html_built_in_python_has_inline_script_or_style():
    found = []
    for app in APPS:
        for file in sorted((ROOT / app).rglob("*")):
            if file.suffix not in (".html", ".py") or "migrations" in file.parts:
                continue
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
                if INLINE.search(line):
                    found.append(f"{file.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "inline script or style the content security policy blocks:\n" + "\n".join(found)
