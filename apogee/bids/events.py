"""Names of the domain events bid management records."""

# data: deal, decision, status, total, scores (snapshot), superseded (ids of pending proposals replaced)
BID_DECISION_RECORDED = "bid_decision.recorded"
BID_DECISION_APPROVED = "bid_decision.approved"
BID_DECISION_REJECTED = "bid_decision.rejected"
# A later decision replaced a proposal still waiting for approval.
BID_DECISION_SUPERSEDED = "bid_decision.superseded"
BID_CRITERION_CHANGED = "bid_criterion.changed"
BID_RULES_CHANGED = "bid_rules.changed"
