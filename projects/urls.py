from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.my_projects, name="my_projects"),
    path("<int:pk>/", views.project, name="project"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("timesheet/", views.timesheet, name="timesheet"),
]
