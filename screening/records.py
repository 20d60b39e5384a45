"""The plain records the matching core works on, independent of any Django model.

The publication workflow renders published documents into ``EntityRecord``; the write
model adapter in ``screening.sources`` does the same for unpublished data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.codes import COUNTRIES
from core.partial_dates import validate_partial_date

NAME_TYPES = ("primary", "alias", "weak_alias", "previous", "transliteration")
KINDS = ("person", "organisation")


@dataclass(frozen=True)
class NameRecord:
    value: str
    type: str = "primary"  # one of NAME_TYPES
    lang: str = ""  # ISO 639-1 of the spelling, "" when unknown

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


MAX_NAME_LENGTH = 1000  # characters per query name: far beyond any real name, bounded work
MAX_QUERY_NAMES = 20  # names per query (a name and its aliases)
MAX_IDENTIFIERS = 20
MAX_IDENTIFIER_LENGTH = 200


class InvalidQuery(ValueError):
    """A query field is invalid. ``field`` names it ("name", "kind", "birth_date",
    "countries", "identifiers"); str() is "<field>: <what is wrong>", for a 400 body."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


def _text(value, field: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise InvalidQuery(field, f"must be text, not {type(value).__name__}")
    if "\x00" in value:
        raise InvalidQuery(field, "contains a NUL byte (\\x00)")
    if len(value) > max_length:
        raise InvalidQuery(field, f"is {len(value)} characters long; at most {max_length} are accepted")
    return value


def _many(value, field: str, limit: int) -> tuple:
    """A list of values; a single string counts as one value, not as its letters."""
    if value is None:
        return ()
    if isinstance(value, (str, dict)):
        value = (value,)
    try:
        values = tuple(value)
    except TypeError:
        raise InvalidQuery(field, f"must be a list, not {type(value).__name__}") from None
    if len(values) > limit:
        raise InvalidQuery(field, f"has {len(values)} entries; at most {limit} are accepted")
    return values


@dataclass(frozen=True)
class Query:
    """What a partner screens: a name (or a few: a name and its aliases) plus optional
    supporting facts. Everything is checked here, so every way in (the match endpoint,
    benches, the shell) refuses bad input the same way: ``InvalidQuery`` naming the field.

    ``name``: text or a list of texts, at least one not blank, each at most
    ``MAX_NAME_LENGTH`` characters, no NUL. ``kind``: None/"" (any), "person" or
    "organisation". ``birth_date``: "" or a partial ISO date. ``countries``: ISO 3166-1
    alpha-2 codes, any case (nationalities of a person, countries of an organisation).
    ``identifiers``: (scheme, value) pairs or {"scheme", "value"} mappings; the scheme
    may be "" (any).
    """

    names: tuple[str, ...]
    kind: str | None = None
    birth_date: str = ""
    countries: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()

    def __init__(self, name, kind=None, birth_date="", countries=(), identifiers=()):
        names = tuple(_text(n, "name", MAX_NAME_LENGTH) for n in _many(name, "name", MAX_QUERY_NAMES))
        names = tuple(n for n in names if n.strip())
        if not names:
            raise InvalidQuery("name", "is required and can't be empty or only blank space")
        if kind not in (None, "", *KINDS):
            raise InvalidQuery("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        birth_date = _text(birth_date or "", "birth_date", 10)
        try:
            check_partial_date(birth_date, "birth_date")
        except ValueError as exc:
            raise InvalidQuery(
                "birth_date", f"{birth_date!r} is not a partial ISO date (YYYY, YYYY-MM or YYYY-MM-DD)"
            ) from exc
        codes = []
        for country in _many(countries, "countries", len(COUNTRIES)):
            code = _text(country, "countries", 2).upper()
            if code not in COUNTRIES:
                raise InvalidQuery("countries", f"{country!r} is not an ISO 3166-1 alpha-2 country code")
            codes.append(code)
        pairs = []
        for identifier in _many(identifiers, "identifiers", MAX_IDENTIFIERS):
            if isinstance(identifier, dict):
                identifier = (identifier.get("scheme") or "", identifier.get("value"))
            if not isinstance(identifier, (tuple, list)) or len(identifier) != 2:
                raise InvalidQuery("identifiers", f"{identifier!r} is not a (scheme, value) pair")
            scheme = _text(identifier[0] or "", "identifiers", MAX_IDENTIFIER_LENGTH)
            value = _text(identifier[1], "identifiers", MAX_IDENTIFIER_LENGTH)
            if not value.strip():
                raise InvalidQuery("identifiers", "an identifier's value can't be empty")
            pairs.append((scheme, value))
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "kind", kind or None)
        object.__setattr__(self, "birth_date", birth_date)
        object.__setattr__(self, "countries", tuple(codes))
        object.__setattr__(self, "identifiers", tuple(pairs))
