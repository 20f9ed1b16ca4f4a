"""URLs of the deal pages: board, list, deal page and the htmx fragments behind them."""

from django.urls import path

from . import views

app_name = "deals"
urlpatterns = [
    path("", views.board, name="board"),
    path("deals/", views.deal_list, name="list"),
    path("deals/export.csv", views.export_csv, name="export"),
    path("deals/new/", views.create, name="create"),
    path("deals/<int:deal_id>/", views.detail, name="detail"),
    path("deals/<int:deal_id>/move/", views.move, name="move"),
    path("deals/<int:deal_id>/edit/<str:field>/", views.edit_field, name="edit_field"),
    path("deals/<int:deal_id>/won/", views.won, name="won"),
    path("deals/<int:deal_id>/lost/", views.lost, name="lost"),
    path("deals/<int:deal_id>/reopen/", views.reopen, name="reopen"),
    path("deals/<int:deal_id>/handoff/", views.handoff, name="handoff"),
    path("deals/<int:deal_id>/delete/", views.delete, name="delete"),
    path("deals/<int:deal_id>/restore/", views.restore, name="restore"),
    path("deals/<int:deal_id>/participants/", views.participants, name="participants"),
    path(
        "deals/<int:deal_id>/participants/<int:participant_id>/remove/",
        views.remove_participant,
        name="remove_participant",
    ),
    path("views/save/", views.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", views.delete_view, name="delete_view"),
]
