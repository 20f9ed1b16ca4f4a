"""Users, roles, teams and personal API tokens."""
