"""Migrating Activity.lead_id from a plain integer to a foreign key keeps the links to existing leads."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apogee.activities.models import Activity

BEFORE = [("activities", "0002_seed_activity_types")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_links_survive_and_links_to_missing_leads_are_forgotten():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([*BEFORE, ("leads", "0001_initial")]).apps
    owner = old.get_model("accounts", "User").objects.create(username="sophie", password="!")
    lead = old.get_model("leads", "Lead").objects.create(title="Hinge for CHIME", owner_id=owner.pk)
    call = old.get_model("activities", "ActivityType").objects.get(key="call")
    OldActivity = old.get_model("activities", "Activity")
    values = {"type_id": call.pk, "owner_id": owner.pk, "due_date": date(2026, 5, 4)}
    linked = OldActivity.objects.create(subject="Linked", lead_id=lead.pk, **values)
    dangling = OldActivity.objects.create(subject="Dangling", lead_id=lead.pk + 1000, **values)
    unlinked = OldActivity.objects.create(subject="Unlinked", lead_id=None, **values)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    leads = dict(Activity.objects.values_list("pk", "lead_id"))
    assert leads == {linked.pk: lead.pk, dangling.pk: None, unlinked.pk: None}
    assert Activity.objects.get(pk=linked.pk).lead.title == "Hinge for CHIME"
