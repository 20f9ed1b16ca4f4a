"""The six activity types every workspace starts with (their migration keeps its own frozen copy).

ensure_default_types puts back any that are missing, e.g. in a database emptied by a
transactional test or restored without its data rows; administrators' changes to
existing types are left alone.
"""

from .models import ActivityType

TYPES = [
    ("call", "Call", "Appel", "☎"),
    ("meeting", "Meeting", "Réunion", "⚇"),
    ("task", "Task", "Tâche", "✔"),
    ("deadline", "Deadline", "Échéance", "⚑"),
    ("email", "E-mail", "E-mail", "✉"),
    ("linkedin", "LinkedIn", "LinkedIn", "in"),
]


def ensure_default_types() -> None:
    for position, (key, label_en, label_fr, icon) in enumerate(TYPES, start=1):
        ActivityType.objects.get_or_create(
            key=key, defaults={"label_en": label_en, "label_fr": label_fr, "icon": icon, "position": position}
        )
