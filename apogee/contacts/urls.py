"""URLs of organization and person pages."""

from django.urls import path

from . import views

app_name = "contacts"
urlpatterns = [
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("persons/", views.persons, name="persons"),
    path("persons/<int:pk>/", views.person, name="person"),
]
