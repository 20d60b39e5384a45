"""Bulk exports over HTTP: each format served from its file for the latest publication
(written once, in one snapshot: publishing/exports/files.py), resumable with ``Range``;
the caller's key is re-checked between blocks, so revoking it stops a download."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from core.api.files import download_slot, file_response
from core.api.views import StrictQueryParams
from publishing.exports import EXPORTS, UnknownExport, files, get_export


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
        description="The published entities as of the latest publication, written once per publication from "
        "one consistent snapshot and served as a file: `Content-Length`, `ETag` (changes with each publication), "
        "`Range` for resuming (send `If-Range` with the ETag, so a file that changed meanwhile comes whole, 200). "
        "Revoking the key stops a download in progress (the connection closes before the announced length). "
        + " ".join(f"`{e.filename}`: {e.description}" for e in EXPORTS.values()),
        parameters=[OpenApiParameter("filename", str, OpenApiParameter.PATH, enum=list(EXPORTS))],
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY, description="JSON lines"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV with a header row"),
            (206, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY, description="The range asked for"),
            (206, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The range asked for"),
            304: OpenApiResponse(description="If-None-Match names the current ETag."),
            404: OpenApiResponse(description="No export of that name."),
            416: OpenApiResponse(description="The range is outside the file (Content-Range: bytes */size)."),
        },
    )
    def get(self, request, filename):
        try:
            export = get_export(filename)
        except UnknownExport as exc:
            raise NotFound(str(exc)) from None
        # A partner's downloads at once are few (each holds a server thread while it
        # drains); staff sessions are not counted.
        owner = request.auth.pk if request.auth is not None else None
        release = download_slot(owner, settings.EXPORT_DOWNLOADS_PER_KEY) if owner is not None else None
        if owner is not None and release is None:
            raise Throttled(
                detail=f"This key already has {settings.EXPORT_DOWNLOADS_PER_KEY} downloads in progress "
                "(EXPORT_DOWNLOADS_PER_KEY); let one finish, or resume it later with Range."
            )
        try:
            current = files.current_file(export)
        except BaseException:
            if release is not None:
                release()
            raise
        authenticator = request.successful_authenticator
        response = file_response(
            request,
            current.file,
            current.size,
            etag=current.etag,
            content_type=export.media_type,
            filename=export.filename,
            # Authenticates the request again: a key revoked or expired since ends it.
            may_continue=lambda: authenticator.authenticate(request),
        )
        if release is not None:
            if response.streaming:
                response._resource_closers.append(release)  # when the download ends, read or not
            else:
                release()
        return response
