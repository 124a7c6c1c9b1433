from django.urls import path

from portal.support import views

urlpatterns = [
    path("inbound/", views.inbound_email, name="support-inbound"),
]
