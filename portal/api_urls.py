from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("projects.api_urls")),
    path("", include("portal.notification_api_urls")),
    path("", include("payments.api_urls")),
]
