"""URLs of the missions view and of the mission section on deal pages."""

from django.urls import path

from . import views

app_name = "missions"
urlpatterns = [
    path("", views.mission_list, name="list"),
    path("deal/<int:deal_id>/", views.panel, name="panel"),
    path("deal/<int:deal_id>/profile/", views.edit_profile, name="profile"),
    path("deal/<int:deal_id>/link/", views.link, name="link"),
    path("deal/<int:deal_id>/unlink/<int:linked_id>/", views.unlink, name="unlink"),
]
