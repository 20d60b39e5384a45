"""The review page's rows as a reviewer reads them: per record, each part of its document
added, changed or removed, rendered in one readable format (values as text, records
named beside their ids, quotes as quotes), never as JSON or Python reprs.

Before a decision the rows are the pending records' drafts against what is published
(``services.review_diff``); once the set is approved they are the versions it published,
each against the version before it, so auditors still see what was approved.
"""

from django.db.models import Q
from django.utils.html import format_html, format_html_join

from entities.models import Entity
from sanctions.models import Authority, Programme, SanctionAction

from . import diffs
from .models import PublishedVersion

ID_KEYS = ("entity", "object", "action", "subject")  # document keys whose value is another record's id
SKIP = ("citations", "id", "value")  # shown otherwise (quotes, label) or meaningless to a reader
NAMED = ("name", "short_name", "code")  # a nested record (authority, programme) is shown by these


def published_rows(change_set):
    """Rows for the versions ``change_set`` published, each diffed with its previous version."""
    versions = list(change_set.published_versions.order_by("record_type", "record_id"))
    if not versions:
        return []
    wanted = Q()
    for v in versions:
        if v.version > 1:
            wanted |= Q(record_type=v.record_type, record_id=v.record_id, version=v.version - 1)
    previous = {}
    if wanted:
        previous = {(p.record_type, p.record_id): p for p in PublishedVersion.objects.filter(wanted)}
    rows = []
    for v in versions:
        key = (v.record_type, v.record_id)
        before = previous.get(key)
        after = None if v.operation == PublishedVersion.Operation.RETRACT else v.document
        rows.append(
            {
                "key": key,
                "published": before,
                "published_now": v,
                "draft": None,
                "changes": diffs.diff_documents(before.document if before else None, after),
            }
        )
    return rows


def _ids_in(value, found):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ID_KEYS and isinstance(v, str):
                found.add(v)
            else:
                _ids_in(v, found)
    elif isinstance(value, list):
        for v in value:
            _ids_in(v, found)


def captions(rows):
    """{public id: what a reader calls it} for the records the rows show or point at."""
    ids = {row["key"][1] for row in rows}
    for row in rows:
        for change in row["changes"]:
            _ids_in([change["before"], change["after"]], ids)
    names = {e.public_id: e.caption for e in Entity.objects.filter(public_id__in=ids).prefetch_related("names")}
    for action in SanctionAction.objects.filter(public_id__in=ids).select_related("authority"):
        names[action.public_id] = f"{action.authority}: {action.get_kind_display()} ({action.get_status_display()})"
    for model in (Authority, Programme):
        names.update((r.public_id, r.name) for r in model.objects.filter(public_id__in=ids))
    return names


def _record(public_id, names):
    caption = names.get(public_id)
    if caption is None:
        return format_html("<code>{}</code>", public_id)
    return format_html("{} <code>{}</code>", caption, public_id)


def _is_citation(item):
    return isinstance(item, dict) and "quote" in item and "start" in item


def _quotes(citations):
    return format_html(
        "<ul class='quotes'>{}</ul>",
        format_html_join(
            "",
            "<li><q>{}</q> <small>{} {}–{}</small>{}</li>",
            (
                (
                    c["quote"],
                    c.get("source", ""),
                    c.get("start", ""),
                    c.get("end", ""),
                    format_html(" <span class='translation'>“{}”</span>", c["translation"])
                    if c.get("translation")
                    else "",
                )
                for c in citations
            ),
        ),
    )


def _text(value, names, key=None):
    """A value of a document as text: ids named, lists joined, nested records by name."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return _record(value, names) if key in ID_KEYS else value
    if isinstance(value, list) and all(_is_citation(c) for c in value):
        return _quotes(value)  # a value's citations (property_citations: {"birth_date": [...]})
    if isinstance(value, list):
        return format_html_join(", ", "{}", ((_text(v, names, key),) for v in value))
    if isinstance(value, dict):
        for named in NAMED:
            if value.get(named):
                return value[named]
        return _fields(value, names)
    return str(value)


def _fields(item, names, skip=()):
    shown = [(k, v) for k, v in sorted(item.items()) if k not in SKIP + skip and v not in ("", None, [], {})]
    if not shown:
        return ""
    return format_html(
        "<dl class='fields'>{}</dl>",
        format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((k.replace("_", " "), _text(v, names, k)) for k, v in shown)),
    )


def render(item, names):
    """One part of a document (a claim, a section, a value) as escaped HTML."""
    if item is None:
        return "—"
    if isinstance(item, list) and item and all(_is_citation(c) for c in item):
        return _quotes(item)  # the record's own citations
    if not isinstance(item, dict):
        return _text(item, names)
    label, label_key = item.get("value"), ()
    if not label:
        for key in ID_KEYS:
            if isinstance(item.get(key), str):
                label, label_key = _record(item[key], names), (key,)
                break
    if not label and not item.get("citations") and not _fields(item, names, label_key):
        return "—"  # details with every value empty
    return format_html(
        "{}{}{}",
        format_html("<strong>{}</strong>", label) if label else "",
        _fields(item, names, label_key),
        _quotes(item["citations"]) if item.get("citations") else "",
    )


def render_rows(rows):
    """Adds to each change its before/after HTML, and to each row its record's caption."""
    names = captions(rows)
    for row in rows:
        row["caption"] = names.get(row["key"][1], "")
        for change in row["changes"]:
            change["before_html"] = render(change["before"], names)
            change["after_html"] = render(change["after"], names)
    return rows
