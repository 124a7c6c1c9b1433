from django.urls import path

from projects.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/respond/", views.case_respond, name="respond"),
    path("<int:pk>/appeal/", views.case_appeal, name="appeal"),
    path("<int:pk>/file/", views.case_print, name="print"),
    path("<int:pk>/file.json", views.case_json, name="json"),
    path("<int:pk>/evidence/<int:item>/", views.evidence_download, name="evidence"),
    path("<int:pk>/attachments/<int:item>/", views.attachment_download, name="attachment"),
    # A representative's read-only link: no sign-in, the signed token is the key.
    path("shared/<str:token>/", views.shared_case, name="shared"),
    path("shared/<str:token>/evidence/<int:item>/", views.shared_evidence, name="shared_evidence"),
    path(
        "shared/<str:token>/attachments/<int:item>/",
        views.shared_attachment,
        name="shared_attachment",
    ),
]
