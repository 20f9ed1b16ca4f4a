"""Before lead_id becomes a foreign key: forget the ids of leads that do not exist (the constraint would fail).

Its own migration, so that on PostgreSQL the update is committed before 0004 alters the table.
"""

from django.db import migrations


def forget_dangling_lead_ids(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    Lead = apps.get_model("leads", "Lead")
    # Soft-deleted leads still exist: their activities keep the link.
    Activity.objects.filter(lead_id__isnull=False).exclude(
        lead_id__in=Lead.objects.values("pk")
    ).update(lead_id=None)


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0002_seed_activity_types"),
        ("leads", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget_dangling_lead_ids, migrations.RunPython.noop),
    ]
