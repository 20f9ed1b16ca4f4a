"""Custom field definitions: which extra fields deals, persons, organizations and leads carry."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .types import REGISTRY, FieldSpec


class Entity(models.TextChoices):
    DEAL = "deal", _("Deal")
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")
    LEAD = "lead", _("Lead")


class FieldTypeChoice(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    MONETARY = "monetary", _("Monetary")
    DATE = "date", _("Date")
    SINGLE_OPTION = "single_option", _("Single option")
    MULTIPLE_OPTIONS = "multiple_options", _("Multiple options")
    USER = "user", _("User")
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")
    BOOLEAN = "boolean", _("Yes / no")
    URL = "url", _("Web address")


assert set(FieldTypeChoice.values) == set(REGISTRY), "every registered type has a choice"


def localized(en: str, fr: str) -> str:
    return fr if (get_language() or "en").startswith("fr") and fr else en


class FieldDefinition(models.Model):
    entity = models.CharField(_("record type"), max_length=20, choices=Entity.choices)
    key = models.SlugField(_("key"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=120)
    label_fr = models.CharField(_("label (French)"), max_length=120, blank=True)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldTypeChoice.choices)
    # [{"key": "esa", "label_en": "ESA", "label_fr": "ESA", "archived": false}]
    options = models.JSONField(_("options"), default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entity", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="field_key_unique_per_entity")]

    def __str__(self) -> str:
        return f"{self.entity}.{self.key}"

    @property
    def label(self) -> str:
        return localized(self.label_en, self.label_fr)

    @property
    def has_options(self) -> bool:
        return self.field_type in ("single_option", "multiple_options")

    def active_options(self) -> list[dict]:
        return [o for o in self.options if not o.get("archived")]

    def option_label(self, key: str) -> str:
        for option in self.options:
            if option["key"] == key:
                return localized(option.get("label_en", key), option.get("label_fr", ""))
        return key

    def spec(self) -> FieldSpec:
        # Archived options stay valid for values already stored, but the form offers only active ones.
        return FieldSpec(
            key=self.key, field_type=self.field_type, option_keys=tuple(o["key"] for o in self.options)
        )
