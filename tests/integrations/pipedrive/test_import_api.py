"""Importing the generated account from the API double: mapping, histories, reconciliation, re-runs."""

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from apogee.activities.models import Activity
from apogee.contacts.models import Organization, Person
from apogee.deals.models import Deal, StageChange
from apogee.integrations.pipedrive.importer.reports import reconciliation, report_csv
from apogee.integrations.pipedrive.models import ImportIssue, ImportLink, RunStatus
from apogee.integrations.pipedrive.restructuring import load_map, translate_history
from apogee.integrations.pipedrive.services import reference_map_text
from apogee.notes.models import Note
from tests.doubles.pipedrive import generate_dataset
from tests.integrations.pipedrive.conftest import SMALL_DEALS

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_dataset():
    """A dataset of this test's own: the test changes it."""
    return generate_dataset(seed=11, deals=SMALL_DEALS)


def local(entity: str, source_id) -> int:
    return ImportLink.objects.get(entity=entity, source_id=str(source_id)).object_id


def errors_of(run) -> list[str]:
    return list(
        ImportIssue.objects.filter(run=run, level="error").values_list("entity", "source_id", "message")[:10]
    )


def expected_history(dataset, deal, the_map) -> list[tuple[str, str]]:
    """The (Apogee pipeline, stage) stays the map makes of a legacy deal's moves, final pipeline only."""
    final_pipeline = dataset.pipeline(deal.pipeline_id).name
    final = the_map.stage_for(final_pipeline, dataset.stage(deal.stage_id).name)
    legacy = []
    if deal.moves:
        first = deal.moves[0]
        legacy.append((first.from_pipeline, first.from_stage))
        legacy += [(move.to_pipeline, move.to_stage) for move in deal.moves]
    else:
        legacy.append((deal.pipeline_id, deal.stage_id))
    targets = []
    for pipeline_id, stage_id in legacy:
        if not stage_id:
            continue
        target = the_map.stage_for(dataset.pipeline(pipeline_id).name, dataset.stage(stage_id).name)
        if target.pipeline == final.pipeline:
            targets.append((target, None))
    if not targets or targets[-1][0].stage != final.stage:
        targets.append((final, None))
    return [(t.pipeline, t.stage) for t, _ in translate_history(targets)]


def test_the_whole_account_lands_in_the_new_structure_and_reconciles(
    start_double, fresh_dataset, run_api_import
):
    data = fresh_dataset
    small_double = start_double(data)
    run = run_api_import(small_double)
    assert run.status == RunStatus.DONE, (run.error, errors_of(run))
    assert errors_of(run) == []

    # Reconciliation: every record read is imported, per entity; values balance per currency.
    kept, deleted = data.importable_deals(), data.recently_deleted_deals()
    report = reconciliation(run)
    lines = {line.entity: line for line in report.entities}
    assert lines["deal"].source == len(kept) + len(deleted)
    assert lines["organization"].source == len(data.listed_organizations())
    assert lines["person"].source == len(data.listed_persons())
    assert lines["activity"].source == len(data.listed_activities())
    assert lines["note"].source == len(data.listed_notes())
    assert lines["lead"].source == len(data.listed_leads()) + len(data.archived_leads())
    for line in report.entities:
        assert line.balanced, line
        assert line.imported == line.source, line
        assert line.in_apogee == line.source, line
    assert report.values_balance, report.totals
    legacy_values = {(v.pipeline, v.currency): v.amount for v in report.legacy_values}
    for pipeline, by_currency in data.deal_value_by_pipeline().items():
        for currency, amount in by_currency.items():
            trashed = sum(
                (
                    d.value
                    for d in deleted
                    if d.currency == currency and data.pipeline(d.pipeline_id).name == pipeline
                ),
                Decimal(0),
            )
            assert legacy_values[(pipeline, currency)] == amount + trashed
    new_counts = Counter()
    for line in report.new_values:
        new_counts[line.pipeline] += line.deals
    assert sum(new_counts.values()) == len(kept)
    assert Deal.objects.filter(deleted_at__isnull=False).count() == len(deleted)

    # Mapping into the new pipelines, with the qualification each legacy pipeline implied.
    the_map = load_map(reference_map_text())
    implied = {
        "ESA Sales": ("Sales", "opportunity_type", "esa"),
        "Business Development": ("Sales", "origin", "business_development"),
        "S2M2": ("Sales", "product_line", ["motor"]),
    }
    for legacy_deal in kept:
        legacy_pipeline = data.pipeline(legacy_deal.pipeline_id).name
        deal = Deal.objects.select_related("pipeline", "stage").get(pk=local("deal", legacy_deal.id))
        target = the_map.stage_for(legacy_pipeline, data.stage(legacy_deal.stage_id).name)
        assert deal.pipeline.name == target.pipeline, legacy_deal
        assert deal.status == legacy_deal.status
        assert deal.value == legacy_deal.value and deal.currency == legacy_deal.currency
        if legacy_pipeline in implied:
            _pipeline, key, value = implied[legacy_pipeline]
            if key == "product_line":
                assert "motor" in deal.custom_values[key]
            elif key == "opportunity_type":
                assert deal.custom_values[key] == value
            else:
                assert deal.custom_values.get(key) == value

        # The legacy history seen through the map, at the original moments.
        stays = list(
            StageChange.objects.filter(deal=deal).order_by("changed_at", "id").select_related("to_stage")
        )
        assert [(deal.pipeline.name, s.to_stage.name) for s in stays] == [
            (p, s or deal.pipeline.stages.first().name)
            for p, s in expected_history(data, legacy_deal, the_map)
        ], legacy_deal.id
        # A deal that came from another legacy pipeline starts when it entered this one.
        if all(move.from_pipeline == legacy_deal.pipeline_id for move in legacy_deal.moves):
            assert stays[0].changed_at == legacy_deal.add_time
        else:
            assert stays[0].changed_at > legacy_deal.add_time
        if legacy_deal.status == "won":
            assert deal.won_at == legacy_deal.won_time

    # Notes and activities sit on the right deals, persons and organizations.
    for note in data.listed_notes():
        if note.deal_id:
            linked = Note.objects.get(pk=local("note", note.id))
            assert linked.deal_id == local("deal", note.deal_id)
    by_deal = Counter(a.deal_id for a in data.listed_activities() if a.deal_id)
    for deal_id, count in list(by_deal.items())[:30]:
        assert Activity.objects.filter(deal_id=local("deal", deal_id)).count() == count
    done = [a for a in data.listed_activities() if a.done]
    assert Activity.objects.filter(is_done=True).count() == len(done)
    for person in data.listed_persons()[:30]:
        imported = Person.objects.get(pk=local("person", person.id))
        assert imported.name == person.name
        if person.org_id:
            assert imported.organization_id == local("organization", person.org_id)
        assert sorted(imported.emails.values_list("address", flat=True)) == sorted(
            e.value.lower() for e in person.emails if e.value
        )

    # A second run finds everything unchanged and writes nothing new.
    counts_before = (
        Deal.objects.count(),
        Person.objects.count(),
        Organization.objects.count(),
        Note.objects.count(),
    )
    again = run_api_import(small_double)
    assert again.status == RunStatus.DONE
    for entity in ("organization", "person", "deal", "activity", "note", "lead"):
        assert again.counts[entity]["created"] == 0, entity
        assert again.counts[entity]["updated"] == 0, entity
        assert again.counts[entity]["unchanged"] == again.counts[entity]["source"], entity
    assert (
        Deal.objects.count(),
        Person.objects.count(),
        Organization.objects.count(),
        Note.objects.count(),
    ) == (counts_before)

    # A deal changed in Pipedrive since is updated in place; a new one is created.
    changed = kept[0]
    data.update_deal(changed.id, value=changed.value + 1000, title="Renamed in Pipedrive")
    added = data.add_deal(
        title="Brand-new ESA opportunity", pipeline_id=changed.pipeline_id, stage_id=changed.stage_id
    )
    third = run_api_import(small_double)
    assert third.counts["deal"]["updated"] == 1 and third.counts["deal"]["created"] == 1
    deal = Deal.objects.get(pk=local("deal", changed.id))
    assert deal.title == "Renamed in Pipedrive" and deal.value == changed.value + 1000
    assert Deal.objects.get(pk=local("deal", added.id)).title == "Brand-new ESA opportunity"
    assert "summary,deal" in report_csv(third)


