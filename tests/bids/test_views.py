"""The deal page's bid panel, the decision dialog, reviews, settings: who sees what, bad input."""

import pytest

from apogee.bids import services
from apogee.bids.models import BidCriterion, BidDecision, BidRule, BidSettings
from apogee.core.models import DomainEvent
from apogee.deals.models import Deal
from tests.bids.conftest import scores
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _decide(deal, actor, criteria, decision="bid", value=4, rationale="Heritage."):
    return services.record_decision(
        deal=deal, actor=actor, decision=decision, scores=scores(criteria, value), rationale=rationale
    )


@pytest.fixture
def private_deal(sales_pipeline, salesperson):
    return make_deal(pipeline=sales_pipeline, owner=salesperson, visibility="owner", title="Private")


# The deal page -----------------------------------------------------------------------------------


def test_the_deal_page_loads_the_bid_panel(client_for, evaluated_deal, salesperson):
    body = client_for(salesperson).get(f"/deals/{evaluated_deal.pk}/").content.decode()
    assert f'hx-get="/bids/deals/{evaluated_deal.pk}/"' in body
    assert f'id="bids-deal-{evaluated_deal.pk}"' in body


def test_the_panel_shows_the_latest_decision_its_scores_and_the_history(
    bid_rule, criteria, client_for, evaluated_deal, salesperson
):
    _decide(evaluated_deal, salesperson, criteria, value=2, rationale="First look.")
    _decide(evaluated_deal, salesperson, criteria, value=5, rationale="After the clarification call.")

    response = client_for(salesperson).get(f"/bids/deals/{evaluated_deal.pk}/", headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "After the clarification call." in body
    assert "<strong>100</strong>" in body
    assert 'aria-valuenow="5" aria-label="Strategic fit"' in body
    assert "1 earlier decision" in body and "First look." in body
    assert "A bid decision is required before:" in body and "<strong>Proposal preparation</strong>" in body
    assert "Record a decision" in body


def test_the_panel_offers_approval_only_to_those_who_may_approve(
    approval, criteria, client_for, evaluated_deal, salesperson, teammate, manager
):
    proposal = _decide(evaluated_deal, salesperson, criteria)
    approve_url = f"/bids/decisions/{proposal.pk}/approve/"
    for user, offered in ((salesperson, False), (teammate, False), (manager, True)):
        body = client_for(user).get(f"/bids/deals/{evaluated_deal.pk}/").content.decode()
        assert (approve_url in body) is offered, user
        assert "Awaiting approval" in body


@pytest.mark.parametrize(
    "path",
    ["/bids/deals/{deal}/", "/bids/deals/{deal}/decide/", "/bids/decisions/{decision}/reject/"],
)
def test_a_deal_one_may_not_see_answers_404(
    criteria, client_for, private_deal, salesperson, other_salesperson, path
):
    decision = _decide(private_deal, salesperson, criteria)
    url = path.format(deal=private_deal.pk, decision=decision.pk)
    assert client_for(other_salesperson).get(url).status_code == 404


def test_posting_on_a_deal_one_may_not_see_answers_404_and_writes_nothing(
    criteria, client_for, private_deal, salesperson, other_salesperson
):
    decision = _decide(private_deal, salesperson, criteria)
    client = client_for(other_salesperson)
    data = {"decision": "bid", "rationale": "x", **{f"score_{c.pk}": "3" for c in criteria}}
    assert client.post(f"/bids/deals/{private_deal.pk}/decide/", data).status_code == 404
    assert client.post(f"/bids/decisions/{decision.pk}/approve/").status_code == 404
    assert BidDecision.objects.count() == 1


def test_a_member_may_not_approve_or_reject(
    approval, criteria, client_for, evaluated_deal, salesperson, teammate
):
    proposal = _decide(evaluated_deal, salesperson, criteria)
    client = client_for(teammate)
    assert client.post(f"/bids/decisions/{proposal.pk}/approve/", headers=HTMX).status_code == 403
    assert client.post(f"/bids/decisions/{proposal.pk}/reject/", {"note": "no"}).status_code == 403
    assert BidDecision.objects.get(pk=proposal.pk).status == "proposed"


def test_the_manager_approves_from_the_panel(
    approval, criteria, client_for, evaluated_deal, salesperson, manager
):
    proposal = _decide(evaluated_deal, salesperson, criteria)

    response = client_for(manager).post(f"/bids/decisions/{proposal.pk}/approve/", headers=HTMX)

    assert response.status_code == 200
    assert "Approved" in response.content.decode()
    assert BidDecision.objects.get(pk=proposal.pk).status == "approved"


def test_approving_a_no_bid_reloads_the_page(
    approval, criteria, client_for, evaluated_deal, salesperson, manager
):
    proposal = _decide(evaluated_deal, salesperson, criteria, decision="no_bid")
    response = client_for(manager).post(f"/bids/decisions/{proposal.pk}/approve/", headers=HTMX)
    assert response.status_code == 204 and response.headers["HX-Refresh"] == "true"
    assert Deal.objects.get(pk=evaluated_deal.pk).status == "lost"


def test_the_manager_rejects_with_a_note_in_the_dialog(
    approval, criteria, client_for, evaluated_deal, salesperson, manager
):
    proposal = _decide(evaluated_deal, salesperson, criteria)
    client = client_for(manager)
    assert (
        "Note to the proposer"
        in client.get(f"/bids/decisions/{proposal.pk}/reject/", headers=HTMX).content.decode()
    )

    response = client.post(f"/bids/decisions/{proposal.pk}/reject/", {"note": "Not now."}, headers=HTMX)

    assert response.status_code == 204
    stored = BidDecision.objects.get(pk=proposal.pk)
    assert stored.status == "rejected" and stored.review_note == "Not now."


def test_reviewing_twice_says_why_and_changes_nothing(
    approval, criteria, client_for, evaluated_deal, salesperson, manager
):
    proposal = _decide(evaluated_deal, salesperson, criteria)
    client = client_for(manager)
    client.post(f"/bids/decisions/{proposal.pk}/approve/", headers=HTMX)
    again = client.post(f"/bids/decisions/{proposal.pk}/reject/", {"note": ""}, headers=HTMX)
    assert again.status_code == 200
    assert "This decision is not awaiting approval." in again.content.decode()
    assert BidDecision.objects.get(pk=proposal.pk).status == "approved"


# Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [True, False])
def test_bad_input_in_the_dialog_comes_back_with_field_errors(
    criteria, client_for, evaluated_deal, salesperson, htmx
):
    data = {
        "decision": "perhaps",
        "rationale": "",
        f"score_{criteria[0].pk}": "9",
        f"score_{criteria[1].pk}": "3",
        "stage": "not-a-number",
    }
    response = client_for(salesperson).post(
        f"/bids/deals/{evaluated_deal.pk}/decide/", data, headers=HTMX if htmx else {}
    )

    assert response.status_code == (200 if htmx else 422)
    form = response.context["form"]
    assert form.errors[f"score_{criteria[0].pk}"]
    assert form.errors[f"score_{criteria[2].pk}"] == ["Score this criterion."]
    assert form.errors["decision"] == ["Choose bid or no-bid."]
    assert form.errors["rationale"] == ["This field is required."]
    assert not BidDecision.objects.exists()


def test_a_missing_rationale_is_reported_on_its_field(criteria, client_for, evaluated_deal, salesperson):
    data = {"decision": "bid", "rationale": "  ", **{f"score_{c.pk}": "3" for c in criteria}}
    response = client_for(salesperson).post(f"/bids/deals/{evaluated_deal.pk}/decide/", data, headers=HTMX)
    assert response.context["form"].errors == {"rationale": ["This field is required."]}
    assert not BidDecision.objects.exists()


def test_deciding_on_a_closed_deal_says_so(criteria, client_for, evaluated_deal, salesperson):
    _decide(evaluated_deal, salesperson, criteria, decision="no_bid")
    data = {"decision": "bid", "rationale": "Changed my mind.", **{f"score_{c.pk}": "3" for c in criteria}}
    response = client_for(salesperson).post(f"/bids/deals/{evaluated_deal.pk}/decide/", data, headers=HTMX)
    assert "This deal is closed. Reopen it first." in response.content.decode()
    assert BidDecision.objects.count() == 1


def test_a_stage_of_another_pipeline_is_ignored(
    bid_rule, criteria, client_for, workspace, evaluated_deal, salesperson
):
    rfi_stage = stage(workspace["RFI"], "ROM preparation")
    data = {
        "decision": "bid",
        "rationale": "Fit.",
        "stage": rfi_stage.pk,
        **{f"score_{c.pk}": "3" for c in criteria},
    }
    response = client_for(salesperson).post(f"/bids/deals/{evaluated_deal.pk}/decide/", data, headers=HTMX)
    assert response.status_code == 204
    assert Deal.objects.get(pk=evaluated_deal.pk).stage.name == "Opportunity in evaluation"


def test_the_dialog_starts_from_the_last_scores(criteria, client_for, evaluated_deal, salesperson):
    _decide(evaluated_deal, salesperson, criteria, value=2)
    body = (
        client_for(salesperson).get(f"/bids/deals/{evaluated_deal.pk}/decide/", headers=HTMX).content.decode()
    )
    assert f'value="2" id="id_score_{criteria[0].pk}_2" checked' in body


# Settings (administrators) -----------------------------------------------------------------------


SETTINGS_PAGES = [
    ("get", "/bids/settings/"),
    ("post", "/bids/settings/rules/"),
    ("post", "/bids/settings/criteria/new/"),
    ("get", "/bids/settings/criteria/{criterion}/edit/"),
    ("get", "/bids/settings/criteria/{criterion}/archive/"),
    ("post", "/bids/settings/criteria/{criterion}/restore/"),
    ("post", "/bids/settings/criteria/{criterion}/move/"),
]


@pytest.mark.parametrize(("method", "path"), SETTINGS_PAGES)
@pytest.mark.parametrize("role", ["manager", "salesperson"])
def test_settings_are_for_administrators_only(criteria, client_for, request, role, method, path):
    client = client_for(request.getfixturevalue(role))
    url = path.format(criterion=criteria[0].pk)
    response = getattr(client, method)(url, {"label_en": "Hacked", "weight": "1", "direction": "down"})
    assert response.status_code == 403
    assert not BidCriterion.objects.filter(label_en="Hacked").exists()
    assert list(BidCriterion.objects.values_list("pk", flat=True)) == [c.pk for c in criteria]


def test_the_settings_page_lists_criteria_stages_and_the_approval_flag(bid_rule, criteria, client_for, admin):
    response = client_for(admin).get("/bids/settings/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Strategic fit" in body and "Adéquation stratégique" in body
    assert "50%" in body  # 3 of 6 weight points
    assert f'value="{bid_rule.pk}"' in body and "checked" in body
    assert "Decisions need a manager&#x27;s approval" in body or "Decisions need a manager's approval" in body


def test_the_administrator_adds_edits_reorders_archives_and_restores_a_criterion(criteria, client_for, admin):
    client = client_for(admin)
    assert (
        client.post(
            "/bids/settings/criteria/new/", {"label_en": "Risk", "label_fr": "Risque", "weight": "2"}
        ).status_code
        == 302
    )
    risk = BidCriterion.objects.get(label_en="Risk")
    assert (risk.label_fr, risk.weight, risk.position) == ("Risque", 2, 4)

    response = client.post(
        f"/bids/settings/criteria/{risk.pk}/edit/",
        {"label_en": "Technical risk", "label_fr": "", "weight": "4"},
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.label_en, risk.weight) == ("Technical risk", 4)

    client.post(f"/bids/settings/criteria/{risk.pk}/move/", {"direction": "up"})
    assert list(BidCriterion.objects.values_list("label_en", flat=True)) == [
        "Strategic fit",
        "Technical capability",
        "Technical risk",
        "Margin",
    ]

    client.post(f"/bids/settings/criteria/{risk.pk}/archive/")
    assert BidCriterion.objects.get(pk=risk.pk).is_archived
    client.post(f"/bids/settings/criteria/{risk.pk}/restore/")
    assert not BidCriterion.objects.get(pk=risk.pk).is_archived


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"label_en": "", "weight": "1"}, "label_en"),
        ({"label_en": "Risk", "weight": "0"}, "weight"),
        ({"label_en": "Risk", "weight": "x"}, "weight"),
        ({"label_en": "Strategic fit", "weight": "2"}, "label_en"),
    ],
)
def test_a_bad_criterion_comes_back_with_the_error_on_its_field(criteria, client_for, admin, data, field):
    response = client_for(admin).post("/bids/settings/criteria/new/", data)
    assert response.status_code == 422
    assert response.context["criterion_form"].errors[field]
    assert BidCriterion.objects.count() == 3


