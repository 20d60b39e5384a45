"""Back up, restore into a fresh database, and find the same provenance and the same
published data there (pg_dump / pg_restore, custom format)."""

import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from core import pgtools
from core.management.commands.published_digest import digests
from tests.builders import database_url, manage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch_database():
    """The name of a database that doesn't exist yet (dropped after the test)."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    yield name
    with pgtools.connect(connection.settings_dict, dbname="postgres") as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def table_digests(info):
    """{table: (rows, md5 of its rows in order)} for every table of the database."""
    with psycopg.connect(**info) as conn:
        tables = [
            t
            for (t,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
                ).format(sql.Identifier(table))
            ).fetchone()
            for table in tables
        }


def test_a_backup_restores_into_a_fresh_database_with_the_same_provenance_and_published_data(
    tmp_path, scratch_database
):
    call_command("load_seed_corpus", verbosity=0)  # published through the review workflow
    original = pgtools.conninfo(connection.settings_dict)
    restored = {**original, "dbname": scratch_database}
    url = database_url(restored)
    archive = tmp_path / "seed.dump"

    call_command("backup_database", output=str(archive), no_progress=True)
    call_command("restore_database", str(archive), database_url=url, no_progress=True)

    check = manage(url, "verify_provenance", "--no-progress")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Provenance verified" in check.stdout
    digest = manage(url, "published_digest", "--no-progress")
    assert digest.returncode == 0, digest.stderr
    expected = digests()
    # 68 versions of entities and sanction actions, and the 8 authorities and programmes
    # their actions show, first published with them.
    assert expected["published records"][0] == 76 and expected["published versions"][0] == 76
    assert digest.stdout.splitlines() == [
        f"{label}: {rows} rows, sha256 {sha}" for label, (rows, sha) in expected.items()
    ]
    # every table, row for row (history, users, review log...), not only what partners see
    assert table_digests(restored) == table_digests(original)

    # the published model's guards came back with the data
    with psycopg.connect(**restored) as conn, pytest.raises(psycopg.errors.CheckViolation, match="append-only"):
        conn.execute("UPDATE publishing_publishedversion SET version = version + 1")

    # a second restore into it is refused: it has tables now; forced, it replaces them with the same
    with pytest.raises(CommandError, match=rf"Database {scratch_database} already has \d+ tables.*--force"):
        call_command("restore_database", str(archive), database_url=url, no_progress=True)
    call_command("restore_database", str(archive), database_url=url, force=True, no_progress=True)
    assert table_digests(restored) == table_digests(original)


def test_backup_and_restore_name_what_is_wrong(tmp_path):
    archive = tmp_path / "exists.dump"
    archive.write_text("not an archive")
    with pytest.raises(CommandError, match=f"{archive} exists already"):
        call_command("backup_database", output=str(archive), no_progress=True)
    with pytest.raises(CommandError, match=f"{archive} is not a pg_dump custom-format archive"):
        call_command("restore_database", str(archive), no_progress=True)
    with pytest.raises(CommandError, match="missing.dump: no such file"):
        call_command("restore_database", str(tmp_path / "missing.dump"), no_progress=True)