def test_a_spent_daily_budget_pauses_the_import_until_midnight_then_it_completes(
    start_double, small_dataset, run_api_import, clock
):
    from apogee.integrations.pipedrive import tasks

    double = start_double(small_dataset, budget=3000)
    run = run_api_import(double)
    assert run.status == RunStatus.WAITING_FOR_BUDGET, run.error
    assert run.resume_after == datetime(2026, 9, 2, 0, 0, tzinfo=UTC)  # the server's midnight
    assert run.budget["daily_remaining"] is not None and run.budget["daily_remaining"] < 100
    part = Deal.objects.count()
    assert 0 < part < len(small_dataset.importable_deals())

    # The next day the worker's periodic job picks it up where it stopped.
    clock.advance_to(run.resume_after)
    double.set_budget_remaining(10_000_000)
    tasks.look_after_imports.call_local()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, (run.error, errors_of(run))
    deals = small_dataset.importable_deals() + small_dataset.recently_deleted_deals()
    assert run.counts["deal"]["source"] == len(deals)
    assert ImportLink.objects.filter(entity="deal").count() == Deal.objects.count() == len(deals)
    assert run.token_encrypted == ""  # not kept once the run is over
    # Resuming reported the structure's issues once, not once per execution.
    stage_issues = ImportIssue.objects.filter(run=run, entity="stage").values_list("source_id", flat=True)
    assert len(stage_issues) == len(set(stage_issues)) > 0


def test_a_dry_run_reads_the_api_but_writes_nothing(start_double, small_dataset, run_api_import):
    double = start_double(small_dataset)
    run = run_api_import(double, dry_run=True)
    assert run.status == RunStatus.DONE
    assert Deal.objects.count() == Organization.objects.count() == Person.objects.count() == 0
    assert run.counts["deal"]["created"] == len(small_dataset.importable_deals()) + len(
        small_dataset.recently_deleted_deals()
    )
    assert not any(
        "/flow" in request.path for request in double.requests
    )  # 40 tokens a deal, kept for the real run
    duplicates = list(
        ImportIssue.objects.filter(run=run, level="duplicate").values_list("message", flat=True)
    )
    assert duplicates and all(
        " — " in message and ("Pipedrive organization" in message or "Pipedrive person" in message)
        for message in duplicates
    )
    unmapped = ImportIssue.objects.filter(run=run, level="unmapped", entity="stage")
    assert {i.source_id for i in unmapped}, "the deleted 'Tenders 2019' pipeline's stages have no rule"