def test_the_administrator_sets_the_bid_rules(client_for, admin, workspace):
    sales, rfi = workspace["Sales"], workspace["RFI"]
    proposal, rom = stage(sales, "Proposal preparation"), stage(rfi, "ROM preparation")
    response = client_for(admin).post(
        "/bids/settings/rules/",
        {f"stages_{sales.pk}": [proposal.pk], f"stages_{rfi.pk}": [rom.pk], "approval_required": "on"},
    )
    assert response.status_code == 302
    assert set(BidRule.objects.values_list("stage_id", flat=True)) == {proposal.pk, rom.pk}
    assert BidSettings.objects.get().approval_required is True
    event = DomainEvent.objects.get(name="bid_rules.changed")
    assert event.actor == admin and event.data == {
        "stages": sorted([proposal.pk, rom.pk]),
        "approval_required": True,
    }

    client_for(admin).post("/bids/settings/rules/", {f"stages_{rfi.pk}": [rom.pk]})
    assert list(BidRule.objects.values_list("stage_id", flat=True)) == [rom.pk]
    assert BidSettings.objects.get().approval_required is False


def test_a_stage_of_another_pipeline_in_the_rules_form_is_refused(client_for, admin, workspace):
    sales, rfi = workspace["Sales"], workspace["RFI"]
    response = client_for(admin).post(
        "/bids/settings/rules/", {f"stages_{sales.pk}": [stage(rfi, "ROM preparation").pk]}
    )
    assert response.status_code == 422
    assert not BidRule.objects.exists()


def test_the_settings_navigation_links_the_bid_page(client_for, admin):
    assert 'href="/bids/settings/"' in client_for(admin).get("/settings/lost-reasons/").content.decode()
