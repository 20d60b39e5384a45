"""``field__any=values``: ``field = ANY(%s)``, the values sent as one array parameter.

Same rows as ``__in``, but one parameter instead of one per value: a query over tens of
thousands of ids (publishing a batch of records) is not assembled, quoted and parsed
value by value, which costs more than running it.
"""
from django.db.models import Field, ForeignObject, Lookup


class Any(Lookup):
    lookup_name = "any"

    def get_prep_lookup(self):
        field = self.lhs.output_field
        return [field.get_prep_value(v) for v in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
        return f"{lhs} = ANY(%s)", (*params, values)


Field.register_lookup(Any)
ForeignObject.register_lookup(Any)  # foreign keys keep lookups of their own
