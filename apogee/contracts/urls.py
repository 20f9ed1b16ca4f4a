"""URLs of the contract pages and of the contract panel on the deal page."""

from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="index"),
    path("settings/", views.pipeline_settings, name="settings"),
    path("<int:contract_id>/", views.contract_detail, name="detail"),
    path("<int:contract_id>/edit/", views.contract_edit, name="edit"),
    path("<int:contract_id>/change-notices/new/", views.change_notice_new, name="change_notice_new"),
    path("deal/<int:deal_id>/", views.deal_panel, name="deal_panel"),
    path("deal/<int:deal_id>/create/", views.create_for_deal, name="create_for_deal"),
]
