"""Operations on sources and citations that change several rows at once, each in one
transaction: citing a span for a claim, superseding a source with a corrected text
(re-anchoring its citations), and resolving what re-anchoring could not place."""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import reanchor
from . import text as textlib
from .models import Citation, Claim, ClaimProperty, Evidence, ReanchorProblem, Source
from .signals import claims_edited

SOURCE_METADATA = ("title", "publisher", "url", "author", "language", "published", "retrieved_at")


def _lock_current(source):
    """The source row, locked so a citation and a supersession of it can't interleave;
    refused once a corrected source has replaced it."""
    locked = Source.objects.select_for_update().get(pk=source.pk)
    successor = Source.objects.filter(supersedes=locked).only("public_id").first()
    if successor is not None:
        raise ValidationError(
            {
                "source": f"Source {locked.public_id} has been superseded by the corrected source "
                f"{successor.public_id}; cite the corrected text instead (reload its page)."
            }
        )
    return locked


def _link(citation, backed, user):
    """Evidence rows to citation from each (claim id, property) of ``backed`` (property
    "" for the claim itself); existing links are kept. Returns the pairs added. The apps
    that show the claims hear once, for all of them (one edit of each record)."""
    claim_ids = {c for c, _ in backed}
    have = set(Evidence.objects.filter(citation=citation, claim_id__in=claim_ids).values_list("claim_id", "property"))
    new = [
        Evidence(claim_id=c, citation=citation, property=p, created_by=user)
        for c, p in dict.fromkeys(backed)
        if (c, p) not in have
    ]
    Evidence.objects.bulk_create(new)
    notify_claims_edited(list(dict.fromkeys(e.claim_id for e in new)), user)
    return {(e.claim_id, e.property) for e in new}


def notify_claims_edited(claim_ids, user):
    """The citations backing these claims changed: tell the apps that show them."""
    if claim_ids:
        claims_edited.send(sender=Claim, user=user, claim_ids=list(claim_ids))


def check_property(claim, property):
    """Refuse a property the claim has no value of (see Claim.cited_properties)."""
    if property and property not in dict(claim.specific().cited_properties()):
        raise ValidationError(
            {"claim": f"{claim.specific()} has no value {property!r} to cite (it is empty, or not a property)."}
        )


@transaction.atomic
def cite(source, start, end, claim, user, translation="", property=""):
    """Back `claim` (or its ``property``: a key of its cited_properties(); or a
    ClaimProperty standing for both) with the span start–end (code points) of `source`.

    Reuses the citation of that exact span when there is one. Returns
    (citation, citation_created, evidence_created).
    """
    citation, created, linked = cite_many(source, start, end, [(claim, property)], user, translation)
    return citation, created, linked[0]


@transaction.atomic
def cite_many(source, start, end, backed, user, translation=""):
    """``cite`` for several claims at once: ``backed`` is [(claim or ClaimProperty,
    property)]; one citation, one lock, one notice of the edit per record. Returns
    (citation, citation_created, [evidence created, per item of ``backed``])."""
    pairs = []
    for claim, property in backed:
        if isinstance(claim, ClaimProperty):
            claim, property = claim.claim, claim.key
        check_property(claim, property)
        pairs.append((claim.pk, property))
    source = _lock_current(source)
    citation = Citation.objects.filter(source=source, start=start, end=end).first()
    created = citation is None
    if created:
        citation = Citation(source=source, start=start, end=end, translation=translation, created_by=user)
        citation.anchor()  # quote, prefix and suffix from the server's text, never the client's
        citation.save()
    added = _link(citation, pairs, user)
    return citation, created, [pair in added for pair in pairs]


# ------------------------------------------------------------------------ supersede


@dataclass
class SupersedeResult:
    source: Source
    placed: Counter = field(default_factory=Counter)  # method -> count
    problems: list = field(default_factory=list)  # ReanchorProblem rows

    @property
    def summary(self):
        placed = sum(self.placed.values())
        how = ", ".join(f"{n} {method.replace('_', ' ')}" for method, n in sorted(self.placed.items()))
        text = f"{placed} citation(s) re-anchored" + (f" ({how})" if how else "")
        return f"{text}; {len(self.problems)} need a curator."


# The metadata an imported page shows in its text as written (a headline, a byline's
# name, an outlet's name); a date or an address is shown in a form of its own, not cited.
CITED_METADATA = (Citation.MetadataField.TITLE, Citation.MetadataField.AUTHOR, Citation.MetadataField.PUBLISHER)


