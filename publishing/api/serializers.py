"""The shapes of published documents, for the OpenAPI schema.

The API returns documents exactly as they were published (JSON from the database,
never re-rendered); these serializers describe them, field by field, so partners can
generate clients and the schema can be checked against real responses (schemathesis
in CI). They must follow ``documents.py``.
"""

from rest_framework import serializers

from entities.models import Entity, Identifier, Name, Organisation, Relationship
from publishing.models import PARTNER_RECORD_TYPES
from sanctions.models import SanctionAction, SanctionTarget

PARTIAL_DATE = "YYYY, YYYY-MM or YYYY-MM-DD; empty when unknown."


class CitationSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="Id of the source (see sources/).")
    start = serializers.IntegerField(min_value=0, help_text="Offset of the first cited character, in code points.")
    end = serializers.IntegerField(min_value=1, help_text="Offset after the last cited character (exclusive).")
    quote = serializers.CharField(help_text="The cited words: exactly text[start:end].")
    translation = serializers.CharField(allow_blank=True, help_text="An English translation, if the source isn't.")


class CitedSerializer(serializers.Serializer):
    citations = CitationSerializer(many=True, help_text="Where the sources state this claim.")


class PropertiesCitedSerializer(CitedSerializer):
    property_citations = serializers.DictField(
        child=CitationSerializer(many=True),
        required=False,  # versions published before properties were cited have none
        help_text="Where the sources state each of this claim's values, by property: title, gender, birth_date, "
        "nationalities:<CC> (persons); org_kind, countries:<CC> (organisations); announced_date, in_force_date, "
        "end_date (actions); measures:<measure> (targets). Only values that are set; each has a citation.",
    )


class NameSerializer(CitedSerializer):
    id = serializers.CharField(help_text="Claim id.")
    value = serializers.CharField()
    type = serializers.ChoiceField(choices=Name.Type.choices)
    lang = serializers.CharField(allow_blank=True, help_text="ISO 639-1 code; empty when not known.")


class IdentifierSerializer(CitedSerializer):
    id = serializers.CharField()
    scheme = serializers.ChoiceField(choices=Identifier._meta.get_field("scheme").choices)
    value = serializers.CharField()
    country = serializers.CharField(allow_blank=True, help_text="ISO 3166-1 alpha-2 of the issuer, if any.")


class RelationshipSerializer(CitedSerializer):
    id = serializers.CharField()
    kind = serializers.ChoiceField(choices=Relationship.Kind.choices)
    object = serializers.CharField(help_text="The other entity's id.")
    role = serializers.CharField(allow_blank=True)
    start = serializers.CharField(allow_blank=True, help_text=PARTIAL_DATE)
    end = serializers.CharField(allow_blank=True, help_text=PARTIAL_DATE)


class EntitySanctionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="The sanction action's id (see sanctions/).")
    authority = serializers.CharField()
    programme = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(choices=SanctionAction.Kind.choices)
    status = serializers.ChoiceField(choices=SanctionAction.Status.choices)
    announced_date = serializers.CharField(allow_blank=True, help_text=PARTIAL_DATE)
    in_force_date = serializers.CharField(allow_blank=True, help_text=PARTIAL_DATE)
    end_date = serializers.CharField(allow_blank=True, help_text=PARTIAL_DATE)
    measures = serializers.ListField(child=serializers.ChoiceField(choices=SanctionTarget.Measure.choices))
    target_claim = serializers.CharField(help_text="The action's target claim naming this entity (its citations).")


class PersonSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    gender = serializers.CharField(allow_blank=True)
    birth_date = serializers.CharField(allow_blank=True, help_text=PARTIAL_DATE)
    nationalities = serializers.ListField(child=serializers.CharField(), help_text="ISO 3166-1 alpha-2 codes.")


