"""Keyset ("cursor") pagination: a stable order on a unique column, an opaque cursor
holding the last value seen, so pages stay correct while data is published and
every page costs the same whatever its position."""

import base64
import json
import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

# What a cursor holds: a public id (letters, digits, "_"). Anything else never came
# from this API, and could hold what PostgreSQL refuses (NUL, lone surrogates).
_CURSOR_VALUE = re.compile(r"[A-Za-z0-9_]{1,64}")
_MAX_CURSOR = 200  # characters of base64: a 64-character value and its JSON wrapping


def parse_limit(request, default=DEFAULT_LIMIT, maximum=MAX_LIMIT):
    raw = request.query_params.get("limit")
    if raw is None or raw == "":
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise ValidationError({"limit": [f"Must be a whole number from 1 to {maximum}."]}) from None
    if not 1 <= limit <= maximum:
        raise ValidationError({"limit": [f"Must be a whole number from 1 to {maximum}."]})
    return limit


def encode_cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": value}).encode()).decode().rstrip("=")


def decode_cursor(raw: str):
    try:
        if len(raw) > _MAX_CURSOR:  # before decoding: nothing deep or huge reaches the parser
            raise ValueError
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        value = data["after"]
        if not isinstance(value, str) or not _CURSOR_VALUE.fullmatch(value):
            raise ValueError
        return value
    except (ValueError, KeyError, TypeError):
        raise ValidationError({"cursor": ["Not a cursor this API gave out; use the 'next' link of a page."]}) from None


class KeysetPagination(BasePagination):
    """Orders by ``view.keyset_field`` (unique) and pages after the cursor's value."""

    def paginate_queryset(self, queryset, request, view=None):
        field = view.keyset_field
        self.request = request
        self.limit = parse_limit(request)
        raw = request.query_params.get("cursor")
        if raw:
            queryset = queryset.filter(**{f"{field}__gt": decode_cursor(raw)})
        rows = list(queryset.order_by(field)[: self.limit + 1])
        self.next_value = getattr(rows[self.limit - 1], field) if len(rows) > self.limit else None
        return rows[: self.limit]

    def get_next_link(self):
        if self.next_value is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, "cursor", encode_cursor(self.next_value))

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page (same filters), or null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Opaque; take it from the previous page's `next` link.",
                "schema": {"type": "string"},
            },
        ]
