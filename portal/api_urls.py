from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("projects.api_urls")),
    path("", include("portal.notifications.api_urls")),
    path("", include("payments.api_urls")),
    path("", include("portal.support.api_urls")),
]
