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
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from .. import checklist, provenance, services
from .. import text as textlib
from ..creators import creators
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


def json_errors(errors, status=400, **extra):
    """{"errors": {field: [message, ...]}, "message": "field: message; ...", **extra}: the
    panel shows `message`, scripts can read the fields."""
    errors = {name: [str(m) for m in msgs] for name, msgs in errors.items()}
    summary = "; ".join(
        f"{name}: {' '.join(msgs)}" if name != "__all__" else " ".join(msgs) for name, msgs in errors.items()
    )
    return JsonResponse({"errors": errors, "message": summary, **extra}, status=status)


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


class SelectionForm(forms.Form):
    """A selection of the article (what the cite panel and the create buttons post)."""

    start_utf16 = forms.IntegerField(min_value=0)
    end_utf16 = forms.IntegerField(min_value=0)
    quote = forms.CharField(
        strip=False, error_messages={"required": "The selection is empty: select the words that state the claim."}
    )
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


def claim_errors(values):
    """The claims the posted ``claim`` values name (a claim, "<pk>"; or one of its
    properties, "<pk>:<property>": provenance.claim_references), and a message for each
    value that names no live claim or no value of it."""
    if not values:
        return [], ["Choose the claim this quote backs."]
    return provenance.claim_references(values)


def record_json(record):
    """A record as the cite panel lists it, with the claims a quote can back."""
    return {
        "pk": record.pk,
        "type": record._meta.model_name,
        "label": str(record),
        "kind": str(record._meta.verbose_name),
        "claims": [provenance.ClaimInfo(c).as_json() for c in record.claims()],
    }


