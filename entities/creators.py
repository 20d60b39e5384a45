"""What the source reader creates from a selection in this app: a person or an
organisation named by the selected words, and another name of an entity (registered in
EntitiesConfig.ready(); see ``sources.creators``)."""

from django.core.exceptions import ValidationError

from core import codes
from sources.creators import Candidate, Creator, register_creator
from sources.text import normalise

from . import duplicates
from .models import Entity, Name


def _name_value(words):
    value = normalise(" ".join(words.split()))
    if not value:
        raise ValidationError({"quote": "The selection holds no name."})
    if len(value) > Name._meta.get_field("value").max_length:
        raise ValidationError({"quote": "The selection is too long for a name: select the name alone."})
    return value


def _language(source):
    # A name's language is a code the LanguageField accepts; the source's may be empty.
    return source.language if source.language in codes.LANGUAGES else ""


class NewEntity(Creator):
    """A new entity whose primary name is the selection; the selection backs the
    entity and the name."""

    permissions = ("entities.add_entity", "entities.add_name", "entities.change_entity", "entities.change_name")

    def __init__(self, kind):
        self.kind = kind
        self.key = str(kind)
        self.label = f"New {kind}"

    def candidates(self, words):
        return [
            Candidate(s.entity, s.name, s.score)
            for s in duplicates.similar_entities([" ".join(words.split())], kind=self.kind)
        ]

    def create(self, user, words, data, context):
        value = _name_value(words)
        entity = Entity.objects.create(kind=self.kind, created_by=user)
        name = Name.objects.create(
            entity=entity, value=value, type=Name.Type.PRIMARY, lang=_language(context["source"]), created_by=user
        )
        return [entity, name]


class NameOfEntity(Creator):
    """The selection as another name (an alias) of an existing entity."""

    key = "name"
    label = "Add as a name of"
    permissions = ("entities.add_name", "entities.change_entity", "entities.change_name")

    def create(self, user, words, data, context):
        value = _name_value(words)
        try:
            entity = Entity.objects.get(pk=int(data.get("entity") or ""), deprecated_at__isnull=True)
        except (ValueError, Entity.DoesNotExist):
            raise ValidationError({"entity": "Choose the entity this is a name of (a live entity)."}) from None
        if entity.merged_into_id:
            raise ValidationError({"entity": f"{entity} was merged into another entity: add the name to that one."})
        lang = _language(context["source"])
        existing = Name.objects.filter(entity=entity, value=value, deprecated_at__isnull=True).first()
        if existing is not None:
            return [existing]  # already a name of it: the selection backs that one
        if Name.objects.filter(entity=entity, value=value, type=Name.Type.ALIAS, lang=lang).exists():
            raise ValidationError(
                {"entity": f"“{value}” is a deprecated name of {entity}: reinstate it on the entity's page."}
            )
        name = Name.objects.create(entity=entity, value=value, type=Name.Type.ALIAS, lang=lang, created_by=user)
        return [name]


def register():
    for creator in (NewEntity(Entity.Kind.PERSON), NewEntity(Entity.Kind.ORGANISATION), NameOfEntity()):
        register_creator(creator)
