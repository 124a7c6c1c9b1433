from django.urls import path

from payments import api

urlpatterns = [
    path("earnings", api.EarningsApi.as_view(), name="api-earnings"),
    path("payouts", api.PayoutListApi.as_view(), name="api-payouts"),
    path("payouts/<int:payout_id>", api.PayoutDetailApi.as_view(), name="api-payout"),
    path("payroll/export", api.PayrollExportApi.as_view(), name="api-payroll-export"),
]
