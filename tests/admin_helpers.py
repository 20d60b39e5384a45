"""Helpers the admin tests share: sample data, admin URLs, form round-trips, query counts."""
from django import forms
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sources.models import Citation, Source

ARTICLE = (
    "TEHRAN (AP) — Maj. Gen. Hossein Salami, commander of the Islamic Revolutionary Guard Corps, "
    "said on Monday that the force would respond to any new sanctions.\n"
    "The European Union added the Guard's aerospace unit to its list of targets."
)


# ----------------------------------------------------------------------- shared helpers


def make_source(text=ARTICLE, **kwargs):
    kwargs.setdefault("title", "Iran's Guard warns over sanctions")
    kwargs.setdefault("publisher", "AP")
    kwargs.setdefault("language", "en")
    return Source.objects.create(text=text, **kwargs)


def make_citation(source, quote, **kwargs):
    start = source.text.index(quote)
    return Citation.objects.create(source=source, start=start, end=start + len(quote), **kwargs)


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _field_data(bf):
    widget = bf.field.widget
    while hasattr(widget, "widget"):  # RelatedFieldWidgetWrapper
        widget = widget.widget
    value = bf.value()
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, (list, tuple)) else widget.decompress(value)
        return {f"{bf.html_name}_{i}": "" if v is None else str(v) for i, v in enumerate(parts)}
    if isinstance(widget, forms.CheckboxInput):
        return {bf.html_name: "on"} if value else {}
    if getattr(widget, "allow_multiple_selected", False) and value is None:
        return {bf.html_name: []}
    if isinstance(value, (list, tuple)):
        return {bf.html_name: [str(v) for v in value]}
    return {bf.html_name: "" if value is None else str(value)}


def admin_form_data(response):
    """The POST a browser would send for an admin add/change page as rendered."""
    data = {}
    forms_ = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms_.append(inline.formset.management_form)
        forms_.extend(inline.formset.forms)
    for form in forms_:
        for bf in form:
            data.update(_field_data(bf))
    return data


def inline_formset(response, model):
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset
    raise AssertionError(f"no {model.__name__} inline on the page")


def inline_prefix(response, model):
    return inline_formset(response, model).prefix


def row_of(response, obj):
    """Index of obj's row in its inline."""
    forms_ = inline_formset(response, type(obj)).forms
    return next(i for i, f in enumerate(forms_) if f.instance.pk == obj.pk)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def form_errors(response):
    """All error messages on an admin page that was re-rendered, as one string."""
    assert response.status_code == 200, "expected the form to be shown again with errors"
    messages = []
    for error in response.context["errors"]:
        if isinstance(error, str):
            messages.append(error)
        else:
            messages.extend(str(e) for e in error)
    for inline in response.context["inline_admin_formsets"]:
        messages.extend(str(e) for e in inline.formset.non_form_errors())
    return " | ".join(messages)


def registered(app_label):
    return sorted(
        (m for m in admin.site._registry if m._meta.app_label == app_label), key=lambda m: m._meta.model_name
    )


def change_page(client, obj):
    """(url, response) of obj's admin change page, asserting it renders."""
    url = admin_url(type(obj), "change", obj.pk)
    response = client.get(url)
    assert response.status_code == 200
    return url, response
