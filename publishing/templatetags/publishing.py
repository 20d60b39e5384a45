import json

from django import template

from .. import queue

register = template.Library()


@register.filter
def pretty_json(document):
    """Indented JSON for reading; the template escapes it like any other text."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)


@register.inclusion_tag("admin/publishing/work_queue.html", takes_context=True)
def work_queue(context):
    """The change sets waiting for the signed-in user (publishing.queue)."""
    user = context["request"].user
    own = queue.own_open(user)
    return {
        "to_review": queue.to_review(user),
        "returned": [c for c in own if c.rejected],
        "own_open": [c for c in own if not c.rejected],
    }
