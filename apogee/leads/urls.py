"""URLs of the leads pages."""

from django.urls import path

from . import views

app_name = "leads"
urlpatterns = [
    path("", views.inbox, name="inbox"),
]
