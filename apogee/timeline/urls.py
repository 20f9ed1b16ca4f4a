from django.urls import path

from . import views

app_name = "timeline"

urlpatterns = [
    path("timeline/<str:kind>/<int:record_id>/", views.panel, name="panel"),
    path("settings/audit/", views.audit, name="audit"),
    path("settings/audit/export.csv", views.audit_export, name="audit_export"),
]
