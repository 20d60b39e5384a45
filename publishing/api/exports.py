"""Bulk exports over HTTP: each format streamed from one snapshot."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from core.api.views import StrictQueryParams
from publishing.exports import EXPORTS, UnknownExport, get_export


class AnyAccept(BaseContentNegotiation):
    """Exports answer in their own format whatever the Accept header says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return None


class ExportView(StrictQueryParams, APIView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        summary="Bulk export of the published entities",
        description="Streamed from a consistent snapshot of the published model; memory stays flat whatever "
        "the size. " + " ".join(f"`{e.filename}`: {e.description}" for e in EXPORTS.values()),
        parameters=[OpenApiParameter("filename", str, OpenApiParameter.PATH, enum=list(EXPORTS))],
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY, description="JSON lines"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV with a header row"),
            404: OpenApiResponse(description="No export of that name."),
        },
    )
    def get(self, request, filename):
        try:
            export = get_export(filename)
        except UnknownExport as exc:
            raise NotFound(str(exc)) from None
        response = StreamingHttpResponse(export.stream(), content_type=export.media_type)
        response["Content-Disposition"] = export.content_disposition
        return response
