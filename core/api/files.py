"""Files served over the API: ``Content-Length``, validators and single byte ranges
(RFC 9110 §14), so a large download can be resumed, and a check between blocks that the
caller may still read (a key revoked mid-download stops it).

Django's ``FileResponse`` sends whole files only; ``file_response`` adds what a client
resuming a download needs: ``Accept-Ranges``, ``Range`` → 206 with ``Content-Range``, a
range outside the file → 416, ``If-Range`` (a range of a file that changed since is
answered with the whole new file) and ``If-None-Match`` → 304. Several ranges in one
request are answered with the whole file, as RFC 9110 allows.
"""

import logging
import re

from django.db import connection
from django.http import HttpResponseNotModified, JsonResponse, StreamingHttpResponse

from .views import etag_matches

logger = logging.getLogger("sanctions.downloads")

# Bytes read and written at a time; the caller's access is re-checked before each one.
BLOCK_SIZE = 1 << 20

# At most 18 digits (below 2**63): a longer number is no file's offset, and Python's
# int() refuses numbers of over 4,300 digits with an error; such a header is ignored.
_RANGE_RE = re.compile(r"bytes=(\d{0,18})-(\d{0,18})")


# Advisory-lock namespace of download slots (download_slot).
DOWNLOAD_LOCKS = 0x5AFE_0002


def download_slot(owner, limit):
    """Take one of the ``limit`` concurrent-download slots of ``owner`` (an integer id):
    a PostgreSQL advisory lock of this thread's database session, so every worker
    process sees it and a killed process gives it back. Returns the function that
    releases it, or None when all are taken."""
    with connection.cursor() as cursor:
        for slot in range(limit):
            key = (owner * 64 + slot) % (1 << 31)
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [DOWNLOAD_LOCKS, key])
            if cursor.fetchone()[0]:
                return lambda key=key: _release(key)
    return None


def _release(key):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [DOWNLOAD_LOCKS, key])


class Unsatisfiable(Exception):
    """The range asked for lies outside the file."""


def byte_range(header, size):
    """(start, stop) — stop exclusive — of a ``Range`` header for a file of ``size``
    bytes; None to send the whole file (no header, several ranges, a syntax this
    server ignores). Raises Unsatisfiable for a range outside the file."""
    match = _RANGE_RE.fullmatch((header or "").strip())
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(size - suffix, 0), size
    start = int(first)
    if last != "" and int(last) < start:
        return None  # invalid: ignored
    if start >= size:
        raise Unsatisfiable
    return start, size if last == "" else min(int(last) + 1, size)


def _blocks(file, start, stop, may_continue, name):
    """The bytes [start, stop) of ``file``; ``may_continue()`` is called before every
    block after the first and raises to end the download (the server then closes the
    connection, so the client sees a short body, never a silently truncated file)."""
    try:
        file.seek(start)
        position = start
        while position < stop:
            if position > start and may_continue is not None:
                try:
                    may_continue()
                except Exception as exc:
                    logger.warning("Download of %s stopped after %d of %d bytes: %s", name, position, stop, exc)
                    raise
            block = file.read(min(BLOCK_SIZE, stop - position))
            if not block:
                raise OSError(f"{name} ended at byte {position}, {stop} expected")
            position += len(block)
            yield block
    finally:
        file.close()


def file_response(request, file, size, *, etag, content_type, filename, may_continue=None):
    """A response serving the open binary ``file`` (closed with the response). ``etag``
    (quoted) must change whenever the content does."""
    if etag_matches(request, etag):
        file.close()
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    if_range = request.headers.get("If-Range")
    try:
        wanted = byte_range(request.headers.get("Range"), size) if if_range in (None, etag) else None
    except Unsatisfiable:
        file.close()
        response = JsonResponse(
            {"detail": f"The range asked for is outside the file, which has {size:,} bytes."}, status=416
        )
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, stop = wanted or (0, size)
    response = StreamingHttpResponse(_blocks(file, start, stop, may_continue, filename), content_type=content_type)
    response._resource_closers.append(file.close)  # also when the body is never read (HEAD)
    if wanted:
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    response["Content-Length"] = str(stop - start)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
