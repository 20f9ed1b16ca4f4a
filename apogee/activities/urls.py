"""URLs of the activity pages: my activities, the team, the week, editing, deal and lead panels, the feed."""

from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("team/", views.team, name="team"),
    path("week/", views.week, name="week"),
    path("new/", views.create, name="create"),
    path("<int:activity_id>/edit/", views.edit, name="edit"),
    path("<int:activity_id>/done/", views.done, name="done"),
    path("<int:activity_id>/undone/", views.undone, name="undone"),
    path("<int:activity_id>/delete/", views.delete, name="delete"),
    path("<int:activity_id>/restore/", views.restore, name="restore"),
    path("deal/<int:target_id>/", views.panel, {"kind": "deal"}, name="for_deal"),
    path("lead/<int:target_id>/", views.panel, {"kind": "lead"}, name="for_lead"),
    path("feed/reset/", views.feed_reset, name="feed_reset"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:secret>.ics", views.feed, name="feed"),
]
