"""Test data and the helpers around it: plain builder functions (the models are simple
enough), admin pages and form round-trips, publication through the review workflow, and
other processes on the test database. The fixtures are in conftest.py."""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote as urlquote

from django import forms
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import pgtools
from entities.models import Entity, Identifier, Name, Organisation, Person, Relationship
from publishing import exports, services
from sanctions.models import Authority, SanctionAction, SanctionTarget
from sources.models import Citation, Evidence, Source

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------- sources and citations

TEXT = "Verteidigungsminister Sergej Schoigu traf 𝔐𝔬𝔰𝔨𝔞𝔲 und Teheran am 1. März."

ARTICLE = (
    "TEHRAN (AP) — Maj. Gen. Hossein Salami, commander of the Islamic Revolutionary Guard Corps, "
    "said on Monday that the force would respond to any new sanctions.\n"
    "The European Union added the Guard's aerospace unit to its list of targets."
)


def source(text=TEXT, **kwargs):
    kwargs.setdefault("language", "de")
    return Source.objects.create(text=text, **kwargs)


def make_source(text=ARTICLE, **kwargs):
    """An English news article (by default the AP one on the Guard)."""
    kwargs.setdefault("title", "Iran's Guard warns over sanctions")
    kwargs.setdefault("publisher", "AP")
    kwargs.setdefault("language", "en")
    return source(text, **kwargs)


def span(text, quote, nth=1):
    """(start, end) of the ``nth`` occurrence of ``quote`` in ``text``."""
    start = -1
    for _ in range(nth):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


def citation(src, quote, nth=1, **kwargs):
    """A citation of the ``nth`` occurrence of ``quote`` in ``src``."""
    start, end = span(src.text, quote, nth)
    return Citation.objects.create(source=src, start=start, end=end, **kwargs)


# ----------------------------------------------------------------------------- entities


def entity(name, kind=Entity.Kind.PERSON, cite=None, **kwargs):
    """An entity with ``name`` as its primary English name, it and the name cited to
    ``cite`` when given; ``kwargs`` go to the entity (its ``created_by`` to the name too)."""
    obj = Entity.objects.create(kind=kind, **kwargs)
    primary = Name.objects.create(
        entity=obj, value=name, type=Name.Type.PRIMARY, lang="en", created_by=kwargs.get("created_by")
    )
    if cite is not None:
        obj.citations.add(cite)
        primary.citations.add(cite)
    return obj


def person(name="Sergei Shoigu", cite=None, **kwargs):
    return entity(name, Entity.Kind.PERSON, cite, **kwargs)


def cited_entity(src, quote, kind=Entity.Kind.ORGANISATION, **kwargs):
    """An entity whose name is ``quote``, cited to where ``src`` says it."""
    return entity(quote, kind, citation(src, quote), **kwargs)


def make_person(name, *, alias=None, nationalities=("IR",), birth_date="1960"):
    """A person with details (title, birth date, nationalities) and maybe an alias, uncited."""
    obj = entity(name, Entity.Kind.PERSON)
    Person.objects.create(entity=obj, title="Maj. Gen.", birth_date=birth_date, nationalities=list(nationalities))
    if alias:
        Name.objects.create(entity=obj, value=alias, type=Name.Type.ALIAS, lang="en")
    return obj


def make_organisation(name, *, countries=("IR",), org_kind=Organisation.Kind.ARMED_GROUP, parent=None):
    obj = entity(name, Entity.Kind.ORGANISATION)
    Organisation.objects.create(entity=obj, org_kind=org_kind, countries=list(countries), parent=parent)
    return obj


