"""URLs of the Pipedrive migration settings pages (administrators), under /settings/pipedrive/."""

from django.urls import path

from . import views

app_name = "pipedrive"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/interrupt/", views.interrupt, name="interrupt"),
    path("runs/<int:run_id>/resume/", views.resume, name="resume"),
    path("runs/<int:run_id>/import/", views.import_for_real, name="import_for_real"),
    path("runs/<int:run_id>/report.csv", views.report_download, name="report"),
]
