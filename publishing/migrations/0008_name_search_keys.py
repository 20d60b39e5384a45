from django.db import migrations


def retag(apps, schema_editor):
    """Name tags are now the match index's word keys (q= reads names as match/ does):
    recompute the heads' tags, as approval would."""
    from publishing.tags import refill

    refill(apps.get_model("publishing", "PublishedRecord"), schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0007_publish_shown_references"),
    ]

    operations = [migrations.RunPython(retag, migrations.RunPython.noop)]
