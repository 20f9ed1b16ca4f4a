"""URLs of the product catalogue and of the products section of deal pages."""

from django.urls import path

from . import views

app_name = "products"
urlpatterns = [
    path("", views.catalogue, name="list"),
    path("new/", views.create, name="create"),
    path("<int:product_id>/edit/", views.edit, name="edit"),
    path("<int:product_id>/archive/", views.archive, name="archive"),
    path("<int:product_id>/restore/", views.restore, name="restore"),
    path("deal/<int:deal_id>/", views.panel, name="panel"),
    path("deal/<int:deal_id>/add/", views.add_line, name="add_line"),
    path("deal/<int:deal_id>/price/", views.line_price, name="line_price"),
    path("deal/<int:deal_id>/lines/<int:line_id>/edit/", views.edit_line, name="edit_line"),
    path("deal/<int:deal_id>/lines/<int:line_id>/remove/", views.remove_line, name="remove_line"),
]
