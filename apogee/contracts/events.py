"""Names of the domain events contracts record."""

CONTRACT_CREATED = "contract.created"
CONTRACT_UPDATED = "contract.updated"
CHANGE_NOTICE_NUMBERED = "change_notice.numbered"
CONTRACT_SETTINGS_CHANGED = "contract_settings.changed"
