"""Export files: each export written once per publication, then served from disk.

Streaming an export from the database held a REPEATABLE READ transaction (and a
server-side cursor) open for as long as the client took to read it: two partners
reading slowly held two transactions and, with sync workers, both workers. A file is
written at the server's own speed, in one snapshot, and the download then holds no
database state at all; a file also has a size, so clients get ``Content-Length`` and
can resume with ``Range``.

Files live under ``EXPORT_ROOT/<database>/<version>/<filename>``. The version names
the latest publication (its ``seq`` and time, so a restored or recreated database
never serves another database's file): the first request after a publication writes
the file (``manage.py write_exports`` does it ahead of partners), later ones read it,
and older versions are deleted once a newer file is complete (a download still
reading an old file keeps it open until it ends). A file is written to a temporary
name and renamed when complete; a PostgreSQL advisory lock makes concurrent requests
for the same file wait for one writer instead of each writing it.

FollowTheMoney's ``Article`` lines carry source metadata, which may be edited without
review (see README, *Not built yet*): such an edit reaches the file at the next
publication.
"""

import os
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import connection

from ..models import PublishedVersion
from .shared import EXPORTS, snapshot


@dataclass(frozen=True)
class ExportFile:
    file: BinaryIO  # open for reading; the caller closes it
    size: int
    version: str  # the publication it reflects: "<seq>-<microseconds since the epoch>"
    filename: str

    @property
    def etag(self):
        return f'"{self.version}-{self.filename}"'


def _root():
    return Path(settings.EXPORT_ROOT) / connection.settings_dict["NAME"]


def _latest_version():
    latest = PublishedVersion.objects.order_by("-seq").values_list("seq", "published_at").first()
    if latest is None:
        return "0-0"
    seq, published_at = latest
    return f"{seq}-{round(published_at.timestamp() * 1_000_000)}"


def _seq(version):
    try:
        return int(version.split("-", 1)[0])
    except ValueError:
        return None


def current_file(export):
    """The file of ``export`` for the latest publication, open for reading (written
    first if missing)."""
    with snapshot():
        version = _latest_version()
        path = _root() / version / export.filename
        file = _open(path)
        if file is None:
            # One writer per file; the others wait here, then find it written.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(str(path).encode())])
            file = _open(path)
            for _attempt in range(3):
                if file is not None:
                    break
                try:
                    _write(export, path)
                    file = open(path, "rb")  # noqa: SIM115 (the response closes it)
                except FileNotFoundError:
                    # A request that saw a later publication removed this one's directory
                    # meanwhile: this snapshot's file is written again, and served.
                    file = None
            if file is None:
                raise RuntimeError(f"{path} was removed three times while being written")
    _remove_older(version)
    return ExportFile(file, os.fstat(file.fileno()).st_size, version, export.filename)


def _open(path):
    try:
        return open(path, "rb")  # noqa: SIM115 (the response closes it)
    except FileNotFoundError:
        return None


def _write(export, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    # The rows come from the caller's snapshot (stream() reads in the open transaction).
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in export.stream():
                out.write(chunk)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would keep a static file server out
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove_older(version):
    """Delete the files of publications before ``version``, not newer ones a concurrent
    request may have written meanwhile."""
    current = _seq(version)
    for directory in _root().glob("*"):
        seq = _seq(directory.name)
        if seq is not None and seq < current:
            shutil.rmtree(directory, ignore_errors=True)


def write_all():
    """Write every export's file for the latest publication; [(filename, path, size)]."""
    written = []
    for export in EXPORTS.values():
        current = current_file(export)
        current.file.close()
        written.append((export.filename, Path(current.file.name), current.size))
    return written
