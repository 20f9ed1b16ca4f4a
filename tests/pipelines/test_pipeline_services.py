"""Creating, renaming, archiving and ordering pipelines (pipelines/services.py)."""

import pytest

from apogee.core.errors import PermissionDenied, ValidationFailed
from apogee.core.models import DomainEvent
from apogee.pipelines.models import HandoffMode, Pipeline
from apogee.pipelines.queries import active_pipelines
from apogee.pipelines.services import (
    create_pipeline,
    reorder_pipelines,
    set_pipeline_archived,
    update_pipeline,
)

pytestmark = pytest.mark.django_db


def test_create_pipeline_with_its_stages_in_order(admin):
    pipeline = create_pipeline(name="  Products ", stage_names=["Quote", "Order"], actor=admin)

    assert pipeline.name == "Products"
    assert list(pipeline.stages.values_list("name", "position", "probability", "rotting_days")) == [
        ("Quote", 1, 0, None),
        ("Order", 2, 0, None),
    ]
    assert list(DomainEvent.objects.values_list("name", flat=True)) == [
        "user.created",
        "pipeline.created",
        "stage.created",
        "stage.created",
    ]
    assert DomainEvent.objects.get(name="pipeline.created").data == {"name": "Products"}


def test_a_new_pipeline_starts_with_first_contact_and_goes_last(workspace, admin):
    pipeline = create_pipeline(name="Products", actor=admin)

    assert list(pipeline.stages.values_list("name", flat=True)) == ["First contact"]
    assert list(active_pipelines().values_list("name", flat=True)) == [
        "Missions",
        "RFI",
        "Sales",
        "CCN",
        "Products",
    ]


@pytest.mark.parametrize(
    ("_case", "name", "fields"),
    [
        ("blank", "   ", {"name": ["This field is required."]}),
        ("too long", "x" * 101, {"name": ["At most 100 characters."]}),
        ("NUL", "Products\x00", {"name": ["Text may not contain NUL characters."]}),
        ("taken, other case", "sales", {"name": ["A pipeline with this name exists."]}),
    ],
)
def test_invalid_pipeline_is_refused_and_nothing_is_written(workspace, admin, _case, name, fields):
    pipelines_before = Pipeline.objects.count()
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        create_pipeline(name=name, actor=admin)

    assert refused.value.fields == fields
    assert Pipeline.objects.count() == pipelines_before
    assert DomainEvent.objects.count() == events_before


def test_an_invalid_stage_name_leaves_no_half_created_pipeline(admin):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed):
        create_pipeline(name="Products", stage_names=["Quote", ""], actor=admin)

    assert not Pipeline.objects.exists()
    assert DomainEvent.objects.count() == events_before


def test_the_name_of_an_archived_pipeline_may_be_reused(workspace, admin):
    set_pipeline_archived(pipeline=workspace["CCN"], archived=True, actor=admin)

    pipeline = create_pipeline(name="CCN", actor=admin)

    assert Pipeline.objects.filter(name="CCN").count() == 2
    assert pipeline.is_archived is False


def test_rename_records_the_change(sales_pipeline, admin):
    update_pipeline(pipeline=sales_pipeline, name="Firm offers", actor=admin)

    sales_pipeline.refresh_from_db()
    assert sales_pipeline.name == "Firm offers"
    assert DomainEvent.objects.get(name="pipeline.updated", actor=admin).data == {
        "changes": {"name": ["Sales", "Firm offers"]}
    }


def test_rename_to_the_name_of_another_pipeline_is_refused(workspace, admin):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        update_pipeline(pipeline=workspace["CCN"], name="sales", actor=admin)

    assert refused.value.fields == {"name": ["A pipeline with this name exists."]}
    assert Pipeline.objects.get(pk=workspace["CCN"].pk).name == "CCN"
    assert DomainEvent.objects.count() == events_before


def test_rename_to_its_own_name_in_another_case_is_allowed(sales_pipeline, admin):
    update_pipeline(pipeline=sales_pipeline, name="SALES", actor=admin)

    assert Pipeline.objects.get(pk=sales_pipeline.pk).name == "SALES"


