"""Activities and to-do: calls, meetings, tasks, deadlines; my activities, the team view, calendar feeds."""
