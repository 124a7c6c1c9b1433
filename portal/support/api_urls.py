from django.urls import path

from portal.support import api

urlpatterns = [
    path("support/conversations", api.ConversationListApi.as_view(), name="api-support-list"),
    path(
        "support/conversations/<int:conversation_id>",
        api.ConversationDetailApi.as_view(),
        name="api-support-detail",
    ),
    path(
        "support/conversations/<int:conversation_id>/reply",
        api.ConversationReplyApi.as_view(),
        name="api-support-reply",
    ),
    path(
        "support/conversations/<int:conversation_id>/close",
        api.ConversationCloseApi.as_view(),
        name="api-support-close",
    ),
    path("support/queue", api.QueueApi.as_view(), name="api-support-queue"),
    path(
        "support/queue/<int:conversation_id>/answer",
        api.QueueAnswerApi.as_view(),
        name="api-support-answer",
    ),
    path(
        "support/queue/<int:conversation_id>/assign",
        api.QueueAssignApi.as_view(),
        name="api-support-assign",
    ),
]
