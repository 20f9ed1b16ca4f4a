"""Top-level URLs: the UI apps, the API, login, language switching."""

from django.contrib import admin
from django.urls import include, path

from apogee.api.urls import api

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("apogee.deals.urls")),
    path("contacts/", include("apogee.contacts.urls")),
    path("leads/", include("apogee.leads.urls")),
    path("activities/", include("apogee.activities.urls")),
    path("notes/", include("apogee.notes.urls")),
    path("", include("apogee.timeline.urls")),
    path("settings/pipedrive/", include("apogee.integrations.pipedrive.urls")),
    path("settings/", include("apogee.workspace.urls")),
    path("me/", include("apogee.accounts.urls")),
    path("trash/", include("apogee.workspace.trash_urls")),
    path("search/", include("apogee.search.urls")),
    path("missions/", include("apogee.missions.urls")),
    path("contracts/", include("apogee.contracts.urls")),
    path("notifications/", include("apogee.notifications.urls")),
    path("bids/", include("apogee.bids.urls")),
    path("offers/", include("apogee.offers.urls")),
    path("products/", include("apogee.products.urls")),
    path("insights/", include("apogee.insights.urls")),
]
