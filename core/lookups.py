"""``field__any=values``: ``field = ANY(%s)``, the values sent as one array parameter.

Same rows as ``__in``, but one parameter instead of one per value: a query over tens of
thousands of ids (publishing a batch of records) is not assembled, quoted and parsed
value by value, which costs more than running it. Integers and strings are written
as one array literal here (psycopg's list adapter quotes element by element).
"""

from django.db.models import Field, ForeignObject, Lookup


def _array_literal(values):
    """PostgreSQL's text form of a one-dimensional array of ints or strs, or None."""
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    if all(type(v) is str for v in values):
        return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"
    return None


class Any(Lookup):
    lookup_name = "any"

    def get_prep_lookup(self):
        return list(self.rhs)  # prepared in as_sql, in bulk

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = self.rhs
        literal = _array_literal(values)
        if literal is not None:
            base_type = field.db_type(connection).split("(")[0]  # varchar(32) → varchar; a FK → its target's
            return f"{lhs} = ANY(%s::{base_type}[])", (*params, literal)
        values = [field.get_db_prep_value(field.get_prep_value(v), connection, prepared=True) for v in values]
        return f"{lhs} = ANY(%s)", (*params, values)


Field.register_lookup(Any)
ForeignObject.register_lookup(Any)  # foreign keys keep lookups of their own
