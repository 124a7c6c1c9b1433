from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("projects/", include("projects.urls")),
    path("", include("payments.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("help/", include("portal.support.urls")),
    path("support/", include("portal.support.inbound_urls")),
    path("transparency/", views.transparency, name="transparency"),
    path("rules/", include("accounts.rules_urls")),
    path("cases/", include("projects.cases.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# A database fault outside any view (the session, the user) is a "try again", not a 500.
handler500 = "portal.db_faults.server_error"

if "debug_toolbar" in settings.INSTALLED_APPS:
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
