"""The source reader: admin views to read an article with its cited spans highlighted,
cite a selected span for a claim, and supersede the article with a corrected text.

Beside the article, the mentions of known entities it names, from the mention finder
an app above this one registers (``sources.mentions``; screening does):
accepting one posts the same request as the cite panel, so it goes through the same
checks, permissions and change-set recording.

The browser (static/sources/reader.js) sends the selection as UTF-16 offsets, which
is what JavaScript counts, together with the selected words; the server converts them
to code points, checks the words against its own text, and stores the citation with
quote, prefix and suffix taken from that text.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from .. import provenance, services
from .. import text as textlib
from ..mentions import mention_finder
from ..models import Evidence, ReanchorProblem, Source

SEARCH_LIMIT = 10
# The reader shows a long article in parts of about this many characters: finding the
# mentions and drawing the highlights cost time and HTML in proportion to the text
# (a 1 MB article took over 7 s and 6.7 MB of HTML whole).
PART_CHARS = 100_000


def article_parts(text, size=None):
    """[(start, end)] covering ``text``: parts of at most ``size`` characters, each
    ending after a line break (else a space) in its second half when there is one."""
    size = size or PART_CHARS
    bounds, start = [], 0
    while len(text) - start > size:
        cut = text.rfind("\n", start + size // 2, start + size)
        if cut == -1:
            cut = text.rfind(" ", start + size // 2, start + size)
        end = cut + 1 if cut != -1 else start + size
        bounds.append((start, end))
        start = end
    bounds.append((start, len(text)))
    return bounds


def json_errors(errors, status=400):
    """{"errors": {field: [message, ...]}, "message": "field: message; ..."}: the panel
    shows `message`, scripts can read the fields."""
    errors = {name: [str(m) for m in msgs] for name, msgs in errors.items()}
    summary = "; ".join(
        f"{name}: {' '.join(msgs)}" if name != "__all__" else " ".join(msgs) for name, msgs in errors.items()
    )
    return JsonResponse({"errors": errors, "message": summary}, status=status)


def record_models():
    """The claim models a curator picks claims from (entity, sanction action): those
    that can search themselves and list their claims."""
    return [m for m in provenance.claim_models().values() if hasattr(m, "search") and hasattr(m, "claims")]


def entity_citations(views):
    """(start, end, entity public id) of every citation backing an entity or one of its
    names: the mentions those spans cover are cited already."""
    return {
        (v.citation.start, v.citation.end, claim.record.public_id)
        for v in views
        for claim in v.claims
        if claim.type in ("entity", "name")
    }


class CiteForm(forms.Form):
    start_utf16 = forms.IntegerField(min_value=0)
    end_utf16 = forms.IntegerField(min_value=0)
    quote = forms.CharField(
        strip=False, error_messages={"required": "The selection is empty: select the words that state the claim."}
    )
    # "<pk>" or "<pk>:<property>" (provenance.parse_claim_reference)
    claim = forms.CharField(error_messages={"required": "Choose the claim this quote backs."})
    translation = forms.CharField(required=False, help_text="English translation of a non-English quote.")
    text_sha256 = forms.CharField()

    def __init__(self, source, *args, **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)

    def clean_text_sha256(self):
        value = self.cleaned_data["text_sha256"]
        if value != self.source.text_sha256:
            raise ValidationError("The source text changed since this page was loaded; reload the page.")
        return value

    def clean_claim(self):
        return provenance.claim_reference(self.cleaned_data["claim"])

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in ("start_utf16", "end_utf16", "quote", "text_sha256")):
            return data
        text = self.source.text
        try:
            start = textlib.index_from_utf16(text, data["start_utf16"], "start_utf16")
        except ValidationError as exc:
            self.add_error("start_utf16", exc)
            return data
        try:
            end = textlib.index_from_utf16(text, data["end_utf16"], "end_utf16")
        except ValidationError as exc:
            self.add_error("end_utf16", exc)
            return data
        if end <= start:
            self.add_error("end_utf16", "The selection is empty: its end is not after its start.")
            return data
        # A form post turns every line break into CRLF (the HTML spec's newline
        # normalisation), while the stored text has LF only (textlib.normalise): compare
        # the words with the article's own line breaks.
        if "\r" not in text[start:end]:
            data["quote"] = data["quote"].replace("\r\n", "\n").replace("\r", "\n")
        if text[start:end] != data["quote"]:
            self.add_error(
                "quote",
                f"The selected words {data['quote']!r} are not the source text at these offsets "
                f"({text[start:end]!r}); reload the page and select again.",
            )
            return data
        if not data["quote"].strip():
            self.add_error("quote", "The selection is only blank space.")
        if textlib.splits_character(text, start):
            self.add_error("start_utf16", "The selection starts on an accent (combining mark): include its letter.")
        if textlib.splits_character(text, end):
            self.add_error("end_utf16", "The selection ends between a letter and its accent: include the accent.")
        data["start"], data["end"] = start, end
        return data


class SupersedeForm(forms.Form):
    text = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField full-width"}),
        help_text="The corrected article text, exactly as now published.",
    )
    note = forms.CharField(
        label="What changed",
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        help_text="For auditors, e.g. “publisher corrected the minister's name in paragraph 3”.",
    )


class SourceReaderMixin:
    """For SourceAdmin: the reader, cite, claim-search and supersede views."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/read/", wrap(self.reader_view), name=f"{prefix}_read"),
            path("<path:object_id>/cite/", wrap(self.cite_view), name=f"{prefix}_cite"),
            path("<path:object_id>/claims/", wrap(self.claim_search_view), name=f"{prefix}_claims"),
            path("<path:object_id>/supersede/", wrap(self.supersede_view), name=f"{prefix}_supersede"),
            *super().get_urls(),
        ]

    def _source(self, request, object_id):
        try:
            pk = int(unquote(object_id))
        except ValueError:
            raise Http404("No such source.") from None
        source = (
            Source.objects.select_related("superseded_by", "supersedes")
            .defer("superseded_by__text", "supersedes__text")
            .filter(pk=pk)
            .first()
        )
        if source is None:
            raise Http404("No such source.")
        if not self.has_view_permission(request, source):
            raise PermissionDenied
        return source

    @staticmethod
    def can_cite(request, source):
        return request.user.has_perm("sources.add_citation") and not source.is_superseded

    @staticmethod
    def can_supersede(request, source):
        return request.user.has_perms(["sources.add_source", "sources.add_citation"]) and not source.is_superseded

    # ------------------------------------------------------------------- the reader

    def reader_view(self, request, object_id):
        source = self._source(request, object_id)
        views = provenance.source_citations(source)
        # A long article is read part by part (?part=N); offsets stay the article's.
        parts = article_parts(source.text)
        try:
            number = min(max(int(request.GET.get("part", 1)), 1), len(parts))
        except ValueError:
            number = 1
        lo, hi = parts[number - 1]
        text = source.text[lo:hi]
        shown = [v for v in views if v.citation.start < hi and v.citation.end > lo]
        cited = {(start - lo, end - lo, entity) for start, end, entity in entity_citations(shown)}
        links = [{"number": i, "start": a, "end": b} for i, (a, b) in enumerate(parts, 1)] if len(parts) > 1 else []
        finder = mention_finder()
        mentions = finder.offers(text, cited)  # offsets into the part
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Read: {source}",
            "source": source,
            "article": provenance.highlighted(text, shown, [m for m in mentions if not m.cited], offset=lo),
            "citations": {v.citation.pk: v.as_json() for v in shown},
            "citation_count": len(views),
            "kinds": provenance.KINDS,
            "mentions": mentions,
            "new_entities": finder.new_entities(text, mentions, source.language),
            "can_add_entity": request.user.has_perm("entities.add_entity"),
            "can_cite": self.can_cite(request, source),
            "can_supersede": self.can_supersede(request, source),
            "utf16_length": textlib.utf16_length(text),
            "part": {"number": number, "start": lo, "end": hi, "utf16_start": textlib.utf16_length(source.text[:lo])},
            "parts": links,
        }
        return TemplateResponse(request, "admin/sources/source/reader.html", context)

    # --------------------------------------------------------------------- citing

    @staticmethod
    def _claim_json(claim):
        return provenance.ClaimInfo(claim).as_json()

    def claim_search_view(self, request, object_id):
        return require_GET(self._claim_search)(request, object_id)

    def _claim_search(self, request, object_id):
        source = self._source(request, object_id)
        q = " ".join(request.GET.get("q", "").split())[:200]
        found = []
        if q:
            for model in record_models():
                if request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
                    found.extend(model.search(q)[:SEARCH_LIMIT])
        else:
            # Nothing typed yet: the records this article already backs claims of.
            cited = Evidence.objects.filter(citation__source=source).values_list("claim_id", "claim__claim_type")
            records = {}
            for info in provenance.load_claims(set(cited)).values():
                record = info.record
                records.setdefault(type(record), set()).add(record.pk)
            for model, ids in records.items():
                found.extend(model.with_claims().filter(pk__in=ids)[:SEARCH_LIMIT])
        return JsonResponse(
            {
                "query": q,
                "records": [
                    {
                        "label": str(record),
                        "kind": str(record._meta.verbose_name),
                        "claims": [self._claim_json(c) for c in record.claims()],
                    }
                    for record in found
                ],
            }
        )

    def cite_view(self, request, object_id):
        return require_POST(self._cite)(request, object_id)

    def _cite(self, request, object_id):
        source = self._source(request, object_id)
        if not request.user.has_perm("sources.add_citation"):
            return json_errors({"__all__": ["You may not add citations."]}, status=403)
        if source.is_superseded:
            stale = (
                f"This source has been superseded by {source.superseded_by.public_id}: "
                "this page is stale. Cite the corrected text instead."
            )
            return json_errors({"source": [stale]})
        form = CiteForm(source, request.POST)
        if not form.is_valid():
            return json_errors(form.errors)
        data = form.cleaned_data
        claim = data["claim"]
        opts = claim._meta
        if not request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
            return json_errors({"claim": [f"You may not change {opts.verbose_name_plural}."]}, status=403)
        try:
            citation, created, linked = services.cite(
                source, data["start"], data["end"], claim, request.user, translation=data["translation"]
            )
        except ValidationError as exc:
            return json_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        info = provenance.ClaimInfo(claim)
        if linked:
            message = f"“{citation.quote}” now backs {info.type_label} {info.label}."
        else:
            message = f"“{citation.quote}” already backed {info.type_label} {info.label}; nothing changed."
        return JsonResponse(
            {
                "message": message,
                "citation": {
                    "id": citation.pk,
                    "start": citation.start,
                    "end": citation.end,
                    "quote": citation.quote,
                    "admin_url": provenance.admin_change_url(citation),
                },
                "citation_created": created,
                "linked": linked,
                "claim": info.as_json(),
            },
            status=201 if linked else 200,
        )

    # ------------------------------------------------------------------ superseding

    def supersede_view(self, request, object_id):
        source = self._source(request, object_id)
        if not request.user.has_perms(["sources.add_source", "sources.add_citation"]):
            raise PermissionDenied
        if source.is_superseded:
            messages.warning(request, f"This source was already superseded by {source.superseded_by}.")
            return HttpResponseRedirect(reverse("admin:sources_source_change", args=[source.superseded_by.pk]))
        form = SupersedeForm(request.POST or None, initial={"text": source.text})
        if request.method == "POST" and form.is_valid():
            try:
                result = services.supersede(source, form.cleaned_data["text"], request.user, form.cleaned_data["note"])
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                new = result.source
                messages.success(request, f"{new} now supersedes {source.public_id}. {result.summary}")
                if result.problems:
                    url = (
                        reverse("admin:sources_reanchorproblem_changelist") + f"?source__id__exact={new.pk}&status=open"
                    )
                    messages.warning(
                        request,
                        format_html(
                            '<a href="{}">Place or dismiss the {} flagged citation(s)</a>.', url, len(result.problems)
                        ),
                    )
                return HttpResponseRedirect(reverse("admin:sources_source_change", args=[new.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Supersede {source.public_id} with a corrected text",
            "source": source,
            "original": source,
            "form": form,
            "citation_count": source.citations.count(),
            "open_problems": ReanchorProblem.objects.filter(source=source, resolution="").count(),
        }
        return TemplateResponse(request, "admin/sources/source/supersede.html", context)
