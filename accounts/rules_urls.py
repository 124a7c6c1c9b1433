from django.urls import path

from accounts.views import rules

urlpatterns = [path("", rules.rules, name="rules")]
