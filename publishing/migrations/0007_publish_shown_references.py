"""Give the authorities and programmes that published actions already show a published
version of their own (documents now show those, not the live rows).

Each gets version 1 with the values the newest published version of an action
showing it holds (an action with an edit waiting for review is left out: its row may
name another authority than its document shows; an authority shown only by such
actions is taken into review with the first change set that shows it): what a reviewer approved then, in that version's change set, by its
approver, at its time (the database's four-eyes trigger checks that approver again).
A fresh database has no published actions: nothing to do.
"""

import hashlib
import json

from django.db import migrations


def _hash(document):
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def publish_shown_references(apps, schema_editor):
    PublishedRecord = apps.get_model("publishing", "PublishedRecord")
    PublishedVersion = apps.get_model("publishing", "PublishedVersion")
    SanctionAction = apps.get_model("sanctions", "SanctionAction")
    Authority = apps.get_model("sanctions", "Authority")
    Programme = apps.get_model("sanctions", "Programme")

    heads = {
        h.record_id: h
        for h in PublishedRecord.objects.filter(record_type="sanction", operation="upsert").order_by("latest_id")
    }
    if not heads:
        return
    # An action with an edit waiting for review may point at another authority than the
    # one its document shows: only actions whose row is what was published pair the two.
    ChangeSetItem = apps.get_model("publishing", "ChangeSetItem")
    waiting = set(ChangeSetItem.objects.filter(record_type="sanction", pending=True).values_list("record_id", flat=True))
    shown = {}  # (type, public id) → the newest head showing it (heads are in seq order)
    for public_id, authority_id, programme_id in SanctionAction.objects.filter(
        public_id__in=[i for i in heads if i not in waiting]
    ).values_list("public_id", "authority_id", "programme_id"):
        head = heads[public_id]
        shown[("authority", authority_id)] = max(head, shown.get(("authority", authority_id), head), key=_seq)
        if programme_id and head.document.get("programme"):
            key = ("programme", programme_id)
            shown[key] = max(head, shown.get(key, head), key=_seq)
    authorities = dict(Authority.objects.values_list("pk", "public_id"))
    programmes = {pk: (pid, authorities[a]) for pk, pid, a in Programme.objects.values_list("pk", "public_id", "authority_id")}
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT set_config('publishing.writer', 'approve', true)")
    for (record_type, pk), head in sorted(shown.items(), key=lambda item: (item[0][0], item[0][1])):
        latest = PublishedVersion.objects.get(seq=head.latest_id)
        if record_type == "authority":
            public_id, part = authorities[pk], head.document["authority"]
            document = {"id": public_id, "type": "authority", "name": part["name"], "short_name": part["short_name"],
                        "country": part["country"]}
        else:
            (public_id, authority), part = programmes[pk], head.document["programme"]
            document = {"id": public_id, "type": "programme", "authority": authority, "name": part["name"],
                        "code": part["code"]}
        if PublishedRecord.objects.filter(record_type=record_type, record_id=public_id).exists():
            continue
        digest = _hash(document)
        version = PublishedVersion.objects.create(
            record_type=record_type, record_id=public_id, version=1, operation="upsert", document=document,
            content_hash=digest, change_set_id=latest.change_set_id, approved_by_id=latest.approved_by_id,
            published_at=latest.published_at,
        )
        PublishedRecord.objects.create(
            record_type=record_type, record_id=public_id, latest=version, version=1, operation="upsert",
            document=document, content_hash=digest, published_at=latest.published_at, target_ids=[], tags=[],
            csv_row="",
        )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT set_config('publishing.writer', '', true)")


def _seq(head):
    return head.latest_id


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0006_reviewed_references"),
        ("sanctions", "0003_reviewed_references"),
    ]

    operations = [migrations.RunPython(publish_shown_references, migrations.RunPython.noop)]
