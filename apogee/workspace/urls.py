"""URLs of the settings pages (administrators): pipelines, custom fields, lost reasons, activity types,
currencies, users."""

from django.urls import path

from apogee.accounts import views as accounts
from apogee.activities import views as activities
from apogee.customfields import views as fields
from apogee.leads import views as leads
from apogee.pipelines import views as pipelines

from . import views

app_name = "workspace"
urlpatterns = [
    path("", views.index, name="index"),
    # Pipelines and stages
    path("pipelines/", pipelines.pipeline_list, name="pipelines"),
    path("pipelines/new/", pipelines.pipeline_create, name="pipeline_create"),
    path("pipelines/reorder/", pipelines.pipelines_reorder, name="pipelines_reorder"),
    path("pipelines/<int:pipeline_id>/edit/", pipelines.pipeline_edit, name="pipeline_edit"),
    path("pipelines/<int:pipeline_id>/archive/", pipelines.pipeline_archive, name="pipeline_archive"),
    path("pipelines/<int:pipeline_id>/restore/", pipelines.pipeline_restore, name="pipeline_restore"),
    path("pipelines/<int:pipeline_id>/stages/new/", pipelines.stage_add, name="stage_add"),
    path("pipelines/<int:pipeline_id>/stages/reorder/", pipelines.stages_reorder, name="stages_reorder"),
    path("stages/<int:stage_id>/edit/", pipelines.stage_edit, name="stage_edit"),
    path("stages/<int:stage_id>/delete/", pipelines.stage_delete, name="stage_delete"),
    # Custom fields
    path("fields/", fields.field_index, name="fields_index"),
    path("fields/<str:entity>/", fields.field_list, name="fields"),
    path("fields/<str:entity>/new/", fields.field_create, name="field_create"),
    path("fields/<str:entity>/reorder/", fields.fields_reorder, name="fields_reorder"),
    path("field/<int:field_id>/edit/", fields.field_edit, name="field_edit"),
    path("field/<int:field_id>/archive/", fields.field_archive, name="field_archive"),
    path("field/<int:field_id>/restore/", fields.field_restore, name="field_restore"),
    # Lost reasons
    path("lost-reasons/", views.lost_reasons, name="lost_reasons"),
    path("lost-reasons/<int:reason_id>/edit/", views.lost_reason_edit, name="lost_reason_edit"),
    path("lost-reasons/<int:reason_id>/archive/", views.lost_reason_archive, name="lost_reason_archive"),
    path("lost-reasons/<int:reason_id>/restore/", views.lost_reason_restore, name="lost_reason_restore"),
    # Lead labels
    path("lead-labels/", leads.label_list, name="lead_labels"),
    path("lead-labels/<int:label_id>/edit/", leads.label_edit, name="lead_label_edit"),
    path("lead-labels/<int:label_id>/archive/", leads.label_archive, name="lead_label_archive"),
    # Activity types
    path("activity-types/", activities.types, name="activity_types"),
    path("activity-types/<int:type_id>/edit/", activities.type_edit, name="activity_type_edit"),
    path("activity-types/<int:type_id>/archive/", activities.type_archive, name="activity_type_archive"),
    path("activity-types/<int:type_id>/restore/", activities.type_restore, name="activity_type_restore"),
    # Currencies and exchange rates
    path("currencies/", views.currencies, name="currencies"),
    path("currencies/new/", views.currency_add, name="currency_add"),
    path("currencies/rates/", views.rate_set, name="rate_set"),
    # Users and teams
    path("users/", accounts.user_list, name="users"),
    path("users/new/", accounts.user_create, name="user_create"),
    path("users/<int:user_id>/edit/", accounts.user_edit, name="user_edit"),
    path("teams/new/", accounts.team_create, name="team_create"),
]
