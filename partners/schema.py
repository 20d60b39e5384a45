"""How the OpenAPI schema describes partner authentication (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from core.partial_dates import PATTERN as PARTIAL_DATE


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partners.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A partner API key: `Authorization: Bearer sdb_xxxxxxxx_…` (ask us for one).",
        }


PARTIAL_DATE_PARAMETERS = {"announced_after", "announced_before"}

ERROR = {
    "type": "object",
    "description": "`detail` for request-wide errors; otherwise one key per offending field (or query "
    "parameter) with its messages.",
    "additionalProperties": True,
    "example": {"country": ["Select a valid choice. XX is not one of the available choices."]},
}
COMMON_ERRORS = {
    "400": "Bad input: the body names each offending field or parameter.",
    "401": "No API key, or an unknown, revoked or expired one (`detail` says which).",
    "403": "A session without staff rights.",
    "429": "Over the key's rate limit, or too many requests without a valid key from your address: retry after "
    "`Retry-After` seconds.",
}


# How a partner (and schemathesis's stateful phase) goes from one answer to the records
# it names: operationId of the answer → link name → (operationId followed, where the id is).
LINKS = {
    "entities_retrieve": {
        "sanction": ("sanctions_retrieve", "$response.body#/sanctions/0/action"),
        "related_entity": ("entities_retrieve", "$response.body#/relationships/0/object"),
        "cited_source": ("sources_retrieve", "$response.body#/citations/0/source"),
    },
    "sanctions_retrieve": {
        "target": ("entities_retrieve", "$response.body#/targets/0/entity"),
        "cited_source": ("sources_retrieve", "$response.body#/citations/0/source"),
    },
    "match_create": {"candidate": ("entities_retrieve", "$response.body#/results/0/candidates/0/entity_id")},
}


def add_links(result, generator, request, public):
    """drf-spectacular postprocessing hook: the OpenAPI links of LINKS, on each 200."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for name, (target, where) in LINKS.get(operation.get("operationId"), {}).items():
                links = operation["responses"]["200"].setdefault("links", {})
                links[name] = {"operationId": target, "parameters": {"id": where}}
    return result


def add_common_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: every API operation can answer these."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        **(
                            {"headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}}}
                            if code == "429"
                            else {}
                        ),
                    },
                )
            if "{id}" in path:
                responses.setdefault("404", {"description": "No such published record."})
            for parameter in operation.get("parameters", ()):
                schema = parameter.get("schema", {})
                if parameter["in"] == "query" and schema.get("type") == "string":
                    schema.setdefault("minLength", 1)  # an empty value is refused (core.api.views)
                    if parameter["name"] in PARTIAL_DATE_PARAMETERS:
                        schema["pattern"] = PARTIAL_DATE
    return result
