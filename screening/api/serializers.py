"""The match endpoint's request and response bodies (checked at their JSON types)."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from core.api.fields import JSONChoice, JSONFloat, JSONInteger, JSONString
from core.codes import COUNTRIES
from core.names.text import tokenise
from core.partial_dates import validate_partial_date
from screening import services
from screening.records import KINDS

MAX_QUERIES = 100
MAX_NAME = 500


class IdentifierQuerySerializer(serializers.Serializer):
    scheme = JSONString(required=False, allow_blank=True, max_length=50, help_text="e.g. imo, inn; optional.")
    value = JSONString(max_length=100)


class QuerySerializer(serializers.Serializer):
    key = JSONString(
        required=False, allow_blank=True, max_length=100, help_text="Your reference for this query, echoed back."
    )
    name = JSONString(max_length=MAX_NAME, help_text="In any script or spelling; titles and ranks are ignored.")
    kind = JSONChoice(choices=KINDS, required=False, help_text="person or organisation, if known.")
    birth_date = JSONString(
        required=False, allow_blank=True, max_length=10, help_text="YYYY, YYYY-MM or YYYY-MM-DD (persons)."
    )
    countries = serializers.ListField(
        child=JSONChoice(choices=sorted(COUNTRIES)),
        required=False,
        max_length=20,
        help_text="ISO 3166-1 alpha-2 codes: nationalities of a person, countries of an organisation.",
    )
    identifiers = IdentifierQuerySerializer(many=True, required=False, max_length=20)

    def validate_birth_date(self, value):
        try:
            validate_partial_date(value)
        except DjangoValidationError:
            raise serializers.ValidationError("Enter YYYY, YYYY-MM or YYYY-MM-DD.") from None
        return value


def query_words(queries):
    """What screening these queries costs: the words of their names."""
    return sum(len(tokenise(q["name"])) for q in queries if isinstance(q, dict) and isinstance(q.get("name"), str))


class MatchRequestSerializer(serializers.Serializer):
    queries = QuerySerializer(
        many=True,
        min_length=1,
        max_length=MAX_QUERIES,
        help_text="1 to 100 queries; their names may have MATCH_MAX_WORDS words in all (1,000 by default).",
    )
    limit = JSONInteger(min_value=1, max_value=50, default=5, help_text="Candidates per query.")
    threshold = JSONFloat(
        min_value=0, max_value=1, default=services.THRESHOLD, help_text="Score from which `match` is true."
    )

    def validate_queries(self, queries):
        # What a request costs grows with the words of its names (each is looked up
        # and compared with every candidate it brings): 100 names of 500 characters of
        # common words took seconds of a worker. The budget fits 100 names of 10 words.
        words = query_words(queries)
        limit = settings.MATCH_MAX_WORDS
        if words > limit:
            raise serializers.ValidationError(
                f"These names have {words:,} words in all; one request may have at most {limit:,} "
                "(the match word budget, MATCH_MAX_WORDS). Send the queries in several requests, "
                "or shorter names: a name is rarely more than 10 words."
            )
        return queries


class FeatureSerializer(serializers.Serializer):
    feature = serializers.CharField(help_text="name, identifier, birth_date, country, kind…")
    value = serializers.FloatField(help_text="The feature's own similarity or agreement, 0..1.")
    contribution = serializers.FloatField(help_text="What it added to (or took from) the score.")


class CandidateSerializer(serializers.Serializer):
    entity_id = serializers.CharField(help_text="See entities/{id}/.")
    kind = serializers.ChoiceField(choices=KINDS)
    caption = serializers.CharField()
    score = serializers.FloatField(min_value=0, max_value=1)
    match = serializers.BooleanField(help_text="score ≥ threshold")
    name = serializers.CharField(allow_blank=True, help_text="The entity's name that matched best.")
    name_type = serializers.CharField(allow_blank=True)
    explanation = FeatureSerializer(many=True, help_text="Every feature, with details of how it was compared.")


class QueryResultSerializer(serializers.Serializer):
    key = serializers.CharField(allow_blank=True)
    candidates = CandidateSerializer(many=True)


class MatchResponseSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    threshold = serializers.FloatField()
    results = QueryResultSerializer(many=True, help_text="One per query, in the order given.")
