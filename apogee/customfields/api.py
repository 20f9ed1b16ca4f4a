"""JSON API of custom field definitions: everyone reads them, administrators change them."""

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from . import services
from .models import Entity, FieldDefinition, FieldTypeChoice
from .queries import definitions_for

router = Router(tags=["custom fields"])


class Input(Schema):
    # A misspelt field is refused (422), not silently dropped.
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class OptionOut(Schema):
    key: str
    label_en: str
    label_fr: str = ""
    archived: bool = False


class FieldDefinitionOut(Schema):
    id: int
    entity: str
    key: str
    label: str = Field(..., description="In the language of the request.")
    label_en: str
    label_fr: str
    field_type: str
    options: list[OptionOut]
    position: int
    is_archived: bool


class FieldDefinitionQuery(Schema):
    entity: Entity | None = None
    include_archived: bool = False


class OptionIn(Input):
    key: str | None = Field(None, description="Derived from the English label when omitted.")
    label_en: str
    label_fr: str = ""
    archived: bool = False


class FieldDefinitionCreate(Input):
    entity: Entity
    label_en: str
    field_type: FieldTypeChoice
    key: str = Field("", description="Derived from the English label when omitted; never changes.")
    label_fr: str = ""
    options: list[OptionIn] = Field(default_factory=list, description="For single and multiple options.")


class FieldDefinitionPatch(Input):
    label_en: str | None = None
    label_fr: str | None = None
    options: list[OptionIn] | None = Field(
        None, description="The full list; an option left out is archived, never deleted."
    )
    is_archived: bool | None = None


def _options(options: list[OptionIn] | None) -> list[dict[str, Any]] | None:
    if options is None:
        return None
    return [option.model_dump(exclude_none=True) for option in options]


@router.get("/custom-fields", response=list[FieldDefinitionOut])
def list_field_definitions(request, params: Query[FieldDefinitionQuery]):
    if params.entity:
        return definitions_for(params.entity, include_archived=params.include_archived)
    definitions = FieldDefinition.objects.order_by("entity", "position", "id")
    return definitions if params.include_archived else definitions.filter(is_archived=False)


@router.post("/custom-fields", response={201: FieldDefinitionOut})
def create_field_definition(request, payload: FieldDefinitionCreate):
    """Administrators only."""
    definition = services.create_field_definition(
        **payload.model_dump(exclude={"options"}), options=_options(payload.options), actor=request.auth
    )
    return Status(201, definition)


@router.patch("/custom-fields/{definition_id}", response=FieldDefinitionOut)
def update_field_definition(request, definition_id: int, payload: FieldDefinitionPatch):
    """Administrators only. The key and the type never change: stored values depend on them."""
    definition = get_object_or_404(FieldDefinition, pk=definition_id)
    changes = payload.model_dump(exclude={"options"}, exclude_none=True)
    return services.update_field_definition(
        definition=definition, actor=request.auth, options=_options(payload.options), **changes
    )