class OrganisationSerializer(serializers.Serializer):
    org_kind = serializers.CharField(allow_blank=True, help_text=", ".join(Organisation.Kind.values))
    countries = serializers.ListField(child=serializers.CharField(), help_text="ISO 3166-1 alpha-2 codes.")
    parent = serializers.CharField(allow_null=True, help_text="The parent organisation's entity id.")


class VersionMixin(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="Counts this record's published versions.")
    published_at = serializers.DateTimeField(help_text="When this version was approved and published.")


class EntitySerializer(PropertiesCitedSerializer, VersionMixin):
    id = serializers.CharField(help_text="Stable entity id (ent_…).")
    type = serializers.CharField(help_text='Always "entity".')
    kind = serializers.ChoiceField(choices=Entity.Kind.choices)
    caption = serializers.CharField(help_text="The display name.")
    names = NameSerializer(many=True)
    identifiers = IdentifierSerializer(many=True)
    relationships = RelationshipSerializer(many=True, help_text="This entity's relations to others.")
    sanctions = EntitySanctionSerializer(many=True, help_text="Published sanction actions targeting it.")
    person = PersonSerializer(required=False, help_text="Persons only.")
    organisation = OrganisationSerializer(required=False, help_text="Organisations only.")


class AuthoritySerializer(serializers.Serializer):
    id = serializers.CharField(required=False, help_text="Stable authority id (auth_…); absent in older versions.")
    name = serializers.CharField()
    short_name = serializers.CharField(allow_blank=True)
    country = serializers.CharField(allow_blank=True)


class ProgrammeSerializer(serializers.Serializer):
    id = serializers.CharField(required=False, help_text="Stable programme id (prog_…); absent in older versions.")
    name = serializers.CharField()
    code = serializers.CharField(allow_blank=True)


class TargetSerializer(PropertiesCitedSerializer):
    id = serializers.CharField(help_text="Claim id.")
    entity = serializers.CharField(help_text="The targeted entity's id.")
    measures = serializers.ListField(child=serializers.ChoiceField(choices=SanctionTarget.Measure.choices))


class SanctionSerializer(PropertiesCitedSerializer, VersionMixin):
    id = serializers.CharField(help_text="Stable action id (act_…).")
    type = serializers.CharField(help_text='Always "sanction".')
    authority = AuthoritySerializer()
    programme = ProgrammeSerializer(allow_null=True)
    kind = serializers.ChoiceField(choices=SanctionAction.Kind.choices)
    status = serializers.ChoiceField(choices=SanctionAction.Status.choices)
    announced_date = serializers.CharField(allow_blank=True, help_text=PARTIAL_DATE)
    in_force_date = serializers.CharField(allow_blank=True, help_text=PARTIAL_DATE)
    end_date = serializers.CharField(allow_blank=True, help_text=PARTIAL_DATE)
    summary = serializers.CharField(allow_blank=True)
    targets = TargetSerializer(many=True)


class TombstoneSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.ChoiceField(choices=PARTNER_RECORD_TYPES)
    retracted = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    merged_into = serializers.CharField(required=False, help_text="The entity this one was merged into.")
    detail = serializers.CharField(required=False)


class ChangeSerializer(serializers.Serializer):
    seq = serializers.IntegerField(min_value=1, help_text="Position in the feed; pass the last one as `after`.")
    record_type = serializers.ChoiceField(choices=PARTNER_RECORD_TYPES)
    record_id = serializers.CharField()
    version = serializers.IntegerField(min_value=1)
    operation = serializers.ChoiceField(
        choices=["upsert", "retract"], help_text="upsert: the record is now `document`; retract: it is withdrawn."
    )
    published_at = serializers.DateTimeField()
    document = serializers.JSONField(
        help_text="The published document (an entity or a sanction, as in their endpoints without version "
        "fields), or for a retraction the tombstone (id, type, retracted, reason, merged_into)."
    )


class ChangesPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page, or null when the feed is drained.")
    last_seq = serializers.IntegerField(
        help_text="The highest seq returned (or the `after` given, when nothing is new): the next `after`."
    )
    results = ChangeSerializer(many=True)
