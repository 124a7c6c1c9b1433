from django.urls import path

from portal.notifications import api

urlpatterns = [
    path("notifications", api.NotificationListApi.as_view(), name="api-notifications"),
    path(
        "notifications/unread-count", api.UnreadCountApi.as_view(), name="api-notifications-unread"
    ),
    path(
        "notifications/read-all",
        api.NotificationReadAllApi.as_view(),
        name="api-notifications-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read",
        api.NotificationReadApi.as_view(),
        name="api-notification-read",
    ),
]
