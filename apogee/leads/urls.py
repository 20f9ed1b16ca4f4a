"""URLs of the lead pages: the inbox, quick add, the lead page and its actions."""

from django.urls import path

from . import views

app_name = "leads"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.quick_add, name="quick_add"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:lead_id>/", views.detail, name="detail"),
    path("<int:lead_id>/edit/", views.edit, name="edit"),
    path("<int:lead_id>/convert/", views.convert, name="convert"),
    path("<int:lead_id>/archive/", views.archive, name="archive"),
    path("<int:lead_id>/delete/", views.delete, name="delete"),
    path("<int:lead_id>/restore/", views.restore, name="restore"),
]
