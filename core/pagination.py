"""A paginator for admin lists of a million rows: no COUNT(*) over all of them per page.

Counting stops after ``exact_limit`` rows (a LIMITed subquery): below that the count
is exact; above, the page count comes from PostgreSQL's planner estimate of the rows
(EXPLAIN, i.e. table statistics) and ``estimated`` is True, so templates say "about".
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    exact_limit = 10_000
    estimated = False

    @cached_property
    def count(self):
        rows = self.object_list.order_by().values("pk")
        exact = rows[: self.exact_limit + 1].count()
        if exact <= self.exact_limit:
            return exact
        self.estimated = True
        return max(exact, planner_rows(rows))


def planner_rows(queryset):
    """How many rows PostgreSQL expects ``queryset`` to return (no rows are read)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def related_count(model, fk, **filters):
    """``annotate(n=related_count(Citation, "source"))``: how many ``model`` rows point at
    each row, as a correlated subquery. Unlike ``Count()``, which groups the whole join
    before LIMIT, PostgreSQL computes it for the page's rows only (unless the list is
    sorted by it)."""
    counts = (
        model._default_manager.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)
