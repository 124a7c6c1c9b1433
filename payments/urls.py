from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("earnings/", views.earnings, name="earnings"),
    path("earnings/export.csv", views.earnings_csv, name="earnings_csv"),
    path("earnings/payouts/<int:pk>/", views.payout, name="payout"),
    path("payroll/", views.payroll, name="payroll"),
    path("payroll/export.csv", views.payroll_csv, name="payroll_csv"),
    path("payroll/export/", views.payroll_export, name="payroll_export"),
]