def cited_article(people=1, user=None, extra_text="", name_prefix="Anna"):
    """An article with every kind of claim cited in it, as many times over as a test
    needs: `people` persons, each with a name, an identifier, an organisation they head
    and a place among the targets of one sanction action, every claim cited; spans nest
    ("Minister Anna0 Berg" contains "Anna0 Berg") and overlap."""
    sentences = [
        f"Minister {name_prefix}{i} Berg (passport P{i:05d}) heads the Agency{i} in Teheran." for i in range(people)
    ]
    text = " ".join(sentences) + " The EU froze the assets of all of them." + extra_text
    src = Source.objects.create(text=text, title="Agencies", publisher="AP", language="en", created_by=user)

    def cite(quote):
        start, end = span(text, quote)
        return Citation.objects.get_or_create(source=src, start=start, end=end, defaults={"created_by": user})[0]

    authority, _ = Authority.objects.get_or_create(name="Council of the European Union", short_name="EU")
    action = SanctionAction.objects.create(
        authority=authority,
        kind=SanctionAction.Kind.DESIGNATION,
        status=SanctionAction.Status.ANNOUNCED,
        summary="The EU freezes the assets of the agency heads.",
        created_by=user,
    )
    action.citations.add(cite("The EU froze the assets of all of them."))
    persons = []
    for i in range(people):
        man = person(f"{name_prefix}{i} Berg", cite(f"{name_prefix}{i} Berg"), created_by=user)
        Identifier.objects.create(
            entity=man, scheme=Identifier.Scheme.PASSPORT, value=f"P{i:05d}", created_by=user
        ).citations.add(cite(f"passport P{i:05d}"))
        agency = entity(f"Agency{i}", Entity.Kind.ORGANISATION, cite(f"Agency{i}"), created_by=user)
        Organisation.objects.create(entity=agency, org_kind=Organisation.Kind.GOVERNMENT_BODY, countries=["IR"])
        cite_properties(agency, cite(f"Agency{i}"))
        Relationship.objects.create(
            subject=man, kind=Relationship.Kind.HEAD_OF, object=agency, created_by=user
        ).citations.add(cite(f"Minister {name_prefix}{i} Berg (passport P{i:05d}) heads the Agency{i}"))
        target = SanctionTarget.objects.create(action=action, entity=man, measures=["asset_freeze"], created_by=user)
        target.citations.add(cite("froze the assets"))
        cite_properties(target, cite("froze the assets"))
        persons.append(man)
    return SimpleNamespace(source=src, action=action, persons=persons)


# ------------------------------------------------------------------ review and publication


def approve_now(change_set, reviewer):
    """Approve with the revisions as they are (what a reviewer who just loaded the diff sends)."""
    return services.approve(change_set, reviewer, services.shown_revisions(change_set))


def publish_edits(users, *records):
    """Put the records' current state through the workflow: ``users.curator`` edits and
    submits, ``users.reviewer`` approves."""
    change_set = None
    for record in records:
        change_set = services.record_edit(users.curator, record)
    services.submit(change_set, users.curator)
    return approve_now(change_set, users.reviewer)


def cited(claim, cite):
    """``claim``, with ``cite`` among its citations."""
    claim.citations.add(cite)
    return claim


def cite_properties(claim, cite):
    """``claim``, with ``cite`` backing each of its published properties too (a birth
    date, each nationality, each measure...: Claim.cited_properties)."""
    claim = type(claim).objects.get(pk=claim.pk)  # details saved since are read afresh
    Evidence.objects.bulk_create(
        [Evidence(claim=claim, citation=cite, property=key) for key, _ in claim.cited_properties()],
        ignore_conflicts=True,
    )
    return claim


def publish_entities(users, count, quote_text=None):
    """``count`` published entities (persons and organisations alternately), each with
    names, details, an identifier, a relationship to the one before, all targeted by
    one action. ``quote_text``: a longer text every entity claim cites (big documents)."""
    text = "Maj. Gen. Hossein Salami spoke. " + (quote_text or "")
    src = make_source(text)
    short = citation(src, "Maj. Gen. Hossein Salami")
    whole = citation(src, quote_text) if quote_text else short
    action = SanctionAction.objects.create(
        authority=Authority.objects.get_or_create(name="Council of the European Union")[0],
        kind=SanctionAction.Kind.DESIGNATION,
        status=SanctionAction.Status.IN_FORCE,
        summary="Listed.",
    )
    cited(action, short)
    entities = []
    for i in range(count):
        kind = Entity.Kind.PERSON if i % 2 == 0 else Entity.Kind.ORGANISATION
        obj = cited(Entity.objects.create(kind=kind), whole)
        cited(Name.objects.create(entity=obj, value=f"Entity {i:04}", type=Name.Type.PRIMARY), short)
        cited(Name.objects.create(entity=obj, value=f"E{i}", type=Name.Type.ALIAS), short)
        if kind == Entity.Kind.PERSON:
            Person.objects.create(entity=obj, birth_date="1961-03", nationalities=["IR"])
        else:
            Organisation.objects.create(entity=obj, org_kind=Organisation.Kind.COMPANY, countries=["RU"])
        cite_properties(obj, short)
        cited(Identifier.objects.create(entity=obj, scheme=Identifier.Scheme.NATIONAL_ID, value=f"ID-{i}"), short)
        if entities:
            rel = Relationship.objects.create(subject=obj, kind=Relationship.Kind.ASSOCIATE_OF, object=entities[-1])
            cited(rel, short)
        target = cited(SanctionTarget.objects.create(action=action, entity=obj, measures=["asset_freeze"]), short)
        cite_properties(target, short)
        entities.append(obj)
    publish_edits(users, *entities, action)


