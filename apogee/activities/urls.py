"""URLs of the activities pages."""

from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.mine, name="mine"),
]
