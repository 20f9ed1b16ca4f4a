"""URLs of the notes panel: the panel of a record, adding, editing, pinning, deleting."""

from django.urls import path

from . import views

app_name = "notes"
urlpatterns = [
    path("<str:kind>/<int:target_id>/", views.panel, name="panel"),
    path("<str:kind>/<int:target_id>/add/", views.add, name="add"),
    path("<int:note_id>/edit/", views.edit, name="edit"),
    path("<int:note_id>/pin/", views.pin, name="pin"),
    path("<int:note_id>/unpin/", views.unpin, name="unpin"),
    path("<int:note_id>/delete/", views.delete, name="delete"),
]
