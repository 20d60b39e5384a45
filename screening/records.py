"""The plain records the matching core works on, independent of any Django model.

The publication workflow renders published documents into ``EntityRecord``; the write
model adapter in ``screening.sources`` does the same for unpublished data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.partial_dates import validate_partial_date

NAME_TYPES = ("primary", "alias", "weak_alias", "previous", "transliteration")
KINDS = ("person", "organisation")


@dataclass(frozen=True)
class NameRecord:
    value: str
    type: str = "primary"  # one of NAME_TYPES
    lang: str = ""         # ISO 639-1 of the spelling, "" when unknown

    def __post_init__(self):
        if self.type not in NAME_TYPES:
            raise ValueError(f"name type {self.type!r} is not one of {', '.join(NAME_TYPES)}")
        if not self.value or not self.value.strip():
            raise ValueError("a name can't be empty")


def check_partial_date(value: str, what: str) -> None:
    """ValueError unless value is "" or a partial ISO date ("1960", "1960-05", "1960-05-17")."""
    try:
        validate_partial_date(value)
    except Exception as exc:  # Django's ValidationError, kept out of this plain API
        raise ValueError(f"{what}: {value!r} is not a partial ISO date (YYYY, YYYY-MM or YYYY-MM-DD)") from exc


def _name(value) -> NameRecord:
    if isinstance(value, NameRecord):
        return value
    if isinstance(value, str):
        return NameRecord(value)
    return NameRecord(*value)


@dataclass(frozen=True)
class EntityRecord:
    """One published person or organisation as the index sees it.

    ``names`` accepts NameRecord, (value, type, lang) tuples or bare strings (primary);
    ``identifiers`` are (scheme, value) pairs; ``birth_date`` is a partial ISO date
    ("1960", "1960-05", "1960-05-17") or ""; ``countries`` ISO 3166-1 alpha-2
    (nationalities of a person, countries of an organisation).
    """

    entity_id: str
    kind: str
    names: tuple[NameRecord, ...]
    birth_date: str = ""
    countries: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self):
        if not self.entity_id:
            raise ValueError("entity_id is required")
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        object.__setattr__(self, "names", tuple(_name(n) for n in self.names))
        object.__setattr__(self, "countries", tuple(c.upper() for c in self.countries))
        object.__setattr__(self, "identifiers", tuple((s, v) for s, v in self.identifiers))
        object.__setattr__(self, "birth_date", self.birth_date or "")
        check_partial_date(self.birth_date, f"{self.entity_id}: birth_date")

    @property
    def caption(self) -> str:
        for n in self.names:
            if n.type == "primary":
                return n.value
        return self.names[0].value if self.names else ""


@dataclass(frozen=True)
class Query:
    """What a partner screens: one or more names plus optional supporting facts."""

    names: tuple[str, ...]
    kind: str | None = None
    birth_date: str = ""
    countries: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()

    def __init__(self, name, kind=None, birth_date="", countries=(), identifiers=()):
        names = (name,) if isinstance(name, str) else tuple(name)
        names = tuple(n for n in names if n and n.strip())
        if not names and not identifiers:
            raise ValueError("a query needs a name or an identifier")
        if kind not in (None, "", *KINDS):
            raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
        check_partial_date(birth_date or "", "birth_date")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "kind", kind or None)
        object.__setattr__(self, "birth_date", birth_date or "")
        object.__setattr__(self, "countries", tuple(c.upper() for c in countries))
        object.__setattr__(self, "identifiers", tuple((s, v) for s, v in identifiers))