def cite_metadata(source, user):
    """Cite the first place ``source``'s text shows its title, author or publisher
    (a Citation with ``metadata_field``): the source's metadata then traces to its words
    like any claim. Returns {field: citation} for those the text shows."""
    cited = {}
    for name in CITED_METADATA:
        value = getattr(source, str(name))
        at = source.text.find(value) if value else -1
        if at == -1:
            continue
        citation, _ = Citation.objects.get_or_create(
            source=source,
            start=at,
            end=at + len(value),
            defaults={"metadata_field": name, "created_by": user},
        )
        cited[str(name)] = citation
    return cited


@transaction.atomic
def supersede(old_source, new_text, user, note=""):
    """Add the corrected text of `old_source` as a new source that supersedes it, and
    re-anchor every citation of the old source (see reanchor.py). Citations placed with
    confidence become citations of the new source backing the same claims; the others
    become ReanchorProblems. The old source and its citations stay as they are."""
    old = _lock_current(old_source)
    open_problems = old.reanchor_problems.filter(resolution="").count()
    if open_problems:
        raise ValidationError(
            {
                "source": f"{open_problems} citation(s) from the source {old.public_id} corrected are still "
                "waiting for a curator; resolve them before correcting this text again."
            }
        )
    try:
        new_text = textlib.normalise(new_text or "")
    except ValidationError as exc:
        raise ValidationError({"text": exc.messages}) from None
    if not new_text.strip():
        raise ValidationError({"text": "The corrected text is empty."})
    if new_text == old.text:
        raise ValidationError({"text": "The corrected text is identical to the current text."})

    new = Source(text=new_text, supersedes=old, correction_note=note, created_by=user)
    for name in SOURCE_METADATA:
        setattr(new, name, getattr(old, name))
    new.save()

    result = SupersedeResult(new)
    now = timezone.now()
    citations = old.citations.order_by("start", "end").prefetch_related("evidence")
    for old_citation in citations:
        placement = reanchor.place(
            old_citation.quote, old_citation.prefix, old_citation.suffix, old_citation.start, old_citation.end, new_text
        )
        if placement.placed:
            citation, _ = Citation.objects.get_or_create(
                source=new,
                start=placement.start,
                end=placement.end,
                defaults={
                    "translation": old_citation.translation,
                    "metadata_field": old_citation.metadata_field,
                    "created_by": user,
                    "created_at": now,
                    "reanchored_from": old_citation,
                },
            )
            _link(citation, [(e.claim_id, e.property) for e in old_citation.evidence.all()], user)
            result.placed[placement.method] += 1
        else:
            result.problems.append(
                ReanchorProblem.objects.create(
                    citation=old_citation,
                    source=new,
                    reason=placement.problem,
                    detail=placement.detail,
                    candidates=placement.candidates,
                    created_at=now,
                )
            )
    return result


# --------------------------------------------------------------- curator decisions


def _lock_open(problem):
    problem = ReanchorProblem.objects.select_for_update().select_related("citation", "source").get(pk=problem.pk)
    if not problem.is_open:
        raise ValidationError(f"This problem was already resolved ({problem.get_resolution_display()}).")
    return problem


@transaction.atomic
def place_problem(problem, start, end, user, note=""):
    """The curator's placement of a citation re-anchoring couldn't place: a citation of
    the corrected source at start–end backing the old citation's claims."""
    problem = _lock_open(problem)
    old = problem.citation
    source = _lock_current(problem.source)
    try:
        quote, _, _ = textlib.span_context(source.text, start, end)
    except ValidationError as exc:
        raise ValidationError({"start": exc.messages}) from None
    citation = Citation.objects.filter(source=source, start=start, end=end).first()
    if citation is None:
        citation = Citation(
            source=source,
            start=start,
            end=end,
            translation=old.translation if quote == old.quote else "",
            metadata_field=old.metadata_field,
            created_by=user,
            reanchored_from=old,
        )
        citation.anchor()
        citation.save()
    _link(citation, list(old.evidence.values_list("claim_id", "property")), user)
    problem.resolution = ReanchorProblem.Resolution.PLACED
    problem.resolved_citation = citation
    problem.resolution_note = note
    problem.resolved_at, problem.resolved_by = timezone.now(), user
    problem.save()
    return citation


@transaction.atomic
def drop_problem(problem, user, note):
    """Record that the corrected text has nothing the old citation's claims can rest on;
    they keep their citation of the old source only."""
    if not (note or "").strip():
        raise ValidationError({"resolution_note": "Say why the corrected text has no counterpart."})
    problem = _lock_open(problem)
    problem.resolution = ReanchorProblem.Resolution.DROPPED
    problem.resolution_note = note.strip()
    problem.resolved_at, problem.resolved_by = timezone.now(), user
    problem.save()
    return problem
