from django.urls import path

from portal.support import views

app_name = "support"

urlpatterns = [
    path("", views.help_index, name="index"),
    path("ask/", views.help_ask, name="ask"),
    path("<int:pk>/", views.conversation, name="conversation"),
    path("<int:pk>/reply/", views.conversation_reply, name="reply"),
    path("<int:pk>/close/", views.conversation_close, name="close"),
    path("<int:pk>/reopen/", views.conversation_reopen, name="reopen"),
    path("<int:pk>/rate/", views.conversation_rate, name="rate"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
