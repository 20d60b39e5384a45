"""What changed between two published documents: per section, each claim added,
changed or removed (the review page and the stale-save message show it)."""

SECTIONS = ("names", "identifiers", "relationships", "targets", "sanctions")


def diff_documents(before, after):
    """What changed between two documents of one record, claim by claim.

    Returns a list of {"part", "change": added|changed|removed, "before", "after"};
    list sections are compared by claim id (sanctions by action), the rest by key.
    """
    before, after = before or {}, after or {}
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key in SECTIONS and isinstance(old or [], list) and isinstance(new or [], list):
            changes.extend(_diff_section(key, old or [], new or []))
        elif old is None:
            changes.append({"part": key, "change": "added", "before": None, "after": new})
        elif new is None:
            changes.append({"part": key, "change": "removed", "before": old, "after": None})
        else:
            changes.append({"part": key, "change": "changed", "before": old, "after": new})
    return changes


def _diff_section(part, old, new):
    key = "action" if part == "sanctions" else "id"
    olds = {item.get(key): item for item in old}
    news = {item.get(key): item for item in new}
    out = []
    for k in list(olds) + [k for k in news if k not in olds]:
        o, n = olds.get(k), news.get(k)
        if o == n:
            continue
        change = "added" if o is None else "removed" if n is None else "changed"
        out.append({"part": part, "change": change, "before": o, "after": n})
    return out
