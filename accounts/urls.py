from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("application/", views.application_status, name="application_status"),
    path("application/edit/", views.application_edit, name="application_edit"),
    path("application/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/resume/", views.resume, name="resume"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/agreement/", views.agreement, name="agreement"),
    path("onboarding/tax-form/", views.tax_form, name="tax_form"),
    path("onboarding/tax-form/document/", views.tax_document, name="tax_document"),
    path("onboarding/payout/", views.payout_details, name="payout_details"),
    path("preferences/", views.preferences, name="preferences"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
