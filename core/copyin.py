"""Bulk writes with PostgreSQL's COPY: ids drawn from a table's own sequence up front
(so rows can reference each other before they exist), then rows streamed in.

COPY fires the same triggers and checks the same constraints as INSERT; it skips the
per-row statement and the ORM's per-object work, which at thousands of rows is most of
the time.
"""

from django.db import connection


def reserve_ids(cursor, model, count):
    """``count`` fresh ids from the table's own sequence, in one query, ascending."""
    if not count:
        return []
    with connection.wrap_database_errors:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id FROM generate_series(1, %s) ORDER BY id",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(cursor, table, columns, rows):
    """COPY ``rows`` (tuples in ``columns`` order) into ``table``; returns the count.
    ``cursor`` is a psycopg cursor (``django_cursor.cursor``)."""
    count = 0
    sql = f"COPY {connection.ops.quote_name(table)} ({', '.join(map(connection.ops.quote_name, columns))}) FROM STDIN"
    with connection.wrap_database_errors, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
