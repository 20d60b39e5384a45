"""The match index: derived from published records, rebuilt at will, never edited by hand.

Two tables make the index. ``IndexedEntity`` holds one row per entity with everything scoring needs
(names already analysed, birth date, countries, identifiers) as JSON, so a match reads
its candidates in the same query that finds them. ``NameKey`` is the inverted index:
(key, entity) pairs whose primary key is the btree that candidate retrieval walks; keys
are "s:<consonant skeleton of a name token>", "n:<sorted skeletons of a whole name>",
"f:<sorted folded spellings of a whole name>", "l:<skeleton of a person's family name>"
(mentions only) and "i:<identifier>". ``CitedSpelling`` (a third, beside them) holds the
word pairs that entities' names cited in two scripts spell (``screening.spellings``).
"""

from django.db import models

from core.fields import EnumField


class IndexedEntity(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "person"
        ORGANISATION = "organisation", "organisation"

    entity_id = models.CharField(max_length=32, unique=True, help_text="Public id of the entity (ent_...).")
    kind = EnumField(choices=Kind.choices)
    caption = models.CharField(max_length=500)
    doc = models.JSONField(help_text="Analysed names, birth date, countries and identifiers (see screening.index).")
    indexed_at = models.DateTimeField(db_default=models.functions.Now())

    class Meta:
        verbose_name = "indexed entity"
        verbose_name_plural = "indexed entities"

    def __str__(self):
        return f"{self.caption} ({self.entity_id})"


class NameKey(models.Model):
    pk = models.CompositePrimaryKey("key", "entity")
    # "C" collation: byte-wise comparison, the fastest btree order, and keys are ASCII.
    key = models.CharField(max_length=200, db_collation="C")
    entity = models.ForeignKey(IndexedEntity, on_delete=models.CASCADE, related_name="keys")

    class Meta:
        verbose_name = "name key"

    def __str__(self):
        return f"{self.key} → {self.entity_id}"


class CitedSpelling(models.Model):
    """A word of a cited name as written in another script, and its Latin spelling in a
    name of the same entity (``screening.spellings``); one row per entity citing it."""

    pk = models.CompositePrimaryKey("form", "equivalent", "entity")
    form = models.CharField(max_length=200, help_text="The word as written (casefolded), not in Latin letters.")
    equivalent = models.CharField(max_length=500, help_text="Its Latin spelling, as analysed tokens.")
    keys = models.CharField(max_length=1000, help_text="The equivalent's retrieval keys, space-separated.")
    entity = models.ForeignKey(IndexedEntity, on_delete=models.CASCADE, related_name="cited_spellings")

    class Meta:
        verbose_name = "cited spelling"

    def __str__(self):
        return f"{self.form} = {self.equivalent}"
