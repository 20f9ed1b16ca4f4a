"""Activity.lead_id (a plain integer) becomes the foreign key Activity.lead, keeping every value.

What makemigrations proposes (RemoveField lead_id + AddField lead) would drop the column
and its data. Renaming the field to "lead" and then altering it to a ForeignKey renames
the column to "lead" and back to "lead_id", keeping the values, and adds the constraint.
"""

from django.db import migrations, models

import apogee.activities.models


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0003_forget_dangling_lead_ids"),
        ("leads", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="activity", old_name="lead_id", new_name="lead"),
        migrations.AlterField(
            model_name="activity",
            name="lead",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=apogee.activities.models.cascade_unless_on_deal,
                related_name="activities",
                to="leads.lead",
                verbose_name="lead",
            ),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["lead", "is_done", "due_date"], name="activity_lead_due"),
        ),
    ]
