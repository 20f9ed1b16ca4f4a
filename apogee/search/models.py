"""The search index: one row per searchable record, its text folded (see folding.py).

The full-text structures are not Django fields; migration 0001 creates them per database:
on SQLite an FTS5 table `search_fts` kept in sync by triggers, on PostgreSQL a stored
`search_vector` tsvector column with a GIN index. A later migration that alters this
table must keep them (on SQLite, Django rebuilds an altered table and its triggers go).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DEAL = "deal", _("Deals")
    LEAD = "lead", _("Leads")
    PERSON = "person", _("Persons")
    ORGANIZATION = "organization", _("Organizations")
    NOTE = "note", _("Notes")


class SearchDocument(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # Folded text: what is matched. A title match ranks far above a body match.
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # Display text as the user wrote it: the name to show, and a short line under it.
    label = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "search_document"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_once_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id}"
