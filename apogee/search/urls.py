"""URLs of the search pages."""

from django.urls import path

from . import views

app_name = "search"
urlpatterns = [
    path("", views.results, name="results"),
    path("suggest", views.suggest, name="suggest"),
]
