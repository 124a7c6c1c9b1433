from django.urls import path

from accounts import api

urlpatterns = [
    path("me", api.MeApi.as_view(), name="api-me"),
    path("application", api.ApplicationApi.as_view(), name="api-application"),
    path(
        "application/withdraw",
        api.ApplicationWithdrawApi.as_view(),
        name="api-application-withdraw",
    ),
    path("tokens", api.ApiTokenListApi.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>", api.ApiTokenRevokeApi.as_view(), name="api-token-revoke"),
]
