"""URLs of the offers section of a deal page: the panel, the dialog forms, status changes, documents."""

from django.urls import path

from . import views

app_name = "offers"
urlpatterns = [
    path("deal/<int:deal_id>/", views.panel, name="panel"),
    path("deal/<int:deal_id>/new/", views.create, name="create"),
    path("deal/<int:deal_id>/follow/", views.follow, name="follow"),
    path("<int:offer_id>/edit/", views.edit, name="edit"),
    path("<int:offer_id>/revise/", views.revise, name="revise"),
    path("<int:offer_id>/submit/", views.submit, name="submit"),
    path("<int:offer_id>/accept/", views.accept, name="accept"),
    path("<int:offer_id>/reject/", views.reject, name="reject"),
    path("<int:offer_id>/documents/", views.upload, name="upload"),
    path("<int:offer_id>/documents/<int:document_id>/", views.download, name="download"),
    path("<int:offer_id>/documents/<int:document_id>/remove/", views.remove_document, name="remove_document"),
]
