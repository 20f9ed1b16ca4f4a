"""URLs of bid management: the deal panel, the decision dialog, reviews, and the settings page."""

from django.urls import path

from . import views

app_name = "bids"
urlpatterns = [
    path("deals/<int:deal_id>/", views.panel, name="panel"),
    path("deals/<int:deal_id>/decide/", views.decide, name="decide"),
    path("decisions/<int:decision_id>/approve/", views.approve, name="approve"),
    path("decisions/<int:decision_id>/reject/", views.reject, name="reject"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/rules/", views.rules_save, name="rules"),
    path("settings/criteria/new/", views.criterion_add, name="criterion_add"),
    path("settings/criteria/<int:criterion_id>/edit/", views.criterion_edit, name="criterion_edit"),
    path("settings/criteria/<int:criterion_id>/archive/", views.criterion_archive, name="criterion_archive"),
    path("settings/criteria/<int:criterion_id>/restore/", views.criterion_restore, name="criterion_restore"),
    path("settings/criteria/<int:criterion_id>/move/", views.criterion_move, name="criterion_move"),
]