def test_hand_off_settings(workspace, admin):
    missions, sales = workspace["Missions"], workspace["Sales"]

    update_pipeline(pipeline=missions, handoff_mode=HandoffMode.MOVE, actor=admin)
    missions.refresh_from_db()
    assert (missions.handoff_target, missions.handoff_mode) == (sales, "move")

    update_pipeline(pipeline=missions, clear_handoff=True, actor=admin)
    missions.refresh_from_db()
    assert missions.handoff_target is None
    changes = [e.data["changes"] for e in DomainEvent.objects.filter(name="pipeline.updated", actor=admin)]
    assert changes == [
        {"handoff_mode": ["create_linked", "move"]},
        {"handoff_target": [sales.pk, None]},
    ]


@pytest.mark.parametrize(
    ("_case", "arguments", "fields"),
    [
        (
            "to itself",
            {"handoff_target": "self"},
            {"handoff_target": ["A pipeline cannot hand off to itself."]},
        ),
        ("unknown mode", {"handoff_mode": "copy"}, {"handoff_mode": ["Choose a valid mode."]}),
    ],
)
def test_invalid_hand_off_is_refused(workspace, admin, _case, arguments, fields):
    missions = workspace["Missions"]
    if arguments.get("handoff_target") == "self":
        arguments = {"handoff_target": missions}
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        update_pipeline(pipeline=missions, actor=admin, **arguments)

    assert refused.value.fields == fields
    missions.refresh_from_db()
    assert (missions.handoff_target, missions.handoff_mode) == (workspace["Sales"], "create_linked")
    assert DomainEvent.objects.count() == events_before


def test_archive_hides_the_pipeline_and_restore_brings_it_back(workspace, admin):
    rfi = workspace["RFI"]

    set_pipeline_archived(pipeline=rfi, archived=True, actor=admin)
    assert list(active_pipelines().values_list("name", flat=True)) == ["Missions", "Sales", "CCN"]

    set_pipeline_archived(pipeline=rfi, archived=True, actor=admin)  # already archived: no event
    set_pipeline_archived(pipeline=rfi, archived=False, actor=admin)
    assert list(active_pipelines().values_list("name", flat=True)) == ["Missions", "RFI", "Sales", "CCN"]
    assert list(
        DomainEvent.objects.filter(subject_type="pipeline", subject_id=rfi.pk, actor=admin).values_list(
            "name", flat=True
        )
    ) == ["pipeline.archived", "pipeline.restored"]


def test_reorder_pipelines(workspace, admin):
    order = [workspace[name].pk for name in ("Sales", "CCN", "Missions", "RFI")]

    reorder_pipelines(ordered_ids=order, actor=admin)

    assert list(active_pipelines().values_list("name", flat=True)) == ["Sales", "CCN", "Missions", "RFI"]
    assert DomainEvent.objects.get(name="pipeline.reordered").data == {"order": order}


@pytest.mark.parametrize(
    ("_case", "names"),
    [("one missing", ["Sales", "CCN", "RFI"]), ("one twice", ["Sales", "Sales", "CCN", "RFI", "Missions"])],
)
def test_reorder_needs_every_pipeline_exactly_once(workspace, admin, _case, names):
    events_before = DomainEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        reorder_pipelines(ordered_ids=[workspace[n].pk for n in names], actor=admin)

    assert refused.value.fields == {"order": ["Give every pipeline exactly once."]}
    assert list(active_pipelines().values_list("name", flat=True)) == ["Missions", "RFI", "Sales", "CCN"]
    assert DomainEvent.objects.count() == events_before


@pytest.mark.parametrize("user", ["manager", "salesperson"])
def test_only_an_administrator_changes_pipelines(request, workspace, user):
    actor = request.getfixturevalue(user)
    sales = workspace["Sales"]
    events_before = DomainEvent.objects.count()

    for attempt in (
        lambda: create_pipeline(name="Products", actor=actor),
        lambda: update_pipeline(pipeline=sales, name="Offers", actor=actor),
        lambda: set_pipeline_archived(pipeline=sales, archived=True, actor=actor),
        lambda: reorder_pipelines(ordered_ids=[p.pk for p in workspace.values()], actor=actor),
    ):
        with pytest.raises(PermissionDenied):
            attempt()

    sales.refresh_from_db()
    assert (sales.name, sales.is_archived) == ("Sales", False)
    assert Pipeline.objects.count() == 4
    assert DomainEvent.objects.count() == events_before
