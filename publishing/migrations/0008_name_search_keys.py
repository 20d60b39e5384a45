from django.db import migrations


def retag(apps, schema_editor):
    """Name tags are now the match index's word keys (q= reads names as match/ does):
    recompute the heads' tags, as approval would."""
    from publishing.tags import tags

    PublishedRecord = apps.get_model("publishing", "PublishedRecord")
    # Heads are writable only inside approval (migration 0002); this is its equivalent.
    schema_editor.execute("SELECT set_config('publishing.writer', 'approve', true)")
    for head in PublishedRecord.objects.only("pk", "document").iterator(chunk_size=2000):
        PublishedRecord.objects.filter(pk=head.pk).update(tags=tags(head.document))
    schema_editor.execute("SELECT set_config('publishing.writer', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0007_publish_shown_references"),
    ]

    operations = [migrations.RunPython(retag, migrations.RunPython.noop)]
