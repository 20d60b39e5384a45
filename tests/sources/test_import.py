"""Importing an article from a web page: a saved page or an address becomes a source
with its text and metadata; what isn't an article, a private address or a second
copy is refused with a message on the field."""

import http.server
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sources.models import Source
from tests.builders import admin_url

ARTICLE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>EU sanctions Iranian drone makers | Example News</title>
<meta name="author" content="Jane Doe"><meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2026-03-02T10:00:00Z">
<link rel="canonical" href="https://news.example/eu-drones"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>EU sanctions Iranian drone makers</h1>
<p>The European Union on Monday added three Iranian companies to its sanctions list, accusing them
of supplying drones to Russia &amp; its army.</p>
<p>The companies, based in Tehran and Isfahan, face an asset freeze. Their directors may no longer
travel to the bloc, officials said.</p>
<p>Iran denied sending weapons for use in Ukraine.</p></article>
<section class="comments"><p>Great article!</p></section>
<footer>© Example News. All rights reserved.</footer></body></html>"""

LOGIN_PAGE = "<html lang='en'><body><form>Log in <input name='user'></form></body></html>"

IMPORT = "/admin/sources/source/import/"


@pytest.fixture
def curator_client(users):
    client = Client()
    client.force_login(users.curator)
    return client


def upload(client, html, **data):
    page = SimpleUploadedFile("article.html", html.encode("utf-8"), content_type="text/html")
    return client.post(IMPORT, {"page": page, **data})


def test_a_saved_page_becomes_a_source_with_its_text_and_metadata(curator_client, users):
    response = upload(curator_client, ARTICLE)
    source = Source.objects.get()
    assert response.status_code == 302 and response["Location"] == admin_url(Source, "read", source.pk)
    assert source.text.startswith("EU sanctions Iranian drone makers\n\nThe European Union on Monday")
    assert "supplying drones to Russia & its army." in source.text
    assert "Home" not in source.text and "Great article" not in source.text and "rights reserved" not in source.text
    assert (source.title, source.author, source.publisher, source.url, source.published, source.language) == (
        "EU sanctions Iranian drone makers",
        "Jane Doe",
        "Example News",
        "https://news.example/eu-drones",
        "2026-03-02",
        "en",
    )
    assert source.created_by == users.curator and source.retrieved_at is None
    # the headline is cited as the source's title where the page shows it; the name in
    # the byline and the outlet are not in the article's text, so nothing cites them
    cited = {c.metadata_field: c.quote for c in source.citations.all()}
    assert cited == {"title": "EU sanctions Iranian drone makers"}
    assert source.citations.get().start == 0


def test_a_page_without_an_article_is_refused_on_its_field(curator_client):
    response = upload(curator_client, LOGIN_PAGE)
    assert response.status_code == 200
    assert "No article was found in this page" in " ".join(response.context["form"].errors["page"])
    assert not Source.objects.exists()


def test_a_page_that_does_not_say_its_language_asks_for_it(curator_client):
    html = ARTICLE.replace(' lang="en-GB"', "")
    response = upload(curator_client, html)
    assert "choose it" in " ".join(response.context["form"].errors["language"])
    assert not Source.objects.exists()
    assert upload(curator_client, html, language="de").status_code == 302
    assert Source.objects.get().language == "de"


def test_the_same_article_twice_is_refused_naming_the_first(curator_client):
    upload(curator_client, ARTICLE)
    first = Source.objects.get()
    response = upload(curator_client, ARTICLE)
    assert first.public_id in " ".join(response.context["form"].errors["page"])
    assert Source.objects.count() == 1


def test_a_page_and_an_address_together_or_neither_is_refused(curator_client):
    assert "either a saved page or an address" in upload(
        curator_client, ARTICLE, url="https://news.example/"
    ).content.decode().replace("\n", " ")
    assert "either a saved page or an address" in curator_client.post(IMPORT, {}).content.decode()


def test_the_server_does_not_fetch_local_or_private_addresses(curator_client):
    for url in ["http://127.0.0.1:8000/admin/", "http://10.0.0.1/", "http://[::1]/", "http://localhost/"]:
        response = curator_client.post(IMPORT, {"url": url})
        assert "private or local address" in " ".join(response.context["form"].errors["url"]), url
    response = curator_client.post(IMPORT, {"url": "ftp://example.org/a.html"})
    assert response.context["form"].errors["url"]
    assert not Source.objects.exists()


class _Pages(http.server.BaseHTTPRequestHandler):
    pages = {"/article": ("text/html; charset=utf-8", ARTICLE), "/data.json": ("application/json", "{}")}

    def do_GET(self):
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        content_type, body = self.pages.get(self.path, ("text/plain", "missing"))
        self.send_response(200 if self.path in self.pages else 404)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        self.wfile.write(body.encode("utf-8"))

    def log_message(self, *args):
        pass


@pytest.fixture
def site(settings):
    """A web server on loopback, which the import may reach when private addresses are allowed."""
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_an_address_is_fetched_following_redirects(curator_client, site):
    response = curator_client.post(IMPORT, {"url": f"{site}/moved"})
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.title == "EU sanctions Iranian drone makers" and source.retrieved_at is not None
    assert source.url == "https://news.example/eu-drones"  # the page's canonical address


def test_an_address_that_is_not_a_web_page_is_refused(curator_client, site):
    for path, message in [("/data.json", "not a web page"), ("/nothing", "answered 404")]:
        response = curator_client.post(IMPORT, {"url": site + path})
        assert message in " ".join(response.context["form"].errors["url"])
    assert not Source.objects.exists()


def test_only_those_who_may_add_sources_may_import(users):
    client = Client()
    client.force_login(users.auditor)
    assert client.get(IMPORT).status_code == 403
    page = SimpleUploadedFile("article.html", ARTICLE.encode(), content_type="text/html")
    assert client.post(IMPORT, {"page": page}).status_code == 403
    assert not Source.objects.exists()


def test_the_source_list_offers_the_import(curator_client):
    assert IMPORT in curator_client.get(admin_url(Source, "changelist")).content.decode()


def test_an_article_over_the_source_text_limit_is_refused_on_its_field(curator_client, settings):
    settings.SOURCE_TEXT_MAX_CHARS = 300
    response = upload(curator_client, ARTICLE)
    assert response.status_code == 200
    assert "SOURCE_TEXT_MAX_CHARS" in " ".join(response.context["form"].errors["page"])
    assert not Source.objects.exists()
