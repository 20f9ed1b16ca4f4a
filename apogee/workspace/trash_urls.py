"""URLs of the Trash page (included at /trash/)."""

from django.urls import path

from . import views_trash

app_name = "trash"
urlpatterns = [
    path("", views_trash.index, name="index"),
    path("<str:kind>/<int:pk>/restore/", views_trash.restore, name="restore"),
    path("<str:kind>/<int:pk>/delete/", views_trash.purge, name="purge"),
]
