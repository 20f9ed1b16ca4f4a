"""Pipeline and stage settings through the pages: create, gates, hand-off, archive, reorder, delete."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apogee.core.models import DomainEvent
from apogee.deals.models import Deal, StageChange
from apogee.pipelines.models import HandoffMode, Pipeline, Stage
from tests.deals.factories import make_deal, stage
from tests.workspace.conftest import HTMX

pytestmark = pytest.mark.django_db


def stage_names(pipeline):
    return list(pipeline.stages.order_by("position").values_list("name", flat=True))


def test_list_shows_stages_in_order_with_probability_rotting_and_gate_labels(admin_client, sales_pipeline):
    response = admin_client.get(reverse("workspace:pipelines"))

    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'<td class="stage-name">{name}</td>') for name in stage_names(sales_pipeline)]
    assert positions == sorted(positions)
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")
    row = html[html.index(f'id="stage-{evaluation.pk}"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">30 %</td>' in row
    assert "30 days" in row
    assert '<span class="badge gate">Opportunity type</span>' in row
    proposal = stage(sales_pipeline, "Proposal preparation")
    later_row = html[html.index(f'id="stage-{proposal.pk}"') :]
    later_row = later_row[: later_row.index("</tr>")]
    assert '<span class="badge gate">Offer type</span>' in later_row
    assert "+ Opportunity type" in later_row  # inherited from the earlier gate
    assertContains(response, "Won deals hand off to Sales: Create a linked deal in the target pipeline")


def test_admin_creates_a_pipeline_with_its_stages(admin_client, admin):
    response = admin_client.post(
        reverse("workspace:pipeline_create"),
        {"name": "Framework contracts", "stage_names": "Request\n\n Draft \nSigned\n"},
    )

    pipeline = Pipeline.objects.get(name="Framework contracts")
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:pipelines") + f"#pipeline-{pipeline.pk}"
    assert stage_names(pipeline) == ["Request", "Draft", "Signed"]
    assert pipeline.position == 5
    assert DomainEvent.objects.get(name="pipeline.created", subject_id=pipeline.pk).actor == admin


def test_new_pipeline_without_stages_starts_with_first_contact(admin_client):
    admin_client.post(reverse("workspace:pipeline_create"), {"name": "Partnerships", "stage_names": ""})

    assert stage_names(Pipeline.objects.get(name="Partnerships")) == ["First contact"]


def test_pipeline_with_an_empty_name_is_refused_and_nothing_is_written(admin_client):
    events = DomainEvent.objects.count()

    response = admin_client.post(reverse("workspace:pipeline_create"), {"name": "  ", "stage_names": ""})

    assert response.status_code == 422
    assertContains(response, "This field is required.", status_code=422)
    assert Pipeline.objects.count() == 4
    assert DomainEvent.objects.count() == events


def test_pipeline_with_a_taken_name_shows_the_services_error_on_the_field(admin_client):
    response = admin_client.post(reverse("workspace:pipeline_create"), {"name": "sales"})

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "__all__": ["Pipeline exists."],
        "name": ["A pipeline with this name exists."],
    }
    assert Pipeline.objects.filter(name__iexact="sales").count() == 1


def test_admin_adds_a_stage_with_a_gate(admin_client, admin, sales_pipeline):
    response = admin_client.post(
        reverse("workspace:stage_add", args=[sales_pipeline.pk]),
        {
            "name": "Contract signed",
            "probability": "95",
            "rotting_days": "10",
            "gate_field_keys": ["programme"],
        },
    )

    assert response.status_code == 302
    new = Stage.objects.get(pipeline=sales_pipeline, name="Contract signed")
    assert (new.probability, new.rotting_days, new.gate_field_keys, new.position) == (
        95,
        10,
        ["programme"],
        7,
    )
    assert stage_names(sales_pipeline)[-1] == "Contract signed"
    assert DomainEvent.objects.get(name="stage.created", subject_id=new.pk).actor == admin


def test_admin_sets_gates_on_a_stage(admin_client, sales_pipeline):
    identified = stage(sales_pipeline, "Opportunity identified")

    response = admin_client.post(
        reverse("workspace:stage_edit", args=[identified.pk]),
        {
            "name": "Opportunity identified",
            "probability": "25",
            "rotting_days": "",
            "gate_field_keys": ["market_sector", "product_line"],
        },
    )

    assert response.status_code == 302
    identified.refresh_from_db()
    assert identified.gate_field_keys == ["market_sector", "product_line"]
    assert identified.probability == 25
    assert identified.rotting_days is None
    event = DomainEvent.objects.get(name="stage.updated", subject_id=identified.pk)
    assert event.data["changes"] == {
        "probability": [20, 25],
        "rotting_days": [45, None],
        "gate_field_keys": [[], ["market_sector", "product_line"]],
    }


def test_stage_form_offers_the_active_deal_fields_as_gates(admin_client, sales_pipeline):
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")

    response = admin_client.get(reverse("workspace:stage_edit", args=[evaluation.pk]))

    choices = response.context["form"].fields["gate_field_keys"].choices
    assert choices == [
        ("opportunity_type", "Opportunity type"),
        ("programme", "Programme"),
        ("market_sector", "Market sector"),
        ("product_line", "Product line"),
        ("origin", "Origin"),
        ("mission", "Mission"),
        ("offer_type", "Offer type"),
    ]
    assertContains(response, 'value="opportunity_type" id="id_gate_field_keys_0" checked')


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"probability": "150"}, "probability", "Enter a whole number from 0 to 100."),
        ({"probability": "-1"}, "probability", "Enter a whole number from 0 to 100."),
        ({"rotting_days": "0"}, "rotting_days", "Enter a number of days from 1 to 3650, or leave empty."),
        ({"name": ""}, "name", "This field is required."),
        ({"gate_field_keys": ["no_such_field"]}, "gate_field_keys", None),
    ],
)
def test_invalid_stage_settings_rerender_with_the_field_error(
    admin_client, sales_pipeline, changes, field, message
):
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")
    data = {"name": "Renamed", "probability": "30", "rotting_days": "30", "gate_field_keys": ["offer_type"]}
    data.update(changes)
    events = DomainEvent.objects.count()

    response = admin_client.post(reverse("workspace:stage_edit", args=[evaluation.pk]), data)

    assert response.status_code == 422
    errors = response.context["form"].errors[field]
    if message:
        assert errors == [message]
    else:  # Django's own message for a choice that is not offered
        assert errors == ["Select a valid choice. no_such_field is not one of the available choices."]
    evaluation.refresh_from_db()
    assert (evaluation.name, evaluation.probability, evaluation.gate_field_keys) == (
        "Opportunity in evaluation",
        30,
        ["opportunity_type"],
    )
    assert DomainEvent.objects.count() == events


def test_adding_a_stage_with_probability_150_writes_nothing(admin_client, sales_pipeline):
    response = admin_client.post(
        reverse("workspace:stage_add", args=[sales_pipeline.pk]), {"name": "Too sure", "probability": "150"}
    )

    assert response.status_code == 422
    assertContains(response, "Enter a whole number from 0 to 100.", status_code=422)
    assert not Stage.objects.filter(name="Too sure").exists()
    # The cursor goes where the correction is needed.
    fields = response.context["form"].fields
    assert ("autofocus" in fields["name"].widget.attrs, fields["probability"].widget.attrs["autofocus"]) == (
        False,
        True,
    )


def test_a_form_opened_in_the_dialog_answers_a_fragment_and_keeps_errors_in_it(admin_client, sales_pipeline):
    url = reverse("workspace:stage_add", args=[sales_pipeline.pk])

    opened = admin_client.get(url, headers=HTMX)
    rejected = admin_client.post(url, {"name": "X", "probability": "150"}, headers=HTMX)
    accepted = admin_client.post(url, {"name": "Y", "probability": "50"}, headers=HTMX)

    assert opened.status_code == 200
    assertNotContains(opened, "<html")
    assertContains(opened, f'hx-post="{url}"')
    assert rejected.status_code == 200  # htmx swaps only 2xx: the dialog shows the error
    assertContains(rejected, "Enter a whole number from 0 to 100.")
    assert accepted.status_code == 200
    assert accepted["HX-Redirect"] == reverse("workspace:pipelines")  # a reload, not a scroll to #fragment
    assert stage_names(sales_pipeline)[-1] == "Y"


def test_admin_sets_and_clears_the_hand_off(admin_client, workspace):
    ccn, sales = workspace["CCN"], workspace["Sales"]
    url = reverse("workspace:pipeline_edit", args=[ccn.pk])

    admin_client.post(url, {"name": "CCN (changes)", "handoff_target": sales.pk, "handoff_mode": "move"})
    ccn.refresh_from_db()
    assert (ccn.name, ccn.handoff_target, ccn.handoff_mode) == ("CCN (changes)", sales, HandoffMode.MOVE)

    admin_client.post(url, {"name": "CCN (changes)", "handoff_target": "", "handoff_mode": "move"})
    ccn.refresh_from_db()
    assert ccn.handoff_target is None


def test_a_pipeline_cannot_hand_off_to_itself(admin_client, sales_pipeline):
    response = admin_client.post(
        reverse("workspace:pipeline_edit", args=[sales_pipeline.pk]),
        {"name": "Sales", "handoff_target": sales_pipeline.pk, "handoff_mode": "move"},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["handoff_target"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    sales_pipeline.refresh_from_db()
    assert sales_pipeline.handoff_target is None


def test_archive_asks_first_then_archives_and_restore_brings_it_back(admin_client, workspace):
    missions = workspace["Missions"]
    url = reverse("workspace:pipeline_archive", args=[missions.pk])

    question = admin_client.get(url)
    assertContains(question, "Archive “Missions”?")
    missions.refresh_from_db()
    assert missions.is_archived is False

    admin_client.post(url)
    missions.refresh_from_db()
    assert missions.is_archived is True
    listing = admin_client.get(reverse("workspace:pipelines"))
    assert [p.name for p in listing.context["archived"]] == ["Missions"]
    assert [p.name for p in listing.context["active"]] == ["RFI", "Sales", "CCN"]

    admin_client.post(reverse("workspace:pipeline_restore", args=[missions.pk]))
    missions.refresh_from_db()
    assert missions.is_archived is False


def test_reorder_stages_by_drag_and_drop(admin_client, sales_pipeline):
    stages = list(sales_pipeline.stages.order_by("position"))
    new_order = [stages[1], stages[0], *stages[2:5], stages[5]][::-1]

    response = admin_client.post(
        reverse("workspace:stages_reorder", args=[sales_pipeline.pk]),
        {"order": ",".join(str(s.pk) for s in new_order)},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert stage_names(sales_pipeline) == [s.name for s in new_order]
    # The panel comes back as stored, ready to swap in.
    assertContains(response, f'id="pipeline-{sales_pipeline.pk}"')
    html = response.content.decode()
    positions = [html.index(f'<td class="stage-name">{s.name}</td>') for s in new_order]
    assert positions == sorted(positions)


def test_reorder_stages_with_the_keyboard_buttons(admin_client, sales_pipeline):
    evaluation = stage(sales_pipeline, "Opportunity in evaluation")
    url = reverse("workspace:stages_reorder", args=[sales_pipeline.pk])

    response = admin_client.post(url, {"move": evaluation.pk, "direction": "up"})

    assert response.status_code == 302
    assert stage_names(sales_pipeline) == [
        "First contact",
        "Opportunity in evaluation",
        "Opportunity identified",
        "Proposal preparation",
        "Proposal at customer",
        "Selected / negotiation",
    ]
    admin_client.post(url, {"move": evaluation.pk, "direction": "down"})
    assert stage_names(sales_pipeline)[1:3] == ["Opportunity identified", "Opportunity in evaluation"]


def test_a_stale_stage_order_changes_nothing_and_says_why(admin_client, sales_pipeline):
    before = stage_names(sales_pipeline)
    ids = list(sales_pipeline.stages.order_by("position").values_list("pk", flat=True))
    events = DomainEvent.objects.count()

    response = admin_client.post(
        reverse("workspace:stages_reorder", args=[sales_pipeline.pk]),
        {"order": ",".join(map(str, ids[:-1]))},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert '"toast"' in response["HX-Trigger"]
    assert "The list changed since the page was loaded" in response["HX-Trigger"]
    assert stage_names(sales_pipeline) == before
    assert DomainEvent.objects.count() == events


def test_reorder_pipelines_keeps_archived_ones_after_the_active(admin_client, workspace):
    from apogee.pipelines.services import set_pipeline_archived

    set_pipeline_archived(pipeline=workspace["RFI"], archived=True, actor=None)
    order = [workspace["CCN"], workspace["Sales"], workspace["Missions"]]

    response = admin_client.post(
        reverse("workspace:pipelines_reorder"), {"order": ",".join(str(p.pk) for p in order)}, headers=HTMX
    )

    assert response.status_code == 200
    assert list(Pipeline.objects.order_by("position").values_list("name", flat=True)) == [
        "CCN",
        "Sales",
        "Missions",
        "RFI",
    ]


def test_deleting_a_stage_with_deals_asks_where_they_go_then_moves_them(
    admin_client, admin, salesperson, sales_pipeline
):
    doomed = stage(sales_pipeline, "Opportunity identified")
    target = stage(sales_pipeline, "First contact")
    deals = [make_deal(pipeline=sales_pipeline, owner=salesperson, stage=doomed) for _ in range(2)]
    url = reverse("workspace:stage_delete", args=[doomed.pk])

    question = admin_client.get(url)
    assertContains(question, "“Opportunity identified” holds 2 deals.")
    assert list(question.context["form"].fields["move_deals_to"].queryset) == [
        s for s in sales_pipeline.stages.order_by("position") if s != doomed
    ]

    no_target = admin_client.post(url, {"move_deals_to": ""})
    assert no_target.status_code == 422
    assert no_target.context["form"].errors["move_deals_to"] == ["Choose the stage that receives the deals."]
    assert Stage.objects.filter(pk=doomed.pk).exists()

    done = admin_client.post(url, {"move_deals_to": target.pk})

    assert done.status_code == 302
    assert not Stage.objects.filter(pk=doomed.pk).exists()
    for deal in deals:
        deal.refresh_from_db()
        assert deal.stage == target
        move = StageChange.objects.filter(deal=deal).order_by("changed_at", "id").last()
        assert (move.to_stage, move.from_stage, move.changed_by) == (target, None, admin)
    assert StageChange.objects.filter(to_stage=target, changed_by=admin).count() == 2
    assert DomainEvent.objects.filter(name="deal.stage_changed", actor=admin).count() == 2
    assert DomainEvent.objects.filter(name="stage.deleted", subject_id=doomed.pk).count() == 1


def test_deals_cannot_be_moved_to_a_stage_of_another_pipeline(admin_client, salesperson, workspace):
    sales = workspace["Sales"]
    doomed = stage(sales, "Opportunity identified")
    deal = make_deal(pipeline=sales, owner=salesperson, stage=doomed)
    elsewhere = workspace["RFI"].stages.first()

    response = admin_client.post(
        reverse("workspace:stage_delete", args=[doomed.pk]), {"move_deals_to": elsewhere.pk}
    )

    assert response.status_code == 422
    assert response.context["form"].errors["move_deals_to"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    deal.refresh_from_db()
    assert deal.stage == doomed


def test_deleting_an_empty_stage_needs_only_a_confirmation(admin_client, sales_pipeline):
    doomed = stage(sales_pipeline, "Proposal at customer")

    question = admin_client.get(reverse("workspace:stage_delete", args=[doomed.pk]))
    assertContains(question, "It holds no deals.")
    assert "move_deals_to" not in question.context["form"].fields
    admin_client.post(reverse("workspace:stage_delete", args=[doomed.pk]))

    assert "Proposal at customer" not in stage_names(sales_pipeline)
    assert Deal.objects.count() == 0


def test_the_last_stage_of_a_pipeline_cannot_be_deleted(admin_client, admin):
    from apogee.pipelines.services import create_pipeline

    lonely = create_pipeline(name="Lonely", stage_names=["Only"], actor=admin).stages.get()

    response = admin_client.post(reverse("workspace:stage_delete", args=[lonely.pk]))

    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "A pipeline needs at least one stage.",
        "This is the last stage.",
    ]
    assert Stage.objects.filter(pk=lonely.pk).exists()
