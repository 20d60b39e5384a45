"""POST /api/v1/match/: screen up to 100 names against the published entities."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.views import StrictQueryParams
from screening import services

from .serializers import MatchRequestSerializer, MatchResponseSerializer, query_words


def _query(data):
    return services.Query(
        data["name"],
        kind=data.get("kind"),
        birth_date=data.get("birth_date", ""),
        countries=data.get("countries", ()),
        identifiers=[(i.get("scheme", ""), i["value"]) for i in data.get("identifiers", ())],
    )


class MatchView(StrictQueryParams, APIView):
    parser_classes = [JSONParser]  # queries are nested: form encodings can't carry them

    @staticmethod
    def request_cost(request):
        """The words of the names screened, for the per-key budget (settings.MATCH_WORDS_PER_MINUTE)."""
        queries = request.data.get("queries") if isinstance(request.data, dict) else None
        return query_words(queries) if isinstance(queries, list) else 0

    @extend_schema(
        summary="Screen names",
        description="Each query's candidates among the published entities, best first, with a score from 0 to 1 "
        "and an explanation of every feature (name similarity and which name, transliteration, birth date, "
        "countries, identifiers). Up to 100 queries per request.",
        request=MatchRequestSerializer,
        responses=MatchResponseSerializer,
        examples=[
            OpenApiExample(
                "Two queries",
                value={
                    "queries": [
                        {"key": "c-1", "name": "Bagheri, Mohammad Hossein", "kind": "person", "countries": ["IR"]},
                        {"key": "c-2", "name": "Сергей Шойгу", "birth_date": "1955"},
                    ],
                    "limit": 3,
                    "threshold": 0.7,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        payload = MatchRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        queries = []
        for i, q in enumerate(data["queries"]):
            try:
                queries.append(_query(q))
            except services.InvalidQuery as exc:
                raise ValidationError({"queries": {i: {exc.field: [exc.message]}}}) from None
        results = []
        for q, query in zip(data["queries"], queries, strict=True):
            candidates = services.match(query, limit=data["limit"], threshold=data["threshold"])
            results.append({"key": q.get("key", ""), "candidates": [c.as_dict() for c in candidates]})
        return Response({"limit": data["limit"], "threshold": data["threshold"], "results": results})
