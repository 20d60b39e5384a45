"""Import an article from a web page: an uploaded HTML file (a saved page) or a URL the
server fetches; the article's text and metadata become a new source (sources.importing)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.codes import LANGUAGES

from .. import importing, services
from ..models import Source


class ImportArticleForm(forms.Form):
    page = forms.FileField(
        required=False, label="Saved web page", help_text="An .html file (the browser's “Save page as…”)."
    )
    url = forms.URLField(
        required=False,
        max_length=2000,
        assume_scheme="https",
        label="or its address",
        help_text="The server fetches it (public addresses only).",
    )
    language = forms.ChoiceField(
        required=False,
        choices=[("", "as the page says"), *sorted(LANGUAGES.items(), key=lambda item: item[1])],
        help_text="Needed only when the page doesn't declare its language.",
    )

    def clean(self):
        cleaned = super().clean()
        page, url = cleaned.get("page"), cleaned.get("url")
        if self.errors:
            return cleaned
        if bool(page) == bool(url):
            raise ValidationError("Give either a saved page or an address, not both.")
        field = "page" if page else "url"
        try:
            if page:
                article = importing.from_html(page.read())
            else:
                html, final_url = importing.fetch(url)
                article = importing.from_html(html, url=final_url)
                article.url = article.url or final_url
        except importing.NotAnArticle as exc:
            self.add_error(field, str(exc))
            return cleaned
        article.language = cleaned.get("language") or article.language
        if not article.language:
            self.add_error("language", "The page doesn't declare its language; choose it.")
            return cleaned
        existing = Source.objects.filter(text_sha256=Source.digest(article.text)).only("pk", "public_id").first()
        if existing is not None:
            link = reverse("admin:sources_source_read", args=[existing.pk])
            self.add_error(
                field,
                ValidationError(
                    format_html('This article is already here: <a href="{}">{}</a>.', link, existing.public_id)
                ),
            )
            return cleaned
        source = Source(
            title=article.title,
            author=article.author,
            publisher=article.publisher,
            url=article.url,
            published=article.published,
            language=article.language,
            text=article.text,
            retrieved_at=timezone.now() if url else None,
        )
        try:
            source.full_clean()
        except ValidationError as exc:
            # Metadata a page gives in a shape the model refuses is left for the curator
            # to fill in; a text the model refuses (too long) is refused on the field.
            fields = {f.name for f in Source._meta.fields}
            for name in set(exc.message_dict) & fields - {"text", "language"}:
                setattr(source, name, Source._meta.get_field(name).get_default())
            try:
                source.full_clean()
            except ValidationError as again:
                self.add_error(field, " ".join(again.messages))
                return cleaned
        cleaned["source"] = source
        return cleaned


class ArticleImportMixin:
    """For SourceAdmin: the "Import from a web page" view."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{prefix}_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportArticleForm(request.POST, request.FILES) if request.method == "POST" else ImportArticleForm()
        if request.method == "POST" and form.is_valid():
            source = form.cleaned_data["source"]
            source.created_by = request.user
            with transaction.atomic():
                source.save()
                shown = services.cite_metadata(source, request.user)
            where = f" Its {', '.join(shown)} cited where the page shows them." if shown else ""
            messages.success(request, f"Imported {source}.{where} Check its metadata, then cite what it states.")
            return HttpResponseRedirect(reverse("admin:sources_source_read", args=[source.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import an article from a web page",
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/sources/source/import.html", context)
