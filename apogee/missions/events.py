"""Names of the domain events missions record; the subject is the mission deal."""

# data: created (bool), changes {field: [before, after]}
MISSION_PROFILE_SET = "mission.profile_set"
# data: deal_id, deal_title
MISSION_DEAL_LINKED = "mission.deal_linked"
MISSION_DEAL_UNLINKED = "mission.deal_unlinked"
# subject: the pipeline; data: holds_missions [before, after]
MISSION_PIPELINE_CHANGED = "mission.pipeline_changed"