class SourceReaderMixin:
    """For SourceAdmin: the reader, cite, create, claim-search and supersede views."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/read/", wrap(self.reader_view), name=f"{prefix}_read"),
            path("<path:object_id>/read/view/", wrap(self.reader_part_view), name=f"{prefix}_read_part"),
            path("<path:object_id>/cite/", wrap(self.cite_view), name=f"{prefix}_cite"),
            path("<path:object_id>/create/", wrap(self.create_view), name=f"{prefix}_create_from_selection"),
            path("<path:object_id>/selection/", wrap(self.selection_view), name=f"{prefix}_selection"),
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

    @staticmethod
    def _creators(request):
        """The creators the user may use: {key: Creator}."""
        return {key: c for key, c in creators().items() if request.user.has_perms(c.permissions)}

    # ------------------------------------------------------------------- the reader

    def _part(self, request, source, value):
        """What the reader shows of one part of the article (all of a short one): the
        highlighted text, its citations, the mentions and the curator's checklist."""
        views = provenance.source_citations(source)
        # A long article is read part by part (?part=N); offsets stay the article's.
        parts = article_parts(source.text)
        try:
            number = min(max(int(value or 1), 1), len(parts))
        except ValueError:
            number = 1
        lo, hi = parts[number - 1]
        text = source.text[lo:hi]
        shown = [v for v in views if v.citation.start < hi and v.citation.end > lo]
        cited = {(start - lo, end - lo, entity) for start, end, entity in entity_citations(shown)}
        links = [{"number": i, "start": a, "end": b} for i, (a, b) in enumerate(parts, 1)] if len(parts) > 1 else []
        finder = mention_finder()
        mentions = finder.offers(text, cited)  # offsets into the part
        new_entities = finder.new_entities(text, mentions, source.language, cited)
        # The panel's "Select" button selects a suggestion's words as a drag would.
        utf16 = textlib.utf16_offsets(text, {o for n in new_entities for o in (n.suggestion.start, n.suggestion.end)})
        return {
            "source": source,
            "text": text,
            "article": provenance.highlighted(text, shown, [m for m in mentions if not m.cited], offset=lo),
            "citations": {v.citation.pk: v.as_json() for v in shown},
            "citation_count": len(views),
            "mentions": mentions,
            "new_entities": [
                {"new": n, "start_utf16": utf16[n.suggestion.start], "end_utf16": utf16[n.suggestion.end]}
                for n in new_entities
            ],
            "can_add_entity": request.user.has_perm("entities.add_entity"),
            "can_cite": self.can_cite(request, source),
            "checklist": self._checklist(request, source),
            "part": {"number": number, "start": lo, "end": hi, "utf16_start": textlib.utf16_length(source.text[:lo])},
            "parts": links,
        }

    def _checklist(self, request, source):
        if not self.can_cite(request, source):
            return []
        return [
            {"record": record, "entries": entries, "json": record_json(record)}
            for record, entries in checklist.uncited(request.user, record_models())
        ]

    def reader_view(self, request, object_id):
        source = self._source(request, object_id)
        part = self._part(request, source, request.GET.get("part"))
        makers = self._creators(request) if part["can_cite"] else {}
        context = {
            **self.admin_site.each_context(request),
            **part,
            "opts": self.opts,
            "title": f"Read: {source}",
            "kinds": provenance.KINDS,
            "can_supersede": self.can_supersede(request, source),
            "utf16_length": textlib.utf16_length(part["text"]),
            "creators": makers,
            "action_choices": makers["sanctionaction"].choices() if "sanctionaction" in makers else {},
            "checklist_data": [item["json"] for item in part["checklist"]],
        }
        return TemplateResponse(request, "admin/sources/source/reader.html", context)

    def _part_json(self, request, source, number):
        """The parts of the page a cite changes, drawn by the server as on a load: the
        article's HTML (its text unchanged), its citations, the mentions panel and the
        checklist."""
        part = self._part(request, source, number)
        return {
            "article": str(part["article"]),
            "citations": part["citations"],
            "mentions_html": render_to_string("admin/sources/source/_mentions.html", part, request),
            "checklist_html": render_to_string("admin/sources/source/_checklist.html", part, request),
            "checklist": [item["json"] for item in part["checklist"]],
            "part": part["part"]["number"],
        }

    def reader_part_view(self, request, object_id):
        return require_GET(self._reader_part)(request, object_id)

    def _reader_part(self, request, object_id):
        source = self._source(request, object_id)
        return JsonResponse(self._part_json(request, source, request.GET.get("part")))

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
        return JsonResponse({"query": q, "records": [record_json(record) for record in found]})

    def _refuse_citing(self, request, source):
        """A JSON error when the user may not cite this source, else None."""
        if not request.user.has_perm("sources.add_citation"):
            return json_errors({"__all__": ["You may not add citations."]}, status=403)
        if source.is_superseded:
            stale = (
                f"This source has been superseded by {source.superseded_by.public_id}: "
                "this page is stale. Cite the corrected text instead."
            )
            return json_errors({"source": [stale]})
        return None

    def cite_view(self, request, object_id):
        return require_POST(self._cite)(request, object_id)

    def _cite(self, request, object_id):
        """Cite the selection for every posted ``claim``, all or none."""
        source = self._source(request, object_id)
        refused = self._refuse_citing(request, source)
        if refused:
            return refused
        form = SelectionForm(source, request.POST)
        claims, claim_problems = claim_errors(request.POST.getlist("claim"))
        errors = {**form.errors} if not form.is_valid() else {}
        if claim_problems:
            errors["claim"] = claim_problems
        if errors:
            return json_errors(errors)
        for claim in claims:
            opts = claim._meta
            if not request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
                return json_errors({"claim": [f"You may not change {opts.verbose_name_plural} ({claim})."]}, status=403)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                results = self._cite_all(request, source, data, claims)
        except ValidationError as exc:
            return json_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        return self._cited_response(request, source, results)

    @staticmethod
    def _cite_all(request, source, data, claims):
        """[(claim, citation, citation created, evidence linked)]: the selection cited
        for every claim at once (provenance.claim_references checked each); a ValidationError
        leaves the caller's transaction to save nothing."""
        citation, created, linked = services.cite_many(
            source, data["start"], data["end"], [(claim, "") for claim in claims], request.user, data["translation"]
        )
        return [(claim, citation, created, was_linked) for claim, was_linked in zip(claims, linked, strict=True)]

    def _cited_response(self, request, source, results, status=None, **extra):
        """The JSON answer to a cite: what was linked, and the article part drawn anew."""
        citation = results[0][1]
        linked_any = any(linked for *_, linked in results)
        backed = "; ".join(
            f"{info.type_label} {info.label}" + ("" if linked or not linked_any else " (already)")
            for info, linked in ((provenance.ClaimInfo(claim), linked) for claim, _, _, linked in results)
        )
        if linked_any:
            message = f"“{citation.quote}” now backs {backed}."
        else:
            message = f"“{citation.quote}” already backed {backed}; nothing changed."
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
                "citation_created": any(created for _, _, created, _ in results),
                "linked": linked_any,
                "claims": [provenance.ClaimInfo(claim).as_json() for claim, *_ in results],
                "claim": provenance.ClaimInfo(results[0][0]).as_json(),
                "view": self._part_json(request, source, request.POST.get("part")),
                **extra,
            },
            status=status or (201 if linked_any else 200),
        )

    # ------------------------------------------------------- creating from a selection

    def selection_view(self, request, object_id):
        return require_GET(self._selection)(request, object_id)

    def _selection(self, request, object_id):
        """What the panel shows for selected words before anything is created: the kind
        of entity they read as, and the recorded entities they may already name."""
        self._source(request, object_id)
        words = " ".join(request.GET.get("words", "").split())[:500]
        makers = self._creators(request)
        kind = mention_finder().guess_kind(words) if words else ""
        candidates = []
        if kind in makers and words:
            candidates = self._candidates(makers[kind], words)
        return JsonResponse({"words": words, "kind": kind, "candidates": candidates})

    @staticmethod
    def _candidates(creator, words):
        return [{**record_json(c.record), "name": c.name, "score": c.score} for c in creator.candidates(words)]

    def create_view(self, request, object_id):
        return require_POST(self._create)(request, object_id)

    def _create(self, request, object_id):
        """Create a record from the selection (``what``: a creator's key) and cite the
        selection for its claims, in one transaction."""
        source = self._source(request, object_id)
        refused = self._refuse_citing(request, source)
        if refused:
            return refused
        creator = creators().get(request.POST.get("what", ""))
        if creator is None:
            return json_errors({"what": [f"Choose what to create: {', '.join(creators())}."]})
        if not request.user.has_perms(creator.permissions):
            return json_errors({"what": [f"You may not do this: {creator.label.lower()}."]}, status=403)
        form = SelectionForm(source, request.POST)
        if not form.is_valid():
            return json_errors(form.errors)
        data = form.cleaned_data
        words = data["quote"].strip()
        if request.POST.get("confirm_new") != "1":
            candidates = self._candidates(creator, words)
            if candidates:
                listed = "; ".join(f"{c['label']} ({c['score']:.2f})" for c in candidates)
                refusal = (
                    f"Already recorded? {listed}. Add the words as a name of one of these, "
                    "or post confirm_new=1 to create a new record anyway."
                )
                return json_errors({"confirm_new": [refusal]}, candidates=candidates)
        bounds = textlib.sentence_bounds(source.text, data["start"], data["end"])
        context = {"source": source, "sentence": source.text[bounds.lo : bounds.hi]}
        try:
            with transaction.atomic():
                claims = creator.create(request.user, words, request.POST, context)
                results = self._cite_all(request, source, data, claims)
        except ValidationError as exc:
            return json_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        record = claims[0].owner_record()
        record = type(record).with_claims().get(pk=record.pk)
        return self._cited_response(request, source, results, status=201, record=record_json(record))

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
