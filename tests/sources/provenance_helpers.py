"""An article with every kind of claim cited in it, as many times over as a test needs."""
from types import SimpleNamespace

from entities.models import Entity, Identifier, Name, Organisation, Relationship
from sanctions.models import Authority, SanctionAction, SanctionTarget
from sources.models import Citation, Source


def _cite(source, quote, user=None, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = source.text.index(quote, start + 1)
    return Citation.objects.get_or_create(
        source=source, start=start, end=start + len(quote), defaults={"created_by": user}
    )[0]


def _entity(kind, name, citation, user=None):
    entity = Entity.objects.create(kind=kind, created_by=user)
    entity.citations.add(citation)
    Name.objects.create(entity=entity, value=name, type=Name.Type.PRIMARY, lang="en", created_by=user).citations.add(
        citation
    )
    return entity


def cited_article(people=1, user=None, extra_text="", name_prefix="Anna"):
    """`people` persons, each with a name, an identifier, an organisation they head and
    a place among the targets of one sanction action, every claim cited; spans nest
    ("Minister Anna0 Berg" contains "Anna0 Berg") and overlap."""
    sentences = [
        f"Minister {name_prefix}{i} Berg (passport P{i:05d}) heads the Agency{i} in Teheran." for i in range(people)
    ]
    text = " ".join(sentences) + " The EU froze the assets of all of them." + extra_text
    source = Source.objects.create(text=text, title="Agencies", publisher="AP", language="en", created_by=user)
    authority, _ = Authority.objects.get_or_create(name="Council of the European Union", short_name="EU")
    action = SanctionAction.objects.create(
        authority=authority,
        kind=SanctionAction.Kind.DESIGNATION,
        status=SanctionAction.Status.ANNOUNCED,
        summary="The EU freezes the assets of the agency heads.",
        created_by=user,
    )
    action.citations.add(_cite(source, "The EU froze the assets of all of them.", user))
    persons = []
    for i in range(people):
        person = _entity(Entity.Kind.PERSON, f"{name_prefix}{i} Berg", _cite(source, f"{name_prefix}{i} Berg", user), user)
        Identifier.objects.create(
            entity=person, scheme=Identifier.Scheme.PASSPORT, value=f"P{i:05d}", created_by=user
        ).citations.add(_cite(source, f"passport P{i:05d}", user))
        agency = _entity(Entity.Kind.ORGANISATION, f"Agency{i}", _cite(source, f"Agency{i}", user), user)
        Organisation.objects.create(entity=agency, org_kind=Organisation.Kind.GOVERNMENT_BODY, countries=["IR"])
        Relationship.objects.create(
            subject=person, kind=Relationship.Kind.HEAD_OF, object=agency, created_by=user
        ).citations.add(_cite(source, f"Minister {name_prefix}{i} Berg (passport P{i:05d}) heads the Agency{i}", user))
        SanctionTarget.objects.create(
            action=action, entity=person, measures=["asset_freeze"], created_by=user
        ).citations.add(_cite(source, "froze the assets", user))
        persons.append(person)
    return SimpleNamespace(source=source, action=action, persons=persons)