def read_export(name, **kwargs):
    """The whole of bulk export ``name``, as bytes."""
    return b"".join(exports.get_export(name).stream(**kwargs))


def jsonl_documents():
    """The documents of the JSON lines export."""
    data = read_export("entities.jsonl")
    assert data == b"" or data.endswith(b"\n")
    # Split on b"\n" only: a document may hold U+2028, which str.splitlines() splits on.
    return [json.loads(line) for line in data.split(b"\n")[:-1]]


# ------------------------------------------------------------------ hostile input

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_TEXT = f"Officials named {SCRIPT} and the firm {IMG} as suppliers of drones."


def hostile_world(curator, reviewer):
    """An article, names, an action and a relationship made of markup, published
    through the workflow, plus a second name waiting for review: every page that
    shows them must show them as text."""
    src = source(HOSTILE_TEXT, title=f"Report {SCRIPT}", publisher=IMG, language="en")
    script, img = citation(src, SCRIPT), citation(src, IMG)
    man = person(SCRIPT, cite=script)
    firm = entity(IMG, Entity.Kind.ORGANISATION, img)
    Relationship.objects.create(subject=man, kind=Relationship.Kind.HEAD_OF, object=firm, role=IMG).citations.add(img)
    action = SanctionAction.objects.create(
        authority=Authority.objects.create(name=f"Authority {IMG}", short_name=SCRIPT),
        kind=SanctionAction.Kind.DESIGNATION,
        status=SanctionAction.Status.ANNOUNCED,
        summary=f"Listed {SCRIPT}",
    )
    action.citations.add(script)
    target = SanctionTarget.objects.create(action=action, entity=firm, measures=["asset_freeze"])
    target.citations.add(img)
    cite_properties(target, img)
    publish_edits(SimpleNamespace(curator=curator, reviewer=reviewer), man, firm, action)
    Name.objects.create(entity=man, value=IMG, type=Name.Type.ALIAS, lang="en").citations.add(img)
    pending = services.record_edit(curator, man)
    services.submit(pending, curator)
    return src, man, firm, action, pending


# --------------------------------------------------------------------------- the admin


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


def extra_row(data, prefix):
    """Index of the first empty row of an inline, in the form data ``data``."""
    return int(data[f"{prefix}-INITIAL_FORMS"])


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
    return sorted((m for m in admin.site._registry if m._meta.app_label == app_label), key=lambda m: m._meta.model_name)


def change_page(client, obj):
    """(url, response) of obj's admin change page, asserting it renders."""
    url = admin_url(type(obj), "change", obj.pk)
    response = client.get(url)
    assert response.status_code == 200
    return url, response


def add_form(client, model, query=""):
    """(url, page, POST data as rendered) of model's admin add page; ``query``: "?kind=person"."""
    url = admin_url(model, "add") + query
    page = client.get(url)
    return url, page, admin_form_data(page)


def post_change(client, obj, **changes):
    """POST obj's admin change page as rendered, with ``changes`` to its form data."""
    url, page = change_page(client, obj)
    post = admin_form_data(page)
    post.update(changes)
    return client.post(url, post)


def field_errors(response, field):
    """The errors of the page's main form on ``field``, as one string."""
    return " ".join(response.context["adminform"].form.errors[field])


def autocomplete(client, app_label, model_name, field_name, term):
    """The texts the admin's autocomplete offers for ``term`` in that field."""
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [r["text"] for r in json.loads(response.content)["results"]]


# ------------------------------------------------------------- the database, elsewhere


def database_url(info=None):
    """A postgres:// URL for libpq parameters (default: the test database's); a socket
    directory goes in ?host=."""
    info = info or pgtools.conninfo(connection.settings_dict)
    auth = urlquote(info.get("user", ""), safe="") + ":" + urlquote(info.get("password", ""), safe="")
    host = info.get("host", "")
    if host.startswith("/"):
        return f"postgresql://{auth}@/{info['dbname']}?host={urlquote(host, safe='/')}"
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{auth}@{host}{port}/{info['dbname']}"


def process_env(url=None):
    """The environment of a production-like process (DEBUG off) using database ``url``."""
    return {
        **os.environ,
        "DATABASE_URL": url or database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "other-process-" + "k" * 50,
    }


def manage(url, *args):
    """manage.py ``args`` in a production-like process on database ``url``."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=process_env(url),
        capture_output=True,
        text=True,
        timeout=300,
    )
