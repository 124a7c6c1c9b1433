from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.my_projects, name="my_projects"),
    path("<int:pk>/", views.project, name="project"),
    path("<int:pk>/about/", views.project_about, name="project_about"),
    path("invitations/<int:pk>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/decline/", views.invitation_decline, name="invitation_decline"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("timesheet/", views.timesheet, name="timesheet"),
]
