"""Articles from web pages: the text and metadata of an HTML page, uploaded as a file or
fetched from a URL, ready to become a source.

trafilatura finds the article in the page (leaving out navigation, comments and
footers) and reads its title, author, outlet and date; the page's ``lang`` gives the
language. Fetching guards against being turned on the server's own network: only
http(s), only public addresses (unless ARTICLE_FETCH_ALLOW_PRIVATE, for an intranet),
the connection made to the address that was checked, a few redirects each checked
again, a time limit, and no more bytes than a request body may hold.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from django.conf import settings

from core.codes import LANGUAGES

# Less text than this is a login page, an index or an error page, not an article.
MIN_ARTICLE_CHARS = 200
MAX_REDIRECTS = 3
FETCH_TIMEOUT = 15
HTML_TYPES = ("text/html", "application/xhtml+xml")


class NotAnArticle(ValueError):
    """The page can't become a source; the message says why and what to do."""


@dataclass
class Article:
    text: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    url: str = ""
    published: str = ""  # a partial date, YYYY-MM-DD
    language: str = ""  # ISO 639-1, "" when the page doesn't say


def from_html(html, url=""):
    """The article in ``html`` (bytes or text), or NotAnArticle."""
    if isinstance(html, bytes):
        html = _decode(html)
    if not html.strip():
        raise NotAnArticle("The page is empty.")
    found = trafilatura.bare_extraction(html, url=url or None, with_metadata=True, favor_precision=True)
    data = found.as_dict() if found is not None else {}
    lines = [line.strip() for line in (data.get("text") or "").splitlines() if line.strip()]
    text = "\n\n".join(lines)  # one paragraph per line: blank lines between them read better
    if len(text) < MIN_ARTICLE_CHARS:
        raise NotAnArticle(
            f"No article was found in this page ({len(text)} characters of text, fewer than {MIN_ARTICLE_CHARS}): "
            "it may be an index, a login or an error page. Paste the article's text in a new source instead."
        )
    return Article(
        text=text,
        title=(data.get("title") or "")[:500],
        author=(data.get("author") or "")[:300],
        publisher=(data.get("sitename") or data.get("hostname") or "")[:200],
        url=_http_url(data.get("url") or url),
        published=data.get("date") or "",
        language=_language(html),
    )


def _decode(raw):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # lxml reads the page's own <meta charset> declaration.
        return lxml.html.tostring(lxml.html.fromstring(raw), encoding="unicode")


def _language(html):
    try:
        declared = lxml.html.fromstring(html).get("lang") or ""
    except (ValueError, lxml.etree.ParserError):
        return ""
    code = declared.strip().split("-")[0].lower()
    return code if code in LANGUAGES else ""


def _http_url(url):
    return url if urlsplit(url).scheme in ("http", "https") else ""


# ------------------------------------------------------------------------- fetching


def fetch(url):
    """(page bytes, final URL) of an http(s) URL on a public address, or NotAnArticle."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NotAnArticle(f"Only http and https addresses can be fetched, not {url!r}.")
        address = _public_address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        connection = _pinned_connection(parts, address)
        try:
            path = parts.path or "/"
            connection.request(
                "GET",
                path + (f"?{parts.query}" if parts.query else ""),
                headers={"User-Agent": "sanctions-db article import", "Accept": "text/html"},
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise NotAnArticle(f"{url} answered {response.status} {response.reason}.")
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if content_type not in HTML_TYPES:
                raise NotAnArticle(f"{url} is {content_type or 'of no stated type'}, not a web page.")
            limit = settings.REQUEST_BODY_MAX_BYTES or 10_000_000
            body = response.read(limit + 1)
            if len(body) > limit:
                raise NotAnArticle(f"{url} is larger than {limit} bytes; save the page and upload the file.")
            return body, url
        except (OSError, http.client.HTTPException) as exc:
            raise NotAnArticle(f"{url} could not be fetched: {exc}.") from None
        finally:
            connection.close()
    raise NotAnArticle(f"{url} redirects more than {MAX_REDIRECTS} times.")


def _public_address(host, port):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise NotAnArticle(f"The host {host!r} is not known.") from None
    address = infos[0][4][0]
    ip = ipaddress.ip_address(address)
    if not ip.is_global and not settings.ARTICLE_FETCH_ALLOW_PRIVATE:
        raise NotAnArticle(
            f"{host} is a private or local address ({address}); the server only fetches public pages. "
            "Save the page and upload the file instead."
        )
    return address


def _pinned_connection(parts, address):
    """A connection to ``address`` (the one checked; no second look-up a DNS answer could
    change in between), speaking to the URL's host name (Host header, TLS name)."""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    return kind(parts.hostname, address, port=port, timeout=FETCH_TIMEOUT)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
