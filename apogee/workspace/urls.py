"""URLs of workspace pages."""

from django.urls import path

app_name = "workspace"
urlpatterns: list = []
