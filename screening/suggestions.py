"""What the source reader offers a curator: mentions of known entities to cite, and
names that may be new entities.

*Known* means published: mentions are looked up in the match index, which holds the
published entities only (an entity still waiting for review is found once it is
published). Each mention is tied back to the write-model entity, whose claims are
what a citation backs:

- the **Name claim** when the span spells one of the entity's current names exactly
  (the quote is then evidence of that very spelling);
- else the **entity claim** itself (the article names the entity in a spelling or
  script it doesn't list yet; the curator may add that spelling as a name).

A mention already covered by a citation backing the entity or one of its names is
marked as cited and not offered again. An entity deprecated or merged away in the write
model (awaiting review) is listed without an offer. Everything loads in a fixed number
of queries: one index lookup, the entities, their names.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.urls import reverse

from entities.models import Entity, Name
from sources import text as textlib
from sources.provenance import admin_change_url

from .mentions import Mention, Suggestion, find_mentions
from .new_entities import suggest_new_entities


@dataclass(eq=False)  # hashable by identity: the highlighter keys spans by it
class Offer:
    """One mention as the reader lists it."""

    number: int
    mention: Mention
    start_utf16: int
    end_utf16: int
    entity: object = None  # entities.Entity, None when the index knows an id the write model doesn't
    claim: object = None  # the Name or Entity a citation of the span backs; None: nothing to offer
    cited: bool = False
    unavailable: str = ""  # why there is no offer

    @property
    def start(self):
        return self.mention.start

    @property
    def end(self):
        return self.mention.end

    @property
    def offered(self):
        return self.claim is not None and not self.cited

    @property
    def caption(self):
        return self.entity.caption if self.entity is not None else self.mention.name

    @property
    def claim_label(self):
        if self.claim is None:
            return ""
        if self.claim is self.entity:
            return f"the {self.entity.kind} itself"
        return f"its name “{self.claim.value}”"

    @property
    def admin_url(self):
        return admin_change_url(self.entity) if self.entity is not None else None

    @property
    def mention_kind(self):
        """How the span names the entity, in a few words."""
        m = self.mention
        if m.family_only:
            return "family name only"
        if m.name_type == "weak_alias":
            return "weak alias"
        return "exact name" if m.text == m.name else f"{m.name_type.replace('_', ' ')} “{m.name}”, another spelling"


@dataclass(frozen=True)
class NewEntity:
    suggestion: Suggestion
    add_url: str  # the admin's add page, kind and name filled in
    recorded: object = None  # an entity of the write model already named so (a draft awaiting review)

    @property
    def recorded_url(self):
        return admin_change_url(self.recorded) if self.recorded is not None else None


def offers(text: str, cited: set[tuple[int, int, str]]) -> list[Offer]:
    """The mentions of published entities in ``text``, in text order. ``cited``: the
    (start, end, entity public id) of every citation backing an entity or one of its
    names; a mention inside such a span counts as cited."""
    mentions = find_mentions(text)
    entities = {
        e.public_id: e
        for e in Entity.objects.filter(public_id__in={m.entity_id for m in mentions})
        .select_related("merged_into")
        .prefetch_related(Prefetch("names", queryset=Name.objects.order_by("pk")))
    }
    utf16 = textlib.utf16_offsets(text, {o for m in mentions for o in (m.start, m.end)})
    cited_by_entity: dict[str, list[tuple[int, int]]] = {}
    for start, end, entity_id in cited:
        cited_by_entity.setdefault(entity_id, []).append((start, end))
    out = []
    for number, m in enumerate(mentions):
        offer = Offer(number, m, utf16[m.start], utf16[m.end], entity=entities.get(m.entity_id))
        offer.cited = any(s <= m.start and m.end <= e for s, e in cited_by_entity.get(m.entity_id, ()))
        entity = offer.entity
        if entity is None:
            offer.unavailable = "not in this database's write model"
        elif entity.merged_into_id:
            offer.unavailable = f"merged into {entity.merged_into.public_id} (awaiting review)"
        elif entity.deprecated_at:
            offer.unavailable = "deprecated (awaiting review)"
        else:
            exact = [n for n in entity.names.all() if n.deprecated_at is None and n.value == m.text]
            offer.claim = exact[0] if exact else entity
        out.append(offer)
    return out


def new_entities(text: str, known: list[Offer], language: str = "", cited=()) -> list[NewEntity]:
    """Likely persons and organisations the known mentions don't cover, each with the
    admin's add page for it; one whose words the write model names already, or that
    overlap words cited for an entity (``cited``: (start, end, entity id), as for
    ``offers``: "Sepehr Parts Trading Co" inside the cited "Sepehr Parts Trading Co."),
    comes with that entity as ``recorded``."""
    base = reverse("admin:entities_entity_add")
    suggestions = suggest_new_entities(text, known=[o.mention for o in known])
    recorded = _recorded({s.text for s in suggestions})
    overlapping = {
        s: next((entity for start, end, entity in sorted(cited) if start < s.end and s.start < end), None)
        for s in suggestions
    }
    by_id = _entities_by_public_id({e for e in overlapping.values() if e})
    out = []
    for s in suggestions:
        params = {"kind": s.kind, "name": s.text}
        if language:
            params["lang"] = language
        entity = recorded.get(s.text.casefold()) or by_id.get(overlapping[s])
        out.append(NewEntity(s, f"{base}?{urlencode(params)}", entity))
    return out


def _entities_by_public_id(public_ids):
    if not public_ids:
        return {}
    return {e.public_id: e for e in Entity.objects.filter(public_id__in=public_ids).prefetch_related("names")}


def _recorded(texts):
    """{casefolded name: live entity} for the write-model entities named by one of
    ``texts``: the match index knows only published ones, so an entity a curator has
    just created (a draft) would otherwise be offered as new until it is approved. One
    query, however many suggestions."""
    if not texts:
        return {}
    names = (
        Name.objects.annotate(folded=Lower("value"))
        .filter(
            folded__in={t.lower() for t in texts},
            deprecated_at__isnull=True,
            entity__deprecated_at__isnull=True,
            entity__merged_into__isnull=True,
        )
        .select_related("entity")
        .prefetch_related("entity__names")
        .order_by("pk")
    )
    out = {}
    for name in names:
        out.setdefault(name.value.casefold(), name.entity)
    return out


def guess_kind(words: str) -> str:
    """ "person" or "organisation": what the new-entity suggestions make of selected
    words (the longest suggestion in them decides); two to four capitalised words they
    make nothing of read as a person's name (a selection is a name without its title);
    else ""."""
    found = suggest_new_entities(words)
    if found:
        return max(found, key=lambda s: s.end - s.start).kind
    parts = words.split()
    return "person" if 2 <= len(parts) <= 4 and all(p[:1].isupper() for p in parts) else ""
