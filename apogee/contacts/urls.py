"""URLs of organization and person pages."""

from django.urls import path

from . import views

app_name = "contacts"
urlpatterns = [
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/new/", views.organization_new, name="organization_new"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/delete/", views.organization_delete, name="organization_delete"),
    path("organizations/<int:pk>/restore/", views.organization_restore, name="organization_restore"),
    path("persons/", views.persons, name="persons"),
    path("persons/new/", views.person_new, name="person_new"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("persons/<int:pk>/restore/", views.person_restore, name="person_restore"),
]
