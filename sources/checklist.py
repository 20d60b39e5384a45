"""What a curator still has to cite: the reader's checklist beside the article.

``needs_citing(record, ...)`` lists, for one record, the entries still waiting for a
quote: the record's claims (``record.claims()``) the curator created that are live and
backed by no citation, and their published values (a birth date, a measure:
ClaimProperty, ref "<pk>:<property>") that no citation backs.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from . import provenance
from .models import Claim, ClaimProperty, Evidence

# The claim types whose values are cited one by one (``cited_properties``): a record
# with all its claims cited may still wait for a birth date's or a measure's quote.
PROPERTY_HOLDERS = (Claim.Type.ENTITY, Claim.Type.SANCTION_ACTION, Claim.Type.SANCTION_TARGET)
LIMIT = 200  # claims looked at; a curator's uncited backlog is far shorter


@dataclass(frozen=True)
class Entry:
    """One thing to cite: ``ref`` is what the cite panel posts as ``claim``."""

    ref: str
    label: str
    type_label: str


def needs_citing(record, user, evidenced):
    """[Entry] of ``record`` that ``user`` created and no citation backs yet;
    ``evidenced``: the refs ("<pk>", "<pk>:<property>") some citation backs."""
    return [
        Entry(str(claim.pk), str(claim), str(claim._meta.verbose_name))
        for claim in record.claims()
        if claim.created_by_id == user.pk and not claim.is_deprecated and str(claim.pk) not in evidenced
    ]


def evidenced_refs(claim_ids):
    """The refs ("<pk>" or "<pk>:<property>") that some citation backs, of these claims."""
    return {
        f"{pk}:{prop}" if prop else str(pk)
        for pk, prop in Evidence.objects.filter(claim_id__in=claim_ids).values_list("claim_id", "property")
    }


def uncited(user, models):
    """[(record, [Entry])] for every record of ``models`` (claim models that list their
    claims: entity, sanction action) holding a claim ``user`` created that no citation
    backs, newest first; a fixed number of queries (one per model and its prefetches)."""
    mine = Claim.objects.filter(created_by=user, deprecated_at__isnull=True).order_by("-pk")
    # Claims no citation backs; and, apart, the newest claims that may hold values (a
    # birth date, a measure), whose values ``needs_citing`` checks one by one: two limits,
    # so records with nothing left to cite never crowd out those with an uncited claim.
    uncited_claims = mine.filter(~Exists(Evidence.objects.filter(claim=OuterRef("pk"))))
    holders = mine.filter(claim_type__in=PROPERTY_HOLDERS)
    pairs = {
        *uncited_claims.values_list("pk", "claim_type")[:LIMIT],
        *holders.values_list("pk", "claim_type")[:LIMIT],
    }
    records = {}
    for info in provenance.load_claims(pairs).values():
        record = info.record
        if type(record) in models:
            records.setdefault(type(record), set()).add(record.pk)
    if not records:
        return []
    loaded = [r for model, ids in records.items() for r in model.with_claims().filter(pk__in=ids)]
    claims = [c for r in loaded for c in r.claims() if not isinstance(c, ClaimProperty)]  # properties share pks
    evidenced = evidenced_refs({c.pk for c in claims})
    out = [(r, needs_citing(r, user, evidenced)) for r in loaded]
    return sorted([(r, entries) for r, entries in out if entries], key=lambda item: -item[0].pk)
