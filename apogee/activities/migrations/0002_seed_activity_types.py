"""Every workspace starts with the six activity types Pipedrive users know; administrators adjust them.

The icons are symbols from the common text fonts, not colour emoji, so they show on every machine.
"""

from django.db import migrations

TYPES = [
    ("call", "Call", "Appel", "☎"),
    ("meeting", "Meeting", "Réunion", "⚇"),
    ("task", "Task", "Tâche", "✔"),
    ("deadline", "Deadline", "Échéance", "⚑"),
    ("email", "E-mail", "E-mail", "✉"),
    ("linkedin", "LinkedIn", "LinkedIn", "in"),
]


def seed(apps, schema_editor):
    ActivityType = apps.get_model("activities", "ActivityType")
    for position, (key, label_en, label_fr, icon) in enumerate(TYPES, start=1):
        ActivityType.objects.get_or_create(
            key=key, defaults={"label_en": label_en, "label_fr": label_fr, "icon": icon, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
