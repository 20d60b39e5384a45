import json

from django import template

register = template.Library()


@register.filter
def pretty_json(document):
    """Indented JSON for reading; the template escapes it like any other text."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
