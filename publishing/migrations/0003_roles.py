"""Create the roles (auth groups with their permissions): see core.roles."""
from django.db import migrations


def create_roles(apps, schema_editor):
    from core.roles import sync_roles

    sync_roles()


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0002_database_guards"),
        ("sources", "0003_history"),
        ("entities", "0002_history"),
        ("sanctions", "0002_history"),
        ("pghistory", "0007_auto_20250421_0444"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
